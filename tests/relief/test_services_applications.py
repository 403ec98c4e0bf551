"""Submitting, triage and the borrower's transitions (domain.md §6–§7)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError

from core.errors import ConflictError, DomainError
from relief.models import (
    ApplicationEvent,
    ApplicationStatus,
    Notification,
    ReliefApplication,
)
from relief.services import (
    relief_application_accept,
    relief_application_answer,
    relief_application_approve,
    relief_application_decline,
    relief_application_request_info,
    relief_application_triage,
    relief_application_withdraw,
)
from relief.services.transitions import TRANSITIONS
from tests.factories import overdue_loan, paid_history
from tests.relief.flows import submit

pytestmark = pytest.mark.django_db
D = Decimal
S = ApplicationStatus


def test_submit_freezes_the_quote_of_the_worked_example(alice, today, reviewer):
    paid_history(alice, today=today)
    loan = overdue_loan(alice, today=today, days=20)
    application = submit(loan, triage=False)
    assert application.status == S.SUBMITTED
    assert application.suggested_percent == 80
    assert application.suggested_amount == D("21.28")
    assert application.penalty_at_submission == D("26.60")
    assert (application.dpd_at_submission, application.bucket_at_submission) == (20, "M1")
    assert application.policy_version == 2  # the active version, with arrangements
    codes = [f["code"] for f in application.quote["factors"]]
    assert codes == ["base", "history", "hardship"]


def test_worked_example_goes_to_a_reviewer_with_an_sla(alice, today, reviewer):
    loan = overdue_loan(alice, today=today, days=20)
    application = submit(loan)
    assert application.status == S.IN_REVIEW
    assert application.assigned_to == reviewer
    assert application.sla_due - application.triaged_at == timedelta(hours=48)
    assert application.priority > 0


def test_installment_still_in_grace_has_no_penalty_so_no_relief(alice, today):
    loan = overdue_loan(alice, today=today, days=2)
    with pytest.raises(DomainError) as error:
        submit(loan, reason="other")
    assert error.value.extra["not_eligible_reasons"] == ["no_penalty"]


def test_case_at_or_below_50_percent_is_approved_automatically_with_an_offer(alice, today):
    loan = overdue_loan(alice, today=today, days=45)
    application = submit(loan, reason="other")  # base 40 + history 20 = 60 → manual
    assert application.status == S.IN_REVIEW
    loan = overdue_loan(alice, today=today, days=200, external_id="L-LATE")
    application = submit(loan, reason="other")  # base 20 + history 20 = 40 → automatic
    assert application.status == S.APPROVED
    assert application.decided_percent == 40
    assert application.offer_deadline == today + timedelta(days=15)
    assert application.events.last().actor_kind == "system"


def test_not_eligible_loan_is_refused_with_the_reasons(alice, today):
    loan = overdue_loan(alice, today=today, days=20, fraud_flag=True)
    with pytest.raises(DomainError) as error:
        submit(loan)
    assert error.value.code == "not_eligible"
    assert error.value.extra["not_eligible_reasons"] == ["fraud_flag"]
    assert ReliefApplication.objects.count() == 0


def test_second_application_on_a_loan_with_an_open_one_is_a_conflict_naming_it(alice, today):
    loan = overdue_loan(alice, today=today)
    first = submit(loan)
    with pytest.raises(ConflictError) as error:
        submit(loan)
    assert error.value.code == "open_application"
    assert error.value.extra["open_application"] == first.pk


def test_database_allows_one_open_application_per_loan(alice, today):
    loan = overdue_loan(alice, today=today)
    first = submit(loan)
    duplicate = ReliefApplication.objects.get(pk=first.pk)
    duplicate.pk = None
    with pytest.raises(IntegrityError):
        duplicate.save()


def test_unknown_reason_is_refused_naming_the_field(alice, today):
    loan = overdue_loan(alice, today=today)
    with pytest.raises(DomainError) as error:
        submit(loan, reason="bored")
    assert "reason" in error.value.fields


def test_triage_twice_changes_nothing_the_second_time(alice, today, reviewer):
    loan = overdue_loan(alice, today=today)
    application = submit(loan)
    events = ApplicationEvent.objects.count()
    notifications = Notification.objects.count()
    relief_application_triage(application_id=application.pk)
    assert ApplicationEvent.objects.count() == events
    assert Notification.objects.count() == notifications


def test_every_transition_writes_an_event_and_bumps_the_version(alice, today, reviewer):
    loan = overdue_loan(alice, today=today)
    application = submit(loan)
    version = application.version
    relief_application_request_info(
        application_id=application.pk, reviewer=reviewer, question="Hospital record?"
    )
    relief_application_answer(application_id=application.pk, user=alice.user, text="Attached.")
    application.refresh_from_db()
    assert application.version == version + 2
    steps = list(application.events.values_list("from_status", "to_status", "note"))
    assert steps[-2:] == [
        (S.IN_REVIEW, S.NEEDS_INFO, "Hospital record?"),
        (S.NEEDS_INFO, S.IN_REVIEW, "Attached."),
    ]


def test_borrower_can_withdraw_before_a_decision_but_not_after(alice, today, reviewer):
    loan = overdue_loan(alice, today=today)
    application = submit(loan)
    relief_application_withdraw(application_id=application.pk, user=alice.user)
    with pytest.raises(ConflictError) as error:
        relief_application_withdraw(application_id=application.pk, user=alice.user)
    assert error.value.code == "transition_not_allowed"


def test_accept_and_decline_need_an_open_offer(alice, today, reviewer):
    loan = overdue_loan(alice, today=today)
    application = submit(loan)
    with pytest.raises(ConflictError):
        relief_application_accept(application_id=application.pk, user=alice.user)
    relief_application_approve(application_id=application.pk, reviewer=reviewer, percent=80)
    relief_application_accept(application_id=application.pk, user=alice.user)
    with pytest.raises(ConflictError):
        relief_application_decline(application_id=application.pk, user=alice.user)


def test_a_stale_version_is_a_conflict_and_changes_nothing(alice, today, reviewer):
    loan = overdue_loan(alice, today=today)
    application = submit(loan)
    with pytest.raises(ConflictError) as error:
        relief_application_withdraw(
            application_id=application.pk, user=alice.user, version=application.version - 1
        )
    assert error.value.code == "stale_version"
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW


def test_answer_without_text_or_files_is_refused(alice, today, reviewer):
    loan = overdue_loan(alice, today=today)
    application = submit(loan)
    relief_application_request_info(application_id=application.pk, reviewer=reviewer, question="?")
    with pytest.raises(DomainError) as error:
        relief_application_answer(application_id=application.pk, user=alice.user, text="  ")
    assert "text" in error.value.fields


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_the_transition_table_refuses_every_move_from_a_terminal_state(action):
    sources, _ = TRANSITIONS[action]
    terminal = {S.REJECTED, S.WITHDRAWN, S.DECLINED, S.EXPIRED, S.FULFILLED}
    assert not terminal & set(sources)


def test_borrower_is_told_once_per_step_in_app_and_on_their_channel(alice, today, reviewer):
    loan = overdue_loan(alice, today=today)
    application = submit(loan)
    kinds = sorted(
        Notification.objects.filter(application=application).values_list("kind", "channel")
    )
    assert kinds == [
        ("in_review", "in_app"),
        ("in_review", "sms"),
        ("submitted", "in_app"),
        ("submitted", "sms"),
    ]


def test_notifications_are_written_in_the_borrowers_language(alice, today, reviewer):
    alice.language = "en"
    alice.save()
    loan = overdue_loan(alice, today=today)
    application = submit(loan)
    title = Notification.objects.get(
        application=application, kind="submitted", channel="in_app"
    ).title
    assert title == f"We received your application #{application.pk}"
