"""A repayment arrangement on the borrower's pages: the offer (and another option than the one
asked for), the plan's schedule and progress, a deferral's new dates, a broken or completed
plan; the loan page's plan installments and restructured mark."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from loans.models import Installment
from relief.services import repayment_post
from relief.services.arrangements import arrangements_nightly
from tests.factories import overdue_loan, paid_history
from tests.relief.arrangement_flows import (
    accepted,
    apply,
    approved,
    both_overdue_loan,
    deferral,
    plan,
    plan_installments,
)

pytestmark = pytest.mark.django_db
D = Decimal


def page(client, application) -> str:
    return client.get(reverse("application-detail", args=[application.pk])).content.decode()


def schedule_rows(body: str) -> list[list[str]]:
    """The cells of the arrangement's schedule, row by row, as text."""
    table = re.search(r'<table class="stack schedule">.*?</table>', body, re.S).group(0)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


@pytest.fixture
def worked_example(alice, today):
    """§9's example: 80% relief (21.28) and a 6-period plan of 334.22."""
    paid_history(alice, today=today)
    return overdue_loan(alice, today=today, days=20)


def test_the_offer_says_what_accepting_starts_and_what_is_waived(alice_client, worked_example):
    application = approved(apply(worked_example, arrangement=plan(6)), percent=80)
    body = page(alice_client, application)
    assert "¥21.28 of the penalty is waived as soon as you accept." in body
    assert "A plan of 6 monthly installments" in body
    assert "6 monthly payments of ¥334.22" in body and "¥2,005.32 in total" in body
    assert "Accepting starts the plan that day" in body
    assert "What your credit record (征信) will show" in body
    assert "Accept the offer" in body
    # Not the relief-only offer's terms: nothing is left to repay by a deadline first.
    assert "Still to repay" not in body
    assert 'data-testid="other-option"' not in body


def test_another_option_approved_is_made_clear_and_she_may_accept_or_decline(
    alice_client, worked_example
):
    application = approved(
        apply(worked_example, arrangement=plan(6)), percent=80, arrangement=plan(12)
    )
    body = page(alice_client, application)
    assert 'data-testid="other-option"' in body, "the other option is not pointed out"
    other = body.split('data-testid="other-option"')[1].split('data-testid="offer-percent"')[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", other))
    assert "The reviewer approved another option than the one you asked for." in text
    assert "You asked for" in text and "A plan of 6 monthly installments" in text
    assert "Approved" in text and "A plan of 12 monthly installments" in text
    assert "accept it and it starts at once; decline it and nothing changes on your loan" in text
    assert "12 monthly payments of ¥167.11" in body
    assert "Decline the offer" in body
    assert "Nothing changes on your loan: the penalty and the schedule stay as they are." in body


def test_accepting_starts_the_plan_and_the_page_shows_its_schedule(
    alice_client, worked_example, today
):
    application = approved(apply(worked_example, arrangement=plan(6)), percent=80)
    response = alice_client.post(
        reverse("application-action", args=[application.pk, "accept"]),
        {"version": application.version},
        follow=True,
    )
    body = response.content.decode()
    assert "your repayment arrangement has started" in body
    assert "Accepted: arrangement started" in body
    assert "¥21.28 of penalty was waived when you accepted." in body
    rows = schedule_rows(body)
    dates = [i.due_date.isoformat() for i in plan_installments(worked_example)]
    assert [row[1] for row in rows] == dates
    assert [row[2] for row in rows] == ["¥334.22"] * 6
    assert {row[4] for row in rows} == {"Not yet due"}
    assert "0 of 6" in body and "¥2,005.32" in body
    assert f"Next payment: ¥334.22 by {dates[0]}." in body
    assert "Your loan is marked restructured until" in body
    assert "Your repayment arrangement started. ¥21.28 of penalty was waived." in body


def test_the_schedule_shows_each_payment_paid_unpaid_or_overdue(alice_client, alice, today):
    loan = both_overdue_loan(alice, today=today)
    application = accepted(approved(apply(loan, arrangement=plan(6), relief=False)))
    first, second, *_ = plan_installments(loan)
    amount = first.principal_due + first.interest_due + first.penalty_accrued
    repayment_post(loan=loan, amount=amount, paid_on=today, reference="PLAN-1")
    # The second payment's date moved to yesterday: unpaid past its date.
    Installment.objects.filter(pk=second.pk).update(due_date=today - timedelta(days=1))

    body = page(alice_client, application)
    statuses = [row[4] for row in schedule_rows(body)]
    assert statuses[:2] == ["Overdue", "Paid"] or statuses[:2] == ["Paid", "Overdue"]
    assert statuses.count("Paid") == 1 and statuses.count("Overdue") == 1
    assert "1 of 6" in body
    assert f"¥{amount:,.2f}" in body  # paid so far


def test_a_deferral_shows_each_installments_old_and_new_date(alice_client, worked_example):
    application = accepted(approved(apply(worked_example, arrangement=deferral(2), relief=False)))
    body = page(alice_client, application)
    assert "The new due dates" in body
    rows = schedule_rows(body)
    moved = worked_example.installments.order_by("seq")
    assert len(rows) == 2
    for row, installment in zip(rows, moved, strict=True):
        before = installment.movements.get(kind="rescheduled").due_date_before
        assert (row[1], row[2]) == (before.isoformat(), installment.due_date.isoformat())


def test_a_broken_plan_says_it_ended_and_what_is_due(alice_client, alice, today):
    loan = both_overdue_loan(alice, today=today)
    application = accepted(approved(apply(loan, arrangement=plan(6), relief=False)))
    first = plan_installments(loan)[0]
    arrangements_nightly(today=first.due_date + timedelta(days=30))

    body = page(alice_client, application)
    broken_on = (first.due_date + timedelta(days=30)).isoformat()
    assert f"The arrangement ended on {broken_on}" in body
    assert "Repayment arrangement: Broken" in body  # on the timeline


def test_the_loan_page_marks_plan_installments_and_the_restructured_mark(
    alice_client, alice, today
):
    loan = both_overdue_loan(alice, today=today)
    application = accepted(approved(apply(loan, arrangement=plan(6), relief=False)))
    arrangement = application.arrangement

    body = alice_client.get(reverse("loan-detail", args=[loan.pk])).content.decode()
    assert body.count('<span class="badge plan">Plan</span>') == 6
    assert "(¥2,000.00 moved into the plan)" in body
    assert (
        "A repayment arrangement changed this loan's schedule: it is under observation until "
        f"{arrangement.observation_ends_on.isoformat()}."
    ) in body
    assert "0 of 6 payments made" in body
    assert reverse("application-detail", args=[application.pk]) in body


def test_a_loan_never_arranged_has_no_restructured_mark(alice_client, worked_example):
    body = alice_client.get(reverse("loan-detail", args=[worked_example.pk])).content.decode()
    assert 'data-testid="restructured"' not in body
    assert 'class="badge plan"' not in body
