"""The number of SQL queries of every borrower page, every API list and the reviewers' queue
does not grow with the rows shown, and a borrower's first view of a page stays within a few
(docs/benchmarks.md).

Each page is read once with nothing cached yet but the session (a first view), again with
one object, and once with five; the last two counts must be equal. Counts, not timings: they
hold on any machine, and an N+1 shows up as a difference at once.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from loans.models import Borrower, Installment, Loan
from relief.models import ActorKind, ApplicationEvent, Evidence, Notification
from relief.services import relief_application_approve
from relief.services.notifications import notify
from tests.factories import BorrowerFactory, make_loan, overdue_loan
from tests.relief.helpers import staff_user, submitted_application

pytestmark = pytest.mark.django_db

# A borrower's page or API read, viewed for the first time, reads the database at most this
# often: the user, the page's own data, the header's unread count. Sessions are read from the
# cache (cached_db, with CACHE_URL as in production); kept in the database alone they cost
# one query more.
MOST = 6 + settings.SESSION_ENGINE.endswith(".db")
# The options page reads the relief quote's case (history and prior reliefs, the policy) and
# the arrangements the rules need (the loan's, the borrower's in 12 months), and keeps its
# apply form's one-time token in the session (a savepoint, an update, its release).
OPTIONS_MOST = MOST + 5

D = Decimal


def counted(client, url: str, **extra) -> list[str]:
    """The SQL of one GET (which must answer 200)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return [query["sql"] for query in captured.captured_queries]


def assert_flat(
    client, url_one: str, add_rows, url_five: str | None = None, most: int | None = None, **extra
) -> None:
    """Queries with one object shown, then with five (`add_rows` adds four): the same; and
    for a borrower's page or API read, the first view's at most `most`."""
    first = counted(client, url_one, **extra)  # nothing cached yet: sessions, the policy
    if most is not None:
        assert len(first) <= most, "\n".join([f"{len(first)} queries on the first view:", *first])
    one = counted(client, url_one, **extra)
    add_rows()
    five = counted(client, url_five or url_one, **extra)
    assert len(five) == len(one), "\n".join(
        ["with one:", *one, "", "with five:", *five]  # the difference shows the N+1
    )


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def borrower_client(client, alice):
    client.force_login(alice.user)
    return client


def loans_of(borrower: Borrower, today, count: int, *, applications: bool = False) -> None:
    """`count` more overdue loans of `borrower` on both products, with an application on each
    when asked (so the pages show open cases too)."""
    for number in range(count):
        loan = overdue_loan(
            borrower, today=today, days=10 + 15 * number, code=("CASH18", "CARD24")[number % 2]
        )
        if applications:
            submitted_application(borrower, loan=loan, today=today)


# --- borrower pages -----------------------------------------------------------------------------


def test_dashboard_queries_do_not_grow_with_loans(borrower_client, alice, today):
    loans_of(alice, today, 1, applications=True)
    assert_flat(
        borrower_client, "/", lambda: loans_of(alice, today, 4, applications=True), most=MOST
    )


def test_loan_detail_queries_do_not_grow_with_installments(borrower_client, alice, today):
    short = overdue_loan(alice, today=today)
    long = make_loan(
        alice,
        schedule=[
            (today - timedelta(days=150 - 30 * n), D("500.00"), D("40.00")) for n in range(5)
        ],
    )
    submitted_application(alice, loan=long, today=today)
    assert_flat(
        borrower_client, f"/loans/{short.pk}/", lambda: None, f"/loans/{long.pk}/", most=MOST
    )


def paid_loans(borrower: Borrower, today, count: int) -> None:
    """`count` closed loans of three installments, paid (one of them late): history."""
    for _ in range(count):
        loan = make_loan(
            borrower,
            schedule=[
                (today - timedelta(days=200 - 30 * n), D("100.00"), D("10.00")) for n in range(3)
            ],
            status=Loan.Status.CLOSED,
        )
        for installment in loan.installments.all():
            late = 10 if installment.seq == 2 else 0
            Installment.objects.filter(pk=installment.pk).update(
                principal_paid=installment.principal_due,
                interest_paid=installment.interest_due,
                daily_penalty=D("0.00"),
                paid_off_on=installment.due_date + timedelta(days=late),
                accrued_through=installment.due_date + timedelta(days=late),
            )


