"""Repaid within N days, read from each case's stored repayment date (`repaid_on`): the
effectiveness figures are those of the definition read straight off the installments (how
the report computed them before the date was stored), on a varied data set and through the
services that keep the date."""

import importlib
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q

from loans.models import Installment
from loans.selectors import loan_state
from relief.models import ApplicationStatus, ReliefApplication
from relief.services import relief_application_approve, relief_application_reject, repayment_post
from reports.filters import ReportFilters
from reports.queries import REPORTS
from reports.queries.definitions import effectiveness_cases, observed
from reports.queries.sql import EFFECTIVENESS_WINDOWS, Percent
from tests.factories import BorrowerFactory, make_loan
from tests.relief.flows import submit
from tests.reports.conftest import SHANGHAI, application

D = Decimal
S = ApplicationStatus
DECIDED = (S.APPROVED, S.ACCEPTED, S.FULFILLED, S.DECLINED, S.EXPIRED, S.REJECTED)
BUCKETS = ("M0", "M1", "M2", "M3", "M4+")
# Days from the decision date to a payment: the windows' edges on both sides, before the
# decision, and never (None).
PAID_AFTER = (-20, -1, 0, 1, 29, 30, 31, 59, 60, 61, 89, 90, 91, 150, None, None)
# Decision times of day, local: near both midnights (the UTC date is the day before at 07:59).
DECIDED_AT = (time(0, 5), time(7, 59), time(8, 1), time(12), time(23, 55))
FIRST_DAY = date(2025, 3, 1)


def effectiveness_from_installments(filters: ReportFilters, now: datetime) -> list[tuple]:
    """The effectiveness rows as the report computed them before `repaid_on`: for every
    window, a probe of the loan's installments due by the decision date."""
    today = now.astimezone(SHANGHAI).date()

    def repaid(days: int) -> Q:
        unpaid = Installment.objects.filter(
            loan=OuterRef("loan"), due_date__lte=OuterRef("r_decision_date")
        ).filter(Q(paid_off_on__isnull=True) | Q(paid_off_on__gt=OuterRef(f"r_deadline_{days}")))
        return ~Q(Exists(unpaid))

    aggregates = {"r_cases": Count("id")}
    for days in EFFECTIVENESS_WINDOWS:
        seen = observed(days, today)
        aggregates[f"r_observed_{days}"] = Count("id", filter=seen)
        aggregates[f"r_repaid_{days}"] = Count("id", filter=seen & repaid(days))
        aggregates[f"r_rate_{days}"] = Percent(
            Count("id", filter=seen & repaid(days)), Count("id", filter=seen)
        )
    return list(
        effectiveness_cases(filters, now)
        .values("bucket_at_submission", "r_outcome")
        .annotate(**aggregates)
        .order_by("bucket_at_submission", "r_outcome")
        .values_list("bucket_at_submission", "r_outcome", *aggregates)
    )


def varied_cases(count: int, seed: int = 22) -> None:
    """`count` applications decided (or not) over four months, each on a loan of one to four
    installments falling due around its decision and paid off (or not) around the windows'
    edges; written as rows, as history is."""
    rng = random.Random(seed)
    borrower = BorrowerFactory(user__username="zhao", name="赵六")
    for n in range(count):
        decision_day = FIRST_DAY + timedelta(days=rng.randrange(120))
        decided_at = datetime.combine(decision_day, rng.choice(DECIDED_AT), tzinfo=SHANGHAI)
        first_due = decision_day + timedelta(days=rng.choice((-75, -40, -15, -1, 0, 1, 20)))
        schedule = [
            (first_due + timedelta(days=30 * k), D("900.00"), D("100.00"))
            for k in range(rng.randint(1, 4))
        ]
        loan = make_loan(borrower, schedule=schedule, external_id=f"L-V-{n:03d}")
        for installment in loan.installments.all():
            paid_after = rng.choice(PAID_AFTER)
            if paid_after is None:
                continue
            paid_off_on = max(installment.due_date, decision_day) + timedelta(days=paid_after)
            Installment.objects.filter(pk=installment.pk).update(
                principal_paid=installment.principal_due,
                interest_paid=installment.interest_due,
                paid_off_on=paid_off_on,
            )
        status = rng.choice((*DECIDED, *DECIDED, S.WITHDRAWN, S.IN_REVIEW))
        application(
            loan,
            submitted=decided_at - timedelta(hours=rng.randrange(1, 96)),
            status=status,
            reason="accident",
            dpd=1,
            bucket=rng.choice(BUCKETS),
            suggested=50,
            penalty="10.00",
            decided_percent=50 if status != S.REJECTED else None,
            relief="5.00" if status != S.REJECTED else None,
            decided_at=decided_at if status in DECIDED else None,
        )


def back_fill() -> None:
    """What migration relief 0016 does to the cases decided before it."""
    migration = importlib.import_module("relief.migrations.0018_application_repaid_on")
    # It only asks the editor for its connection (a schema editor proper cannot be opened
    # in a test's transaction on SQLite).
    migration.back_fill(apps, SimpleNamespace(connection=connection))


