"""Decisions, four eyes, SLA escalation, offer expiry and waiver posting."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from core.errors import ConflictError, DomainError
from loans.models import Installment
from loans.services import penalties_accrue
from relief import selectors
from relief.models import ApplicationStatus, Notification
from relief.services import (
    offers_expire,
    relief_application_accept,
    relief_application_approve,
    relief_application_reject,
    relief_application_second_approve,
    relief_application_second_return,
    repayment_post,
    sla_escalate_breached,
)
from tests.factories import make_loan, overdue_loan, paid_history
from tests.relief.flows import submit

pytestmark = pytest.mark.django_db
D = Decimal
S = ApplicationStatus


def test_approval_fixes_the_amount_at_the_penalty_outstanding_now(alice, today, reviewer):
    paid_history(alice, today=today)
    application = submit(overdue_loan(alice, today=today, days=20))
    application = relief_application_approve(
        application_id=application.pk, reviewer=reviewer, percent=80
    )
    assert application.status == S.APPROVED
    assert application.decided_amount == D("21.28")
    assert application.offer_deadline == today + timedelta(days=15)
    assert selectors.repay_to_fulfil(application) == D("2005.32")


def test_bad_percent_is_refused_naming_the_field(alice, today, reviewer):
    application = submit(overdue_loan(alice, today=today))
    for percent in (-1, 101, "x", None, 12.5, True):
        with pytest.raises(DomainError) as error:
            relief_application_approve(
                application_id=application.pk, reviewer=reviewer, percent=percent
            )
        assert "percent" in error.value.fields


def test_borrower_cannot_decide_a_case(alice, today, reviewer):
    application = submit(overdue_loan(alice, today=today))
    with pytest.raises(DomainError) as error:
        relief_application_approve(application_id=application.pk, reviewer=alice.user, percent=80)
    assert error.value.status == 403


def test_reject_needs_a_reason_code(alice, today, reviewer):
    application = submit(overdue_loan(alice, today=today))
    with pytest.raises(DomainError) as error:
        relief_application_reject(application_id=application.pk, reviewer=reviewer, reason_code="")
    assert "reason_code" in error.value.fields
    application = relief_application_reject(
        application_id=application.pk,
        reviewer=reviewer,
        reason_code="ability_to_pay",
        note="Salary arrives monthly.",
    )
    assert application.status == S.REJECTED
    message = Notification.objects.get(application=application, kind="rejected", channel="in_app")
    assert "Salary arrives monthly." in message.body


def big_loan(borrower, today):
    # 2,000,000.00 overdue 100 days: penalty 1,333.33 a day → far above 5,000.00.
    return make_loan(
        borrower,
        schedule=[(today - timedelta(days=100), D("1900000.00"), D("100000.00"))],
    )


def test_large_relief_needs_a_second_approval_by_another_senior(alice, today, reviewer, senior):
    application = submit(big_loan(alice, today))
    application = relief_application_approve(
        application_id=application.pk, reviewer=reviewer, percent=application.suggested_percent
    )
    assert application.status == S.PENDING_SECOND_APPROVAL
    with pytest.raises(DomainError):
        relief_application_second_approve(application_id=application.pk, reviewer=reviewer)
    application = relief_application_second_approve(application_id=application.pk, reviewer=senior)
    assert application.status == S.APPROVED
    assert application.decided_by == senior
    assert application.first_approver == reviewer


def test_the_same_senior_can_never_give_both_approvals(alice, today, senior):
    application = submit(big_loan(alice, today))
    relief_application_approve(application_id=application.pk, reviewer=senior, percent=50)
    with pytest.raises(ConflictError) as error:
        relief_application_second_approve(application_id=application.pk, reviewer=senior)
    assert error.value.code == "same_approver"


def test_more_than_20_points_above_the_suggestion_needs_four_eyes(alice, today, reviewer, senior):
    paid_history(alice, today=today)
    application = submit(overdue_loan(alice, today=today), reason="other")  # 60% suggested
    assert application.suggested_percent == 60
    application = relief_application_approve(
        application_id=application.pk, reviewer=reviewer, percent=81
    )
    assert application.status == S.PENDING_SECOND_APPROVAL
    application = relief_application_second_return(
        application_id=application.pk, reviewer=senior, note="Stay within policy."
    )
    assert application.status == S.IN_REVIEW
    application = relief_application_approve(
        application_id=application.pk, reviewer=reviewer, percent=80
    )
    assert application.status == S.APPROVED


def test_waiver_posts_exactly_when_the_rest_is_repaid_in_time(alice, today, reviewer):
    loan = overdue_loan(alice, today=today, days=20)
    application = submit(loan)
    relief_application_approve(application_id=application.pk, reviewer=reviewer, percent=80)
    relief_application_accept(application_id=application.pk, user=alice.user)
    repayment = repayment_post(loan=loan, amount=D("2005.32"), paid_on=today, reference="R1")
    application.refresh_from_db()
    assert application.status == S.FULFILLED
    assert application.waived_amount == D("21.28")
    assert repayment.waiver_posted == D("21.28")
    installment = loan.installments.get(seq=1)
    assert installment.penalty_waived == D("21.28")
    assert installment.penalty_paid == D("5.32")
    assert installment.penalty_outstanding == 0
    assert installment.paid_off_on == today


def test_a_smaller_repayment_is_allocated_normally_and_posts_no_waiver(alice, today, reviewer):
    loan = overdue_loan(alice, today=today, days=20)
    application = submit(loan)
    relief_application_approve(application_id=application.pk, reviewer=reviewer, percent=80)
    repayment_post(loan=loan, amount=D("2005.31"), paid_on=today, reference="R1")
    application.refresh_from_db()
    assert application.status == S.APPROVED
    assert loan.installments.get(seq=1).penalty_paid == D("26.60")


def test_a_repayment_one_day_after_the_deadline_posts_no_waiver(alice, today, reviewer):
    loan = overdue_loan(alice, today=today, days=20)
    application = submit(loan)
    relief_application_approve(application_id=application.pk, reviewer=reviewer, percent=80)
    deadline = today + timedelta(days=15)
    with time_machine.travel(timezone.now() + timedelta(days=16), tick=False):
        penalties_accrue(day=deadline + timedelta(days=1))
        repayment_post(
            loan=loan, amount=D("3000.00"), paid_on=deadline + timedelta(days=1), reference="R1"
        )
    application.refresh_from_db()
    assert application.status == S.APPROVED
    assert Installment.objects.get(loan=loan, seq=1).penalty_waived == 0


def test_offers_past_their_deadline_expire_once(alice, today, reviewer):
    application = submit(overdue_loan(alice, today=today))
    relief_application_approve(application_id=application.pk, reviewer=reviewer, percent=80)
    assert offers_expire(today=today + timedelta(days=15)) == 0
    assert offers_expire(today=today + timedelta(days=16)) == 1
    assert offers_expire(today=today + timedelta(days=17)) == 0
    application.refresh_from_db()
    assert application.status == S.EXPIRED
    assert Notification.objects.filter(application=application, kind="expired").count() == 2


def test_breached_sla_escalates_once_and_tells_senior_reviewers(alice, today, reviewer, senior):
    application = submit(overdue_loan(alice, today=today))
    priority = application.priority
    assert sla_escalate_breached() == 0
    later = timezone.now() + timedelta(hours=49)
    assert sla_escalate_breached(now=later) == 1
    assert sla_escalate_breached(now=later + timedelta(hours=1)) == 0
    application.refresh_from_db()
    assert application.priority == priority + 1000
    assert application.events.last().note == "decision time passed: escalated"
    told = Notification.objects.filter(kind="sla_breached", channel="in_app")
    assert list(told.values_list("recipient__username", flat=True)) == ["senior"]
