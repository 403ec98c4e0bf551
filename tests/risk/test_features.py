"""The features of a loan as of a day: read in SQL from what was known on that day only."""

from datetime import timedelta
from decimal import Decimal

import pytest

from loans.models import Loan
from risk.features import features_as_of
from tests.factories import BorrowerFactory, make_loan
from tests.risk.helpers import (
    PRINCIPAL,
    granted_application,
    installment_paid,
    loan_with_history,
    repayment,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(today):
    """The scoring day, in the past: what happened after it must not count."""
    return today - timedelta(days=60)


@pytest.fixture
def history(alice, day):
    """Alice's loan as of `day`: six installments paid (two of them after their grace days,
    10 and 20 days late), one 5 days past due and paid only after the day, the next due in
    10 days; a repayment 3 days before the day that did not clear the overdue one; a relief
    approved 100 days before."""
    loan = loan_with_history(
        alice,
        due_dates=[
            day + timedelta(days=offset) for offset in (-180, -150, -120, -90, -60, -30, -5, 10, 40)
        ],
        paid_on={
            1: day - timedelta(days=180),
            2: day - timedelta(days=140),  # 10 days late
            3: day - timedelta(days=120),
            4: day - timedelta(days=88),  # 2 days late: within the grace days
            5: day - timedelta(days=40),  # 20 days late
            6: day - timedelta(days=30),
            7: day + timedelta(days=3),  # paid after the day: unpaid as of it
        },
        disbursed_on=day - timedelta(days=210),
    )
    repayment(loan, day - timedelta(days=3))
    granted_application(loan, day - timedelta(days=100))
    return loan


def features_of(loan: Loan, day):
    return {item.loan_id: item.features for item in features_as_of(day)}[loan.pk]


def test_features_count_what_was_known_on_the_day(history, day):
    features = features_of(history, day)
    assert features.on_time_ratio_24m == Decimal("0.6666")  # 4 of the 6 paid by then
    assert features.late_payments_6m == 3  # 10 and 20 days late, and the one overdue
    assert features.max_dpd_12m == 20
    assert features.partial_payments_last_3 == 1
    assert features.current_dpd == 5
    assert features.installment_to_usual == Decimal("1.0000")
    assert features.prior_help_12m == 1
    assert features.months_on_book == 6


def test_nothing_written_after_the_day_changes_the_features(history, alice, day, today):
    before = features_of(history, day)
    after_day = day + timedelta(days=1)
    # Everything that happened since: the overdue installment paid late, more repayments, a
    # relief approved, a new loan with installments falling due and one paid late.
    for installment in history.installments.filter(paid_off_on__isnull=True):
        installment_paid(installment, today)
    repayment(history, after_day)
    repayment(history, today)
    granted_application(history, after_day)
    later = make_loan(
        alice,
        schedule=[(after_day + timedelta(days=5), PRINCIPAL, Decimal("9.00"))],
        disbursed_on=after_day,
    )
    installment_paid(later.installments.get(), today)
    assert features_of(history, day) == before


def test_a_borrower_new_on_the_day_has_a_perfect_ratio_and_no_usual_repayment(bob, day):
    loan = loan_with_history(bob, due_dates=[day + timedelta(days=12)], paid_on={})
    features = features_of(loan, day)
    assert features.on_time_ratio_24m == Decimal(1)
    assert features.installment_to_usual is None
    assert (features.current_dpd, features.late_payments_6m, features.months_on_book) == (0, 0, 0)


def test_only_eligible_loans_are_scored(day):
    def loan_due(offsets, paid=None):
        return loan_with_history(
            BorrowerFactory(),
            due_dates=[day + timedelta(days=offset) for offset in offsets],
            paid_on=paid or {},
        )

    current = loan_due([20])  # nothing due for 20 days, not late: DPD 0 ≤ 30
    late_30 = loan_due([-30])
    late_31 = loan_due([-31])
    late_31_due_soon = loan_due([-31, 15])
    paid_off = loan_due([-10], paid={1: day - timedelta(days=10)})
    written_off = loan_due([-5])
    Loan.objects.filter(pk=written_off.pk).update(status=Loan.Status.WRITTEN_OFF)
    not_disbursed = loan_with_history(
        BorrowerFactory(),
        due_dates=[day + timedelta(days=30)],
        paid_on={},
        disbursed_on=day + timedelta(days=1),
    )
    scored = {item.loan_id for item in features_as_of(day)}
    assert scored == {current.pk, late_30.pk, late_31_due_soon.pk}
    assert not scored & {late_31.pk, paid_off.pk, written_off.pk, not_disbursed.pk}
