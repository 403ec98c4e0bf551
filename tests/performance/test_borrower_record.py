"""The borrower's record for the rules, read in one prepared statement on PostgreSQL, holds
the same figures as the ORM queries it replaces (and that SQLite still uses)."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from relief import selectors
from relief.models import ApplicationStatus, ReliefApplication, ReliefPolicy
from tests.factories import BorrowerFactory, overdue_loan, paid_history
from tests.relief.helpers import submitted_application

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the statement is PostgreSQL's"),
]


def local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


@pytest.fixture
def borrower_with_a_past(today):
    """Seven paid installments (one late), a relief granted this year, one granted 400 days
    ago, one declined, and an application still open on the overdue loan."""
    borrower = BorrowerFactory()
    paid_history(borrower, today=today, on_time=6, late=1)
    open_case = submitted_application(borrower, today=today)
    for status, days_ago in (
        (ApplicationStatus.FULFILLED, 100),
        (ApplicationStatus.ACCEPTED, 400),
        (ApplicationStatus.DECLINED, 30),
    ):
        old = submitted_application(borrower, today=today, triage=False)
        ReliefApplication.objects.filter(pk=old.pk).update(
            status=status, decided_at=timezone.now() - timedelta(days=days_ago)
        )
    return borrower, open_case


def both(**arguments):
    return selectors.borrower_record(**arguments), selectors.borrower_record_by_orm(**arguments)


def test_the_record_counts_what_the_rules_count(borrower_with_a_past, today):
    borrower, open_case = borrower_with_a_past
    record, by_orm = both(borrower_id=borrower.pk, loan_id=open_case.loan_id, today=today)
    assert record == by_orm
    assert record.prior_reliefs_12m == 1  # the fulfilled one; not 400 days ago, not declined
    assert record.has_open_application
    assert record.history.installments_counted == 7
    assert str(record.history.on_time_ratio) == "0.8571"
    assert record.active_policy_id == ReliefPolicy.objects.get(status="active").pk


def test_the_application_being_triaged_is_left_out_of_its_own_record(borrower_with_a_past, today):
    borrower, open_case = borrower_with_a_past
    record, by_orm = both(
        borrower_id=borrower.pk, loan_id=open_case.loan_id, today=today, exclude_id=open_case.pk
    )
    assert record == by_orm
    assert not record.has_open_application


def test_a_new_borrower_has_an_empty_record(today):
    loan = overdue_loan(BorrowerFactory(), today=today)
    record, by_orm = both(borrower_id=loan.borrower_id, loan_id=loan.pk, today=today)
    assert record == by_orm
    assert (record.prior_reliefs_12m, record.has_open_application) == (0, False)
    assert record.history.installments_counted == 0


@pytest.mark.parametrize("seconds", [-1, 0])
def test_a_relief_granted_a_year_ago_counts_from_local_midnight(today, seconds):
    application = submitted_application(today=today, triage=False)
    first_counted = local_midnight(today - timedelta(days=364))
    ReliefApplication.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.APPROVED, decided_at=first_counted + timedelta(seconds=seconds)
    )
    record, by_orm = both(
        borrower_id=application.borrower_id, loan_id=application.loan_id, today=today
    )
    assert record == by_orm
    assert record.prior_reliefs_12m == (1 if seconds == 0 else 0)


def test_the_record_is_the_same_without_prepared_statements(borrower_with_a_past, today, settings):
    borrower, open_case = borrower_with_a_past
    arguments = {"borrower_id": borrower.pk, "loan_id": open_case.loan_id, "today": today}
    prepared = selectors.borrower_record(**arguments)
    settings.DATABASE_PREPARED_STATEMENTS = False
    assert selectors.borrower_record(**arguments) == prepared


def test_a_newly_activated_policy_is_the_one_quoted(today):
    loan = overdue_loan(BorrowerFactory(), today=today)
    first = selectors.loan_quote(loan, reason="serious_illness").policy
    current = ReliefPolicy.objects.get(pk=first.pk)
    ReliefPolicy.objects.filter(pk=first.pk).update(status="retired")
    newer = ReliefPolicy.objects.create(
        version=current.version + 1, document=current.document, status="active"
    )
    assert selectors.loan_quote(loan, reason="serious_illness").policy.pk == newer.pk
