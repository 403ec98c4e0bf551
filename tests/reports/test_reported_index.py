"""The ops dashboard, the monthly summary and the effectiveness report read applications
through one index holding every column they use (`relief_reported`, relief/models.py), so
that each of their queries can be an index-only scan, a tenth of the table's size at a
lender's scale (docs/reports.md, "Performance"; the benchmark's plans show it). A column
added to one of these queries must be added to the index: this test names the query and the
column. (The reviewers report reads its own decisions the same way, through its view.)"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from relief.models import ReliefApplication

pytestmark = pytest.mark.django_db
RANGE = "from=2025-01-01&to=2025-02-28"
PAGES = [
    f"/ops/?{RANGE}",
    f"/ops/?{RANGE}&product=CASH18",
    *(
        f"/api/v1/reports/{name}/?{RANGE}&format=json"
        for name in ("monthly-summary", "effectiveness")
    ),
]
COLUMN = re.compile(r'"relief_reliefapplication"\."(\w+)"')


def indexed_columns() -> set[str]:
    (index,) = [i for i in ReliefApplication._meta.indexes if i.name == "relief_reported"]
    return {ReliefApplication._meta.get_field(name).column for name in index.fields}


@pytest.mark.parametrize("url", PAGES)
def test_every_column_these_pages_read_of_applications_is_in_the_reported_index(
    client, ops, dataset, url
):
    client.force_login(ops)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    reads = [q["sql"] for q in captured.captured_queries if COLUMN.search(q["sql"])]
    assert reads
    indexed = indexed_columns()
    for sql in reads:
        assert set(COLUMN.findall(sql)) <= indexed, (set(COLUMN.findall(sql)) - indexed, sql)