def test_quote_page_queries_do_not_grow_with_the_borrowers_history(borrower_client, alice, today):
    loan = overdue_loan(alice, today=today)
    paid_loans(alice, today, 1)
    url = f"/loans/{loan.pk}/quote/?reason=serious_illness"
    # One more on the first view: the article on how penalty works beside the quote, read in
    # one query and then cached (learn.selectors.suggested_article).
    assert_flat(borrower_client, url, lambda: paid_loans(alice, today, 4), most=MOST + 1)


def test_application_list_queries_do_not_grow_with_applications(borrower_client, alice, today):
    loans_of(alice, today, 1, applications=True)
    assert_flat(
        borrower_client,
        "/applications/",
        lambda: loans_of(alice, today, 4, applications=True),
        most=MOST,
    )


def test_application_detail_queries_do_not_grow_with_events_and_files(
    borrower_client, alice, reviewer, today
):
    application = submitted_application(alice, today=today)

    def more_events_and_files():
        for number in range(4):
            ApplicationEvent.objects.create(
                application=application,
                actor_kind=ActorKind.REVIEWER if number % 2 else ActorKind.BORROWER,
                actor=reviewer if number % 2 else alice.user,
                from_status=application.status,
                to_status=application.status if number % 2 else "needs_info",
                note=f"note {number}",
            )
            Evidence.objects.create(
                application=application,
                file=f"evidence/{application.pk}/{number}.pdf",
                original_name=f"bill-{number}.pdf",
                content_type="application/pdf",
                size=100,
                sha256="0" * 64,
                uploaded_by=alice.user,
            )

    Evidence.objects.create(
        application=application,
        file=f"evidence/{application.pk}/first.pdf",
        original_name="certificate.pdf",
        content_type="application/pdf",
        size=100,
        sha256="0" * 64,
        uploaded_by=alice.user,
    )
    assert_flat(
        borrower_client, f"/applications/{application.pk}/", more_events_and_files, most=MOST
    )


def test_offer_detail_queries_do_not_grow_with_installments(
    borrower_client, alice, reviewer, today
):
    """An offer shows what remains to repay, read from the loan's installments."""
    short = submitted_application(alice, today=today)
    long_loan = make_loan(
        alice,
        schedule=[
            (today - timedelta(days=150 - 30 * n), D("500.00"), D("40.00")) for n in range(5)
        ],
    )
    long = submitted_application(alice, loan=long_loan, today=today)
    for application in (short, long):
        relief_application_approve(application_id=application.pk, reviewer=reviewer, percent=50)
    assert_flat(
        borrower_client,
        f"/applications/{short.pk}/",
        lambda: None,
        f"/applications/{long.pk}/",
        most=MOST,
    )


def test_options_page_queries_do_not_grow_with_the_borrowers_history(borrower_client, alice, today):
    loan = overdue_loan(alice, today=today)
    paid_loans(alice, today, 1)
    url = f"/loans/{loan.pk}/options/?reason=serious_illness&monthly_income=5000"
    assert_flat(borrower_client, url, lambda: paid_loans(alice, today, 4), most=OPTIONS_MOST)


def started_plan(borrower: Borrower, today, periods: int):
    from tests.relief.arrangement_flows import accepted, apply, approved, plan

    loan = overdue_loan(borrower, today=today)
    return accepted(approved(apply(loan, arrangement=plan(periods), relief=False)))


def test_a_plans_pages_queries_do_not_grow_with_its_installments(borrower_client, alice, today):
    """The application's schedule and the loan's installments, a plan of 3 and one of 12."""
    short = started_plan(alice, today, 3)
    long = started_plan(alice, today, 12)
    for path in ("/applications/{}/", "/loans/{}/"):
        ids = (short.pk, long.pk) if path.startswith("/app") else (short.loan_id, long.loan_id)
        assert_flat(
            borrower_client, path.format(ids[0]), lambda: None, path.format(ids[1]), most=MOST + 2
        )


