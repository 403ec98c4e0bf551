"""A loan's state once a plan has started: the penalty that moved into the plan is owed once,
on the plan installment, not again on the installment it left."""

from decimal import Decimal as D

import pytest

from loans.models import Loan
from loans.selectors import loan_state
from tests.relief.arrangement_flows import accepted, apply, approved, both_overdue_loan, owed, plan

pytestmark = pytest.mark.django_db


def test_the_penalty_moved_into_a_plan_is_counted_once_on_the_loan(alice, today):
    loan = both_overdue_loan(alice, today=today)
    accepted(approved(apply(loan, arrangement=plan(6), relief=False)))

    state = loan_state(Loan.objects.prefetch_related("installments").get(pk=loan.pk), today=today)
    plan_penalty = sum(
        (r.installment.penalty_accrued for r in state.installments if r.installment.kind == "plan"),
        D("0.00"),
    )
    assert plan_penalty > 0
    assert state.penalty_outstanding == plan_penalty
    scheduled = [r for r in state.installments if r.installment.kind == "scheduled"]
    assert all(r.penalty_outstanding == 0 for r in scheduled)
    assert state.overdue_amount + state.penalty_outstanding <= owed(loan)
