"""seed_demo's repayment arrangements: alice's loan that a plan helps, and the demo borrowers'
plans kept, completed and broken and a deferral just started, told through the services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from loans import selectors
from loans.models import Arrangement, Installment, Loan, Repayment
from relief.arrangement_selectors import loan_options
from relief.models import ReliefApplication

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--borrowers", "0")


def arrangement_of(external_id: str) -> Arrangement:
    return Arrangement.objects.select_related("application").get(loan__external_id=external_id)


def plan_installments(arrangement: Arrangement) -> list[Installment]:
    return list(arrangement.installments.filter(kind="plan").order_by("due_date", "seq"))


def test_alice_has_an_overdue_loan_that_only_a_plan_helps_at_her_income(seeded, today):
    loan = Loan.objects.get(external_id="L-ALICE-3")
    state = selectors.loan_state(loan)
    assert state.dpd == 50 and state.overdue_amount == Decimal("2360.00")
    options = loan_options(loan, reason="income_drop", monthly_income=Decimal("3000"))
    affordable = [(o["kind"], o["periods"]) for o in options.quote["options"] if o["affordable"]]
    assert affordable and all(kind == "plan" for kind, _ in affordable)
    assert min(periods for _, periods in affordable) == 12
    # Her worked example is as it was: 86% on time, 26.60 of penalty on L-ALICE-1.
    alice = loan.borrower
    assert selectors.borrower_history(alice).on_time_ratio == Decimal("0.8571")
    first = selectors.loan_state(Loan.objects.get(external_id="L-ALICE-1"))
    assert first.penalty_outstanding == Decimal("26.60")


def test_graces_plan_is_kept_every_payment_due_so_far_paid_on_time(seeded, today):
    arrangement = arrangement_of("L-GRACE-1")
    assert (arrangement.kind, arrangement.periods, arrangement.status) == ("plan", 6, "active")
    assert arrangement.started_on < today - timedelta(days=55)
    assert arrangement.application.waived_amount > 0  # relief was asked with it
    due = [i for i in plan_installments(arrangement) if i.due_date <= today]
    assert due and all(i.paid_off_on == i.due_date for i in due)
    assert selectors.loan_state(arrangement.loan).dpd == 0


def test_daves_plan_is_completed(seeded, today):
    arrangement = arrangement_of("L-DAVE-1")
    assert (arrangement.periods, arrangement.status) == (3, "completed")
    last = plan_installments(arrangement)[-1]
    assert arrangement.completed_on == last.paid_off_on == last.due_date <= today
    assert not arrangement.application.asks_relief
    # No person was needed: a plan of 3 within the limits is approved by triage.
    assert arrangement.application.decided_by is None


def test_erins_plan_broke_30_days_after_the_payment_she_missed(seeded, today):
    arrangement = arrangement_of("L-ERIN-1")
    assert arrangement.status == "broken"
    first, second, *rest = plan_installments(arrangement)
    assert first.paid_off_on == first.due_date
    assert arrangement.broken_on == second.due_date + timedelta(days=30) <= today
    # What was left fell due when it broke, and penalty runs on it.
    assert all(i.due_date == arrangement.broken_on and i.paid_off_on is None for i in rest)
    assert selectors.loan_state(arrangement.loan).penalty_outstanding > 0


def test_franks_deferral_started_today(seeded, today):
    arrangement = arrangement_of("L-FRANK-1")
    assert (arrangement.kind, arrangement.months, arrangement.status) == ("deferral", 1, "active")
    assert arrangement.started_on == today
    assert arrangement.first_due_date > today


def test_every_story_went_through_an_accepted_application(seeded):
    applications = ReliefApplication.objects.filter(arrangement__isnull=False)
    assert applications.count() == 4
    assert set(applications.values_list("status", flat=True)) == {"fulfilled"}
    assert set(applications.values_list("arrangement__status", flat=True)) == {
        "active",
        "completed",
        "broken",
    }


def test_seed_demo_twice_tells_no_story_again(seeded):
    counts = (
        Arrangement.objects.count(),
        ReliefApplication.objects.count(),
        Repayment.objects.count(),
        Installment.objects.count(),
    )
    call_command("seed_demo", "--borrowers", "0")
    assert (
        Arrangement.objects.count(),
        ReliefApplication.objects.count(),
        Repayment.objects.count(),
        Installment.objects.count(),
    ) == counts
