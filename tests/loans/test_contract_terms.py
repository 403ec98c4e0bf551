"""A loan's penalty rate and day count: kept exactly as the contract says (domain.md §2–§3)."""

import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps

from loans.models import DayCountBasis, Installment, LoanProduct
from loans.services import repayment_record
from tests.factories import make_loan, overdue_loan, product

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def odd_rate_product(db):
    """A rate whose penalty rate has 12 places: 0.007557 × 1.400619 = 0.010584477783."""
    odd = product("CASH18")
    odd.annual_rate = D("0.007557")
    odd.penalty_markup = D("0.400619")
    odd.save()
    return odd


def test_large_balance_daily_penalty_is_the_same_at_creation_and_after_a_repayment(
    alice, today, odd_rate_product
):
    # 915,128.38 × 0.010584477783 / 360 = 26.9060… → 26.91; the rate rounded to 0.010584
    # would give 26.9048… → 26.90.
    loan = make_loan(alice, schedule=[(today - timedelta(days=10), D("915128.38"), D("0.00"))])
    installment = loan.installments.get(seq=1)
    assert installment.daily_penalty == D("26.91")

    # 10 days × 26.91 accrued; 100.00 pays penalty only, so the base stays 915,128.38.
    repayment_record(loan=loan, amount=D("100.00"), paid_on=today, reference="r1")

    installment.refresh_from_db()
    assert installment.penalty_paid == D("100.00")
    assert installment.base_outstanding == D("915128.38")
    assert installment.daily_penalty == D("26.91")
    loan.refresh_from_db()
    assert loan.penalty_rate == D("0.010584477783")


@pytest.mark.parametrize(
    ("basis", "daily", "twenty_days"),
    [
        # domain.md §8: 2,000.00 × 0.24 / 360 = 1.333… → 1.33 a day, 26.60 over 20 days.
        (DayCountBasis.ACTUAL_360, D("1.33"), D("26.60")),
        # The same on a 365-day year: 2,000.00 × 0.24 / 365 = 1.315… → 1.32, 26.40.
        (DayCountBasis.ACTUAL_365, D("1.32"), D("26.40")),
    ],
)
def test_worked_example_on_each_day_count_basis(alice, today, basis, daily, twenty_days):
    product("CASH18")
    LoanProduct.objects.filter(code="CASH18").update(day_count_basis=basis)
    loan = overdue_loan(alice, today=today, days=20)
    assert loan.day_count_basis == basis

    # A repayment brings the accrual to its date on the loan's own basis.
    repayment_record(loan=loan, amount=D("0.01"), paid_on=today, reference="r1")
    installment = loan.installments.get(seq=1)
    assert installment.daily_penalty == daily
    assert installment.penalty_accrued == twenty_days


def test_a_product_change_of_basis_does_not_reprice_an_existing_loan(alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    LoanProduct.objects.filter(pk=loan.product_id).update(day_count_basis=365)

    repayment_record(loan=loan, amount=D("0.01"), paid_on=today, reference="r1")

    loan.refresh_from_db()
    assert loan.day_count_basis == 360
    assert loan.installments.get(seq=1).daily_penalty == D("1.33")


def migration_step(name):
    module = importlib.import_module("loans.migrations.0003_exact_penalty_rate_day_count_basis")
    return getattr(module, name)


def test_migration_gives_loans_their_exact_rate_and_recomputes_unpaid_daily_penalty(
    alice, today, odd_rate_product
):
    loan = make_loan(
        alice,
        schedule=[
            (today - timedelta(days=40), D("1000.00"), D("0.00")),
            (today - timedelta(days=10), D("915128.38"), D("0.00")),
        ],
    )
    first, second = loan.installments.order_by("seq")
    # As a database before the migration holds it: the rate to 6 places, and daily penalties
    # computed on it; the first installment is paid off.
    type(loan).objects.filter(pk=loan.pk).update(penalty_rate=D("0.010584"))
    Installment.objects.filter(pk=first.pk).update(
        principal_paid=D("1000.00"), paid_off_on=today, daily_penalty=D("0.00")
    )
    Installment.objects.filter(pk=second.pk).update(daily_penalty=D("26.90"))

    migration_step("loans_exact_penalty_rate")(apps, None)

    loan.refresh_from_db()
    assert loan.penalty_rate == D("0.010584477783")
    assert loan.installments.get(seq=2).daily_penalty == D("26.91")
    assert loan.installments.get(seq=1).daily_penalty == D("0.00")


def test_migration_keeps_the_rate_of_a_loan_whose_product_changed_since(alice, today):
    loan = overdue_loan(alice, today=today, days=20)  # 24% capped
    LoanProduct.objects.filter(pk=loan.product_id).update(penalty_rate_cap=D("0.2"))

    migration_step("loans_exact_penalty_rate")(apps, None)

    loan.refresh_from_db()
    assert loan.penalty_rate == D("0.24")
    assert loan.installments.get(seq=1).daily_penalty == D("1.33")


def test_migration_counts_products_with_an_unknown_basis_on_360(odd_rate_product):
    # The check constraint forbids such a product now; the step runs before it exists.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE loans_loanproduct DROP CONSTRAINT loanproduct_day_count_basis_known"
        )
    LoanProduct.objects.filter(pk=odd_rate_product.pk).update(day_count_basis=366)

    migration_step("products_basis_as_applied")(apps, None)

    odd_rate_product.refresh_from_db()
    assert odd_rate_product.day_count_basis == 360
