"""The borrower's record for the rules (history, reliefs granted in 12 months, an open
application), read in one query, counts what the rules count; the active policy comes from
the cache and follows an activation at once."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from relief import selectors
from relief.models import ApplicationStatus, ReliefApplication, ReliefPolicy
from tests.factories import BorrowerFactory, overdue_loan, paid_history
from tests.relief.helpers import submitted_application

pytestmark = pytest.mark.django_db


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


def record_of(**arguments):
    with CaptureQueriesContext(connection) as queries:
        record = selectors.borrower_record(**arguments)
    assert len(queries) == 1
    return record


def test_the_record_counts_what_the_rules_count(borrower_with_a_past, today):
    borrower, open_case = borrower_with_a_past
    record = record_of(borrower_id=borrower.pk, loan_id=open_case.loan_id, today=today)
    assert record.prior_reliefs_12m == 1  # the fulfilled one; not 400 days ago, not declined
    assert record.has_open_application
    assert record.history.installments_counted == 7
    assert str(record.history.on_time_ratio) == "0.8571"
    assert record.history == selectors.loan_selectors.borrower_history(borrower, today=today)


def test_the_application_being_triaged_is_left_out_of_its_own_record(borrower_with_a_past, today):
    borrower, open_case = borrower_with_a_past
    record = record_of(
        borrower_id=borrower.pk, loan_id=open_case.loan_id, today=today, exclude_id=open_case.pk
    )
    assert not record.has_open_application


def test_a_new_borrower_has_an_empty_record(today):
    loan = overdue_loan(BorrowerFactory(), today=today)
    record = record_of(borrower_id=loan.borrower_id, loan_id=loan.pk, today=today)
    assert (record.prior_reliefs_12m, record.has_open_application) == (0, False)
    assert record.history.installments_counted == 0


@pytest.mark.parametrize("seconds", [-1, 0])
def test_a_relief_granted_a_year_ago_counts_from_local_midnight(today, seconds):
    application = submitted_application(today=today, triage=False)
    first_counted = local_midnight(today - timedelta(days=364))
    ReliefApplication.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.APPROVED, decided_at=first_counted + timedelta(seconds=seconds)
    )
    record = record_of(
        borrower_id=application.borrower_id, loan_id=application.loan_id, today=today
    )
    assert record.prior_reliefs_12m == (1 if seconds == 0 else 0)


def test_a_newly_activated_policy_is_the_one_quoted(today):
    loan = overdue_loan(BorrowerFactory(), today=today)
    first = selectors.loan_quote(loan, reason="serious_illness").policy
    current = ReliefPolicy.objects.get(pk=first.pk)
    ReliefPolicy.objects.filter(pk=first.pk).update(status="retired")
    newer = ReliefPolicy.objects.create(
        version=current.version + 1, document=current.document, status="active"
    )
    assert selectors.loan_quote(loan, reason="serious_illness").policy.pk == newer.pk


def test_the_active_policy_is_read_once_then_from_the_cache(today):
    loan = overdue_loan(BorrowerFactory(), today=today)
    selectors.loan_quote(loan, reason="serious_illness")
    with CaptureQueriesContext(connection) as queries:
        quote = selectors.loan_quote(loan, reason="serious_illness")
    assert not [q for q in queries if "relief_reliefpolicy" in q["sql"]]
    assert quote.policy == ReliefPolicy.objects.get(status="active")


def test_activating_a_version_through_the_service_changes_the_cached_policy_on_commit(
    today, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from relief.services.policies import policy_draft_create
    from tests.relief.helpers import policy_activated, staff_user

    loan = overdue_loan(BorrowerFactory(), today=today)
    before = selectors.loan_quote(loan, reason="serious_illness").policy
    assert cache.get(selectors.ACTIVE_POLICY_KEY) == before
    admin = staff_user("policy-admin", "Policy admin")
    draft = policy_draft_create(created_by=admin, based_on=before)
    with django_capture_on_commit_callbacks(execute=True):
        policy_activated(
            draft, requested_by=staff_user("policy-admin-2", "Policy admin"), confirmed_by=admin
        )
    assert cache.get(selectors.ACTIVE_POLICY_KEY) is None
    assert selectors.loan_quote(loan, reason="serious_illness").policy.version == draft.version
    assert cache.get(selectors.ACTIVE_POLICY_KEY).version == draft.version
