"""The staff searches (loans/search.py): the review queue and the borrowers' list find by an
exact phone, a loan's or borrower's external id, an application's number and a borrower's
name, each through an index, and by part of a name or an id through trigram indexes on
PostgreSQL; the number of queries does not depend on the key."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import BorrowerFactory
from tests.relief.helpers import staff_user, submitted_application

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the plans and trigram indexes are PostgreSQL's"
)
QUEUE = "/admin/relief/reliefapplication/"
BORROWERS = "/admin/loans/borrower/"


@pytest.fixture
def cases(today):
    """Three borrowers' cases, and one more borrower with no case."""
    zhang = BorrowerFactory(name="张三丰", phone="13812345678", external_id="B-ZHANG-0001")
    wang = BorrowerFactory(name="王五", phone="13912345678", external_id="B-WANG-0002")
    ouyang = BorrowerFactory(name="欧阳娜娜", phone="13600000000", external_id="B-OUYANG-0004")
    BorrowerFactory(name="张三", phone="13700000000", external_id="B-ZHANG-0003")
    return {
        "zhang": submitted_application(zhang, today=today, external_id="L-2025-000101"),
        "wang": submitted_application(wang, today=today, external_id="L-2025-000202"),
        "ouyang": submitted_application(ouyang, today=today, external_id="L-2024-000303"),
    }


def searched(client, url: str, term: str) -> tuple[list, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"q": term}, headers={"accept-language": "en"})
    assert response.status_code == 200, term
    return list(response.context["cl"].result_list), [q["sql"] for q in captured.captured_queries]


def exact_keys(case) -> dict[str, str]:
    return {
        "phone": case.borrower.phone,
        "loan id": case.loan.external_id.lower(),
        "borrower id": case.borrower.external_id.lower(),
        "application number": f"#{case.pk}",
        "name": case.borrower.name,
    }


def test_the_queue_finds_a_case_by_each_key_with_as_many_queries(admin_client, cases):
    zhang = cases["zhang"]
    counts = set()
    for key, term in exact_keys(zhang).items():
        rows, queries = searched(admin_client, QUEUE, term)
        assert [row.pk for row in rows] == [zhang.pk], key
        if key != "application number":  # "#123" needs no lookup of borrowers or loans
            counts.add(len(queries))
    assert len(counts) == 1
    # Parts, only when nothing matches whole: of a loan id, a borrower id, a name.
    for term in ("5-000101", "zhang-0001", "三丰"):
        rows, _ = searched(admin_client, QUEUE, term)
        assert [row.pk for row in rows] == [zhang.pk], term
    assert {row.pk for row in searched(admin_client, QUEUE, "L-2025-000")[0]} == {
        zhang.pk,
        cases["wang"].pk,
    }
    assert searched(admin_client, QUEUE, "nobody")[0] == []


def test_the_borrowers_list_finds_a_borrower_by_each_key(admin_client, cases):
    zhang = cases["zhang"]
    keys = exact_keys(zhang)
    del keys["application number"]
    for key, term in keys.items():
        rows, _ = searched(admin_client, BORROWERS, term)
        assert [row.pk for row in rows] == [zhang.borrower_id], key
    # The whole name 张三 is another borrower: the part matches only when no name is whole.
    assert [row.name for row in searched(admin_client, BORROWERS, "张三")[0]] == ["张三"]
    assert {row.name for row in searched(admin_client, BORROWERS, "三丰")[0]} == {"张三丰"}
    assert {row.name for row in searched(admin_client, BORROWERS, "ZHANG-000")[0]} == {
        "张三丰",
        "张三",
    }


def test_a_reviewer_finds_a_borrower_by_the_whole_phone_only(client, cases):
    reviewer = staff_user("search-reviewer", "Reviewer")
    client.force_login(reviewer)
    assert len(searched(client, BORROWERS, "13812345678")[0]) == 1
    assert searched(client, BORROWERS, "1381234567")[0] == []


def plan(sql: str) -> str:
    """The plan PostgreSQL makes when reading a whole table costs the most it can: on a few
    rows it would rather scan, at a lender's scale it must not. With plain and index-only
    scans off too, a read without an index condition can only show as a Seq Scan."""
    with connection.cursor() as cursor:
        for kind in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only
@pytest.mark.parametrize(
    "key, indexes",
    [
        ("phone", ["loans_borrower_phone"]),
        ("loan id", ["loan_external_id_upper"]),
        ("borrower id", ["borrower_external_id_upper"]),
        ("name", ["borrower_name"]),
    ],
)
def test_each_exact_key_is_looked_up_through_an_index(admin_client, cases, key, indexes):
    _, queries = searched(admin_client, QUEUE, exact_keys(cases["zhang"])[key])
    (count,) = [sql for sql in queries if sql.startswith("SELECT COUNT(*)")]
    read = plan(count)
    assert "Seq Scan" not in read, read
    for index in (
        *indexes,
        "relief_reliefapplication_loan_id",
        "relief_reliefapplication_borrower",
    ):
        assert index in read, read


@postgres_only
@pytest.mark.parametrize(
    "term, index",
    [
        ("阳娜娜", "borrower_name_trgm"),
        ("zhang-000", "borrower_external_id_trgm"),
        ("2025-000", "loan_external_id_trgm"),
        ("1234567", "borrower_phone_trgm"),
    ],
)
def test_parts_of_names_ids_and_phones_are_found_through_trigram_indexes(
    admin_client, cases, term, index
):
    """From three characters on a part makes trigrams; a part of two (a Chinese given name)
    makes none and is looked for by reading the borrowers (docs/benchmarks.md)."""
    rows, queries = searched(admin_client, QUEUE, term)
    assert rows
    (count,) = [sql for sql in queries if sql.startswith("SELECT COUNT(*)")]
    read = plan(count)
    assert index in read and "Seq Scan" not in read, read
