"""Two repayments on a loan with a plan, at the same moment: both lock the loan's rows, one
after the other, so neither is lost and the plan's installments are paid oldest first; one
that pays the plan off completes it once."""

from decimal import Decimal

import pytest
from django.conf import settings

from loans.models import Arrangement
from loans.selectors import local_today
from relief.models import Notification
from relief.services import repayment_post
from tests.factories import BorrowerFactory, UserFactory
from tests.relief.arrangement_flows import (
    accepted,
    apply,
    approved,
    both_overdue_loan,
    owed,
    plan,
    plan_installments,
)
from tests.support import run_at_once

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
        reason="row locks need PostgreSQL",
    ),
]


@pytest.fixture
def loan_on_a_plan(policy_v1):
    UserFactory(username="arrangement-reviewer", is_staff=True, groups=["Reviewer"])
    borrower = BorrowerFactory()
    loan = both_overdue_loan(borrower, today=local_today())
    application = accepted(approved(apply(loan, arrangement=plan(3), relief=False)))
    return loan, application


@pytest.mark.parametrize("attempt", range(3))
def test_two_repayments_at_once_on_a_plan_lose_nothing(loan_on_a_plan, attempt):
    loan, _application = loan_on_a_plan
    today = local_today()
    first, second, third = plan_installments(loan)
    before = owed(loan)

    outcomes = run_at_once(
        lambda: repayment_post(
            loan=loan, amount=Decimal("700.00"), paid_on=today, reference=f"A-{attempt}"
        ),
        lambda: repayment_post(
            loan=loan, amount=Decimal("900.00"), paid_on=today, reference=f"B-{attempt}"
        ),
    )

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert owed(loan) == before - Decimal("1600.00")
    paid = [i.principal_paid + i.interest_paid + i.penalty_paid for i in plan_installments(loan)]
    assert sum(paid) == Decimal("1600.00")
    # Oldest first: the first plan installment is paid before the second gets anything.
    amounts = [i.principal_due + i.interest_due + i.penalty_accrued for i in (first, second)]
    assert paid[0] == min(amounts[0], Decimal("1600.00"))
    assert paid[1] == Decimal("1600.00") - paid[0]
    assert paid[2] == 0


def test_two_repayments_at_once_that_pay_the_plan_off_complete_it_once(loan_on_a_plan):
    loan, application = loan_on_a_plan
    today = local_today()
    total = owed(loan)
    half = (total / 2).quantize(Decimal("0.01"))

    outcomes = run_at_once(
        lambda: repayment_post(loan=loan, amount=half, paid_on=today, reference="HALF-1"),
        lambda: repayment_post(loan=loan, amount=total - half, paid_on=today, reference="HALF-2"),
    )

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert owed(loan) == 0
    arrangement = Arrangement.objects.get(pk=application.arrangement_id)
    assert arrangement.status == "completed"
    assert Notification.objects.filter(kind="arrangement_completed", channel="in_app").count() == 1
