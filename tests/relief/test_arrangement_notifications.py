"""What the borrower is told of her arrangement, in her language: started, a plan
installment due soon, broken, completed."""

from datetime import timedelta
from decimal import Decimal

import pytest

from relief.models import Notification
from relief.services.arrangements import arrangements_nightly
from relief.services.reminders import installment_reminders_send
from tests.factories import overdue_loan
from tests.relief.arrangement_flows import (
    accepted,
    apply,
    approved,
    both_overdue_loan,
    plan,
    plan_installments,
)

pytestmark = pytest.mark.django_db


def told(kind: str) -> Notification:
    return Notification.objects.get(kind=kind, channel="in_app")


def test_the_start_of_a_plan_says_what_to_pay_each_month_in_both_languages(alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    application = accepted(approved(apply(loan, arrangement=plan(6)), percent=80))

    message = told("arrangement_started")
    first = application.arrangement.first_due_date.isoformat()
    english = message.texts["en"]
    assert english["title"] == f"Your instalment plan has started (application #{application.pk})"
    assert english["body"] == (
        f"Pay ¥334.22 a month, 6 times, from {first}: ¥2,005.32 in total. No penalty is "
        "charged while you keep to the plan. ¥21.28 of penalty has been waived."
    )
    chinese = message.texts["zh-hans"]
    assert "分期" in chinese["title"] and "334.22" in chinese["body"]
    assert message.title == chinese["title"]  # alice reads Chinese


def test_a_plan_installment_due_in_three_days_is_a_reminder_of_the_plan(alice, today):
    loan = both_overdue_loan(alice, today=today)
    accepted(approved(apply(loan, arrangement=plan(6), relief=False)))
    first = plan_installments(loan)[0]

    assert installment_reminders_send(today=first.due_date - timedelta(days=3)) == 1

    english = told("arrangement_installment_due").texts["en"]
    amount = first.principal_due + first.interest_due + first.penalty_accrued
    assert english["title"] == f"A plan installment falls due on {first.due_date.isoformat()}"
    assert f"¥{amount:,.2f} of your instalment plan is due" in english["body"]


def test_a_broken_plan_and_a_completed_one_are_told(alice, bob, today):
    from relief.services import repayment_post

    loan = both_overdue_loan(alice, today=today)
    accepted(approved(apply(loan, arrangement=plan(6), relief=False)))
    broken_on = plan_installments(loan)[0].due_date + timedelta(days=30)
    arrangements_nightly(today=broken_on)

    english = told("arrangement_broken").texts["en"]
    assert "unpaid 30 days" in english["body"] and broken_on.isoformat() in english["body"]

    other = both_overdue_loan(bob, today=today)
    accepted(approved(apply(other, arrangement=plan(3), relief=False)))
    owed = sum(
        (i.base_outstanding + i.penalty_outstanding for i in plan_installments(other)),
        Decimal("0.00"),
    )
    repayment_post(loan=other, amount=owed, paid_on=today, reference="BOB-ALL")
    english = told("arrangement_completed").texts["en"]
    assert "paid every installment of your plan" in english["body"]


def test_the_offer_and_its_expiry_speak_of_the_arrangement(alice, today):
    from relief.services import offers_expire

    loan = overdue_loan(alice, today=today, days=20)
    application = approved(apply(loan, arrangement=plan(6)), percent=80)

    english = told("approved").texts["en"]
    offer, question = english["body"].splitlines()
    assert offer == (
        "We offer you an instalment plan of 6 monthly payments of ¥334.22. We will also waive "
        f"80% of your penalty (¥21.28). Accept it by {application.offer_deadline.isoformat()} "
        "and it starts at once."
    )
    assert question.startswith("How satisfied are you with how your request was handled?")
    assert question.endswith(f"/applications/{application.pk}/#satisfaction")
    assert told("submitted").texts["en"]["body"].startswith("Your estimate is 90%")
    chinese = told("approved").texts["zh-hans"]["body"]
    assert "6 期的个性化分期，每月还款 ¥334.22" in chinese
    assert "减免您 80% 的罚息（¥21.28）" in chinese

    offers_expire(today=application.offer_deadline + timedelta(days=1))

    assert told("expired").texts["en"]["body"] == (
        "The offer was not accepted by the deadline. You can apply again."
    )
    application.arrangement.refresh_from_db()
    assert application.arrangement.status == "cancelled"


def test_an_arrangement_only_application_is_acknowledged_as_such(alice, today):
    loan = both_overdue_loan(alice, today=today)

    apply(loan, arrangement=plan(24), relief=False)

    assert told("submitted").texts["en"]["body"] == (
        "We will tell you as soon as your request for a repayment arrangement is decided."
    )
