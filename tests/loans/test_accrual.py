"""Penalty accrual through the set-based job, the selectors' projection and repayments."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command

from loans import selectors
from loans.models import Installment
from loans.services import penalties_accrue, repayment_record
from tests.factories import overdue_loan

pytestmark = pytest.mark.django_db
D = Decimal


def first(loan) -> Installment:
    return loan.installments.get(seq=1)


def test_worked_example_accrues_26_60_after_twenty_days(alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    penalties_accrue(day=today)
    installment = first(loan)
    assert installment.penalty_accrued == D("26.60")
    assert installment.accrued_through == today


def test_running_the_accrual_twice_for_one_day_changes_nothing(alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    assert penalties_accrue(day=today) == 1
    assert penalties_accrue(day=today) == 0
    assert first(loan).penalty_accrued == D("26.60")


def test_daily_runs_add_up_to_one_run(alice, bob, today):
    daily = overdue_loan(alice, today=today, days=20)
    for offset in range(19, -1, -1):
        penalties_accrue(day=today - timedelta(days=offset))
    once = overdue_loan(bob, today=today, days=20)
    penalties_accrue(day=today)
    assert first(daily).penalty_accrued == first(once).penalty_accrued == D("26.60")


def test_installment_within_grace_days_accrues_nothing_yet(alice, today):
    loan = overdue_loan(alice, today=today, days=3)
    assert penalties_accrue(day=today) == 0
    state = selectors.loan_state(loan, today=today)
    assert state.penalty_outstanding == 0
    assert state.dpd == 3


def test_paid_on_the_last_grace_day_costs_no_penalty(alice, today):
    loan = overdue_loan(alice, today=today, days=3)
    repayment_record(loan=loan, amount=D("2000.00"), paid_on=today, reference="r1")
    penalties_accrue(day=today)
    installment = first(loan)
    assert installment.penalty_accrued == 0
    assert installment.paid_off_on == today


def test_paid_a_day_after_grace_costs_penalty_from_the_day_after_due(alice, today):
    loan = overdue_loan(alice, today=today, days=4)
    # Four days of 1.33: the penalty is paid first, so 2,005.32 clears the installment.
    repayment_record(loan=loan, amount=D("2005.32"), paid_on=today, reference="r1")
    installment = first(loan)
    assert installment.penalty_accrued == D("5.32")
    assert installment.penalty_paid == D("5.32")
    assert installment.paid_off_on == today


def test_partial_repayment_mid_accrual_lowers_the_daily_penalty_from_that_day(alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    # Ten days after the due date 13.30 has accrued; 1,013.30 pays it and 1,000.00 more.
    repayment_record(
        loan=loan, amount=D("1013.30"), paid_on=today - timedelta(days=10), reference="r1"
    )
    penalties_accrue(day=today)
    installment = first(loan)
    assert installment.base_outstanding == D("1000.00")
    assert installment.daily_penalty == D("0.67")
    assert installment.penalty_accrued == D("13.30") + D("0.67") * 10
    assert installment.penalty_outstanding == D("6.70")


def test_repayment_dated_before_the_last_accrual_recounts_later_days_on_the_new_base(alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    penalties_accrue(day=today)  # accrued through today on the full base
    repayment_record(
        loan=loan, amount=D("1013.30"), paid_on=today - timedelta(days=10), reference="r1"
    )
    installment = first(loan)
    assert installment.accrued_through == today
    assert installment.penalty_accrued == D("13.30") + D("6.70")
    penalties_accrue(day=today)
    assert first(loan).penalty_accrued == D("20.00")


def test_borrower_sees_todays_penalty_before_the_job_runs(alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    state = selectors.loan_state(loan, today=today)
    assert state.penalty_outstanding == D("26.60")
    assert state.overdue_amount == D("2000.00")
    assert (state.dpd, state.bucket) == (20, "M1")


def test_written_off_loans_stop_accruing(alice, today):
    loan = overdue_loan(alice, today=today, days=20, status="written_off")
    assert penalties_accrue(day=today) == 0
    assert first(loan).penalty_accrued == 0


def test_accrue_penalties_command_takes_a_date(alice, today, capsys):
    loan = overdue_loan(alice, today=today, days=20)
    call_command("accrue_penalties", "--date", (today - timedelta(days=10)).isoformat())
    assert first(loan).penalty_accrued == D("13.30")
    assert "1 installments updated" in capsys.readouterr().out


def test_accrue_penalties_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("accrue_penalties", "--date", "23/11/2026")


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(1, "M1"), (30, "M1"), (31, "M2"), (60, "M2"), (61, "M3"), (90, "M3"), (91, "M4+")],
)
def test_loan_bucket_follows_the_oldest_unpaid_installment(alice, today, days, bucket):
    loan = overdue_loan(alice, today=today, days=days)
    state = selectors.loan_state(loan, today=today)
    assert (state.dpd, state.bucket) == (days, bucket)
