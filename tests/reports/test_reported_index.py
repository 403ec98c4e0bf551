"""The ops dashboard, the monthly summary and the effectiveness report read applications
through one index holding every column they use (`relief_reported`, relief/models.py): each
of their queries is an index-only scan, a tenth of the table's size at a lender's scale. A
column added to one of these queries must be added to the index, or this test names the
query that reads the table. (The reviewers report reads its own decisions the same way; its
second approvals, a few, through the index on `first_approver`.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans are PostgreSQL's"),
]
RANGE = "from=2025-01-01&to=2025-02-28"
# With a product the index-only scan is joined to the loans; on a few rows, with every other
# read priced out, PostgreSQL picks a join order this test cannot judge (at the benchmark's
# scale the plan is the index-only scan hashed against the product's loans).
PAGES = [
    f"/ops/?{RANGE}",
    *(
        f"/api/v1/reports/{name}/?{RANGE}&format=json"
        for name in ("monthly-summary", "effectiveness")
    ),
]


def plan(sql: str) -> str:
    """The plan when any read of the table's rows costs the most it can (on a few rows a
    sequential scan would win; at 55,000 it must not be needed)."""
    with connection.cursor() as cursor:
        # Statistics of this data set, not of whatever autovacuum last saw.
        cursor.execute("ANALYZE relief_reliefapplication")
        for kind in ("seqscan", "bitmapscan"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("url", PAGES)
def test_every_query_reads_applications_through_the_reported_index_only(client, ops, dataset, url):
    client.force_login(ops)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    reads = [
        q["sql"].removeprefix(q["sql"].split(" FOR ", 1)[0] + " FOR ")
        if q["sql"].startswith("DECLARE")
        else q["sql"]
        for q in captured.captured_queries
        if "relief_reliefapplication" in q["sql"] or "reports_reviewerdecision" in q["sql"]
    ]
    assert reads
    for sql in reads:
        read = plan(sql)
        scans = [line for line in read.splitlines() if "relief_reliefapplication" in line]
        assert scans, read
        assert all("Index Only Scan using relief_reported" in line for line in scans), read