def notifications_for(user, count: int) -> None:
    for number in range(count):
        notify(
            recipient=user,
            kind="installment_due",
            language="en",
            channel_preference=None,
            context={"due_date": "2026-01-01", "amount": "100.00", "loan": "L-1"},
            dedup_key=f"due-{user.pk}-{number}-{Notification.objects.count()}",
        )


def test_notification_list_queries_do_not_grow_with_notifications(borrower_client, alice):
    notifications_for(alice.user, 1)
    assert_flat(
        borrower_client, "/notifications/", lambda: notifications_for(alice.user, 4), most=MOST
    )


# --- API lists ----------------------------------------------------------------------------------


def test_api_loan_list_queries_do_not_grow_with_loans(alice, today):
    client = client_for(alice.user)
    loans_of(alice, today, 1)
    assert_flat(client, "/api/v1/loans/", lambda: loans_of(alice, today, 4), most=MOST)


def test_api_application_list_queries_do_not_grow_with_applications(alice, today):
    client = client_for(alice.user)
    loans_of(alice, today, 1, applications=True)
    assert_flat(
        client,
        "/api/v1/relief-applications/",
        lambda: loans_of(alice, today, 4, applications=True),
        most=MOST,
    )


def test_api_notification_list_queries_do_not_grow_with_notifications(alice):
    client = client_for(alice.user)
    notifications_for(alice.user, 1)
    assert_flat(
        client, "/api/v1/notifications/", lambda: notifications_for(alice.user, 4), most=MOST
    )


def cases_of_other_borrowers(count: int, today, assignees) -> None:
    """Undecided cases of different borrowers, held by different reviewers or by nobody."""
    for number in range(count):
        submitted_application(
            BorrowerFactory(), today=today, assign_to=assignees[number % len(assignees)]
        )


def test_api_review_queue_queries_do_not_grow_with_cases(reviewer, today):
    colleague = staff_user("colleague", "Reviewer")
    client = client_for(reviewer)
    cases_of_other_borrowers(1, today, [reviewer])
    assert_flat(
        client,
        "/api/v1/review/queue/",
        lambda: cases_of_other_borrowers(4, today, [None, colleague, reviewer]),
    )


# --- the reviewers' queue in the admin ----------------------------------------------------------


def test_admin_queue_queries_do_not_grow_with_cases(client, reviewer, today):
    client.force_login(reviewer)
    cases_of_other_borrowers(1, today, [reviewer])
    assert_flat(
        client,
        "/admin/relief/reliefapplication/",
        lambda: cases_of_other_borrowers(4, today, [None, reviewer]),
    )


def test_admin_queue_of_every_case_queries_do_not_grow_with_cases(client, reviewer, today):
    """ "All" shows cases held by anyone, decided ones too."""
    colleague = staff_user("colleague", "Reviewer")
    client.force_login(reviewer)
    url = "/admin/relief/reliefapplication/?queue=all&assigned=all"
    cases_of_other_borrowers(1, today, [colleague])
    assert_flat(
        client, url, lambda: cases_of_other_borrowers(4, today, [None, colleague, reviewer])
    )


# --- the ops dashboard --------------------------------------------------------------------------


def decided_and_rated(count: int, today, reviewer) -> None:
    """`count` more cases of different borrowers, approved, each rated with a comment by its
    borrower: rows for every chart of the dashboard, the Outcomes panel's too."""
    from relief.services.satisfaction import satisfaction_answer

    for number in range(count):
        application = submitted_application(BorrowerFactory(), today=today, assign_to=reviewer)
        relief_application_approve(application_id=application.pk, reviewer=reviewer, percent=50)
        satisfaction_answer(
            application_id=application.pk,
            user=application.borrower.user,
            score=1 + number % 5,
            comment=f"Call me on 1381234567{number}",
        )


def test_ops_dashboard_queries_do_not_grow_with_cases_and_answers(client, reviewer, today):
    """Each panel is read in a fixed number of queries (the Outcomes panel: the satisfaction
    report and the latest comments, two), however many cases and answers the range holds."""
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="ops", groups=["Ops"]))
    decided_and_rated(1, today, reviewer)
    assert_flat(client, "/ops/", lambda: decided_and_rated(4, today, reviewer))
