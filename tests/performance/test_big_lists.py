"""Admin lists over big tables: no second COUNT(*) of the whole table, an unfiltered list
counted from PostgreSQL's estimate, filter choices without a DISTINCT over the rows, and an
index for each list's order (docs/benchmarks.md, staff pages)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import admin_lists
from relief.models import ActorKind, ApplicationEvent, ReliefApplication
from tests.factories import BorrowerFactory
from tests.relief.helpers import staff_user, submitted_application

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the estimate and the plans are PostgreSQL's"
)


def page_sql(client, url: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers={"accept-language": "en"})
    assert response.status_code == 200, url
    return response.content.decode(), [q["sql"] for q in captured.captured_queries]


def counts(queries: list[str]) -> list[str]:
    return [sql for sql in queries if "COUNT(*)" in sql.upper()]


@pytest.fixture
def events(today):
    case = submitted_application(BorrowerFactory(), today=today)
    for _ in range(4):
        ApplicationEvent.objects.create(
            application=case, actor_kind=ActorKind.SYSTEM, to_status="in_review"
        )
    return ApplicationEvent.objects.count()


@postgres_only
def test_an_unfiltered_big_list_is_counted_from_the_estimate(admin_client, events, monkeypatch):
    monkeypatch.setattr(admin_lists, "EXACT_BELOW", 0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE relief_applicationevent")
    ApplicationEvent.objects.create(
        application=ReliefApplication.objects.get(), actor_kind=ActorKind.SYSTEM, to_status="x"
    )
    html, queries = page_sql(admin_client, "/admin/relief/applicationevent/")
    assert counts(queries) == []
    assert f"{events} application events" in html  # as of the last ANALYZE


def test_a_filtered_big_list_is_counted_once_and_exactly(admin_client, events):
    html, queries = page_sql(admin_client, "/admin/relief/applicationevent/?actor_kind=system")
    assert len(counts(queries)) == 1
    system = ApplicationEvent.objects.filter(actor_kind=ActorKind.SYSTEM).count()
    assert f"{system} application events" in html


def test_the_queue_offers_policy_versions_without_reading_every_case(client, today, policy_v1):
    reviewer = staff_user("queue-reviewer", "Reviewer")
    case = submitted_application(BorrowerFactory(), today=today, assign_to=reviewer)
    client.force_login(reviewer)
    html, queries = page_sql(client, "/admin/relief/reliefapplication/?queue=all")
    assert not [sql for sql in queries if "DISTINCT" in sql.upper()]
    version = case.policy_version
    assert f"policy_version__exact={version}" in html.replace("&amp;", "&")
    html, _ = page_sql(
        client, f"/admin/relief/reliefapplication/?queue=all&policy_version__exact={version}"
    )
    assert f"/admin/relief/reliefapplication/{case.pk}/change/" in html
    html, _ = page_sql(client, "/admin/relief/reliefapplication/?queue=all&policy_version__exact=9")
    assert f"/admin/relief/reliefapplication/{case.pk}/change/" not in html


@postgres_only
@pytest.mark.parametrize(
    "table, order, index",
    [
        (
            "relief_reliefapplication",
            "priority DESC, sla_due ASC NULLS LAST, created_at, id",
            "relief_queue_order",
        ),
        ("relief_applicationevent", "at, id", "event_by_time"),
        ("relief_notification", "created_at DESC, id DESC", "notification_by_time"),
    ],
)
def test_each_big_list_reads_its_first_page_through_an_index(table, order, index):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN SELECT * FROM {table} ORDER BY {order} LIMIT 50")  # noqa: S608
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan and "Sort" not in plan.split(index)[0], plan


def test_audit_lists_offer_fixed_choices_without_a_distinct_over_their_rows(admin_client, events):
    for url in ("/admin/relief/applicationevent/", "/admin/relief/notification/"):
        html, queries = page_sql(admin_client, url)
        assert not [sql for sql in queries if "DISTINCT" in sql.upper()], url
    html, _ = page_sql(admin_client, "/admin/relief/notification/")
    assert "kind__exact=sla_breached" in html and "kind__exact=submitted" in html
    html, _ = page_sql(admin_client, "/admin/relief/applicationevent/?to_status__exact=in_review")
    in_review = ApplicationEvent.objects.filter(to_status="in_review").count()
    assert in_review < events
    assert f"{in_review} application events" in html


def test_the_queue_list_leaves_the_quote_out_and_the_case_page_shows_it(client, today):
    reviewer = staff_user("defer-reviewer", "Reviewer")
    case = submitted_application(BorrowerFactory(), today=today, assign_to=reviewer)
    client.force_login(reviewer)
    _, queries = page_sql(client, "/admin/relief/reliefapplication/?queue=all")
    listing = [sql for sql in queries if sql.startswith('SELECT "relief_reliefapplication"."id"')]
    assert listing
    assert all('"relief_reliefapplication"."quote"' not in sql for sql in listing)
    _, queries = page_sql(client, f"/admin/relief/reliefapplication/{case.pk}/change/")
    assert any('"relief_reliefapplication"."quote"' in sql for sql in queries)


def page_rows(client, url: str) -> tuple[list[int], list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers={"accept-language": "en"})
    assert response.status_code == 200, url
    return [row.pk for row in response.context["cl"].result_list], [
        q["sql"] for q in captured.captured_queries
    ]


def test_deep_pages_show_every_row_once_and_the_last_is_read_from_the_end(
    admin_client, events, monkeypatch
):
    """47 events, 10 a page: pages 1–2 skip the rows before them; pages 4–5 are read from
    the end, skipping only the rows after them (the last page none); page 3 holds the
    middle. Together, every event once, in the list's order, with as many queries a page."""
    case = ReliefApplication.objects.get()
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(application=case, actor_kind=ActorKind.REVIEWER, to_status="in_review")
        for _ in range(47 - events)
    )
    monkeypatch.setattr(admin.site.get_model_admin(ApplicationEvent), "list_per_page", 10)
    url = "/admin/relief/applicationevent/?p={}"
    pages = {number: page_rows(admin_client, url.format(number)) for number in range(1, 6)}
    listed = [pk for number in range(1, 6) for pk in pages[number][0]]
    assert listed == list(
        ApplicationEvent.objects.order_by("at", "id").values_list("pk", flat=True)
    )
    assert [len(pages[number][0]) for number in range(1, 6)] == [10, 10, 10, 10, 7]

    def page_query(number: int) -> str:
        (sql,) = [q for q in pages[number][1] if "LIMIT" in q and "applicationevent" in q]
        return sql

    assert "OFFSET 10" in page_query(2)
    assert "OFFSET 7" in page_query(4)  # the 7 of page 5 skipped, counting from the end
    assert "OFFSET" not in page_query(5) and "DESC" in page_query(5)
    assert len(pages[5][1]) == len(pages[1][1])