@pytest.mark.django_db
def test_effectiveness_from_the_stored_date_equals_the_installments_on_varied_cases():
    varied_cases(120)
    back_fill()
    report = REPORTS["effectiveness"]
    assert ReliefApplication.objects.filter(repaid_on__isnull=False).exists()
    whole = ReportFilters(date_from=date(2025, 2, 20), date_to=date(2025, 7, 31))
    part = ReportFilters(date_from=date(2025, 4, 1), date_to=date(2025, 5, 15))
    seen_from = (date(2025, 5, 1), date(2025, 6, 15), date(2025, 8, 1), date(2026, 1, 1))
    for filters in (whole, part):
        for day in seen_from:
            now = datetime.combine(day, time(9), tzinfo=SHANGHAI)
            expected = effectiveness_from_installments(filters, now)
            # The columns the probe computed; the plan installments' columns come after them.
            stored = [row[: len(expected[0])] for row in report.queryset(filters, now=now)]
            assert stored == expected, (filters, day)
    # The data set is varied enough to mean something: every window has cases repaid in
    # it and cases not, seen from the last day.
    rows = {(r[0], r[1]): r for r in report.queryset(whole, now=now)}
    for index in (4, 7, 10):  # repaid within 30, 60, 90 days
        assert 0 < sum(r[index] for r in rows.values()) < sum(r[index - 1] for r in rows.values())


def owed_in_full(loan, day: date) -> Decimal:
    state = loan_state(loan, today=day)
    return state.overdue_amount + state.penalty_outstanding


def at(day: date, hour: int = 10):
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=SHANGHAI), tick=False)


@pytest.mark.django_db
def test_the_decision_and_the_repayments_keep_the_date_the_report_reads(alice, bob, reviewer):
    """Decided 2025-06-01: Alice's case is rejected and repaid 12 days later (within 30 days);
    Bob's is approved and repaid 45 days later (within 60, not 30). Each installment of 2,000.00
    fell due 20 days before the decision; each loan's second one, due after it, is left out."""
    decision_day = date(2025, 6, 1)
    loans = {}
    for borrower in (alice, bob):
        loans[borrower.pk] = make_loan(
            borrower,
            schedule=[
                (decision_day - timedelta(days=20), D("1875.00"), D("125.00")),
                (decision_day + timedelta(days=200), D("1875.00"), D("125.00")),
            ],
        )
    with at(decision_day):
        rejected = submit(loans[alice.pk])
        approved = submit(loans[bob.pk])
        relief_application_reject(
            application_id=rejected.pk, reviewer=reviewer, reason_code="ability_to_pay"
        )
        relief_application_approve(application_id=approved.pk, reviewer=reviewer, percent=50)
    assert list(ReliefApplication.objects.values_list("repaid_on", flat=True)) == [None, None]
    for borrower, days in ((alice, 12), (bob, 45)):
        paid_on = decision_day + timedelta(days=days)
        loan = loans[borrower.pk]
        with at(paid_on):
            repayment_post(
                loan=loan, amount=owed_in_full(loan, paid_on), paid_on=paid_on, reference=f"R{days}"
            )
    rejected.refresh_from_db()
    approved.refresh_from_db()
    assert (rejected.repaid_on, approved.repaid_on) == (date(2025, 6, 13), date(2025, 7, 16))

    filters = ReportFilters(date_from=date(2025, 6, 1), date_to=date(2025, 6, 1))
    now = datetime(2025, 10, 1, 9, tzinfo=SHANGHAI)
    expected = effectiveness_from_installments(filters, now)
    stored = [
        row[: len(expected[0])] for row in REPORTS["effectiveness"].queryset(filters, now=now)
    ]
    assert stored == expected
    repaid = {row[1]: (row[4], row[7], row[10]) for row in stored}  # within 30, 60, 90 days
    assert repaid == {"approved": (0, 1, 1), "rejected": (1, 1, 1)}


@pytest.mark.django_db
def test_a_case_decided_with_nothing_due_is_repaid_from_its_decision_date(alice, reviewer):
    """Nothing was due at the decision (the loan's only installment falls due later): the
    decision itself finds it repaid, on the decision date."""
    today = date(2025, 6, 1)
    loan = make_loan(alice, schedule=[(today + timedelta(days=10), D("1875.00"), D("125.00"))])
    with at(today):
        case = application(
            loan,
            submitted=datetime(2025, 5, 31, 9, tzinfo=SHANGHAI),
            status=S.IN_REVIEW,
            reason="accident",
            dpd=0,
            bucket="M0",
            suggested=50,
            penalty="0.00",
        )
        relief_application_reject(
            application_id=case.pk, reviewer=reviewer, reason_code="ability_to_pay"
        )
    case.refresh_from_db()
    assert case.repaid_on == today
