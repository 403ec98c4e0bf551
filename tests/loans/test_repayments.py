"""Recording repayments: allocation, idempotency, bad input, concurrency."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from core.errors import ConflictError, DomainError
from loans.models import Installment, Loan, Repayment
from loans.services import penalties_accrue, repayment_record
from tests.factories import make_loan, overdue_loan

pytestmark = pytest.mark.django_db
D = Decimal


def balances(loan):
    return list(
        Installment.objects.filter(loan=loan)
        .order_by("seq")
        .values_list("penalty_paid", "interest_paid", "principal_paid")
    )


def test_repayment_pays_penalty_then_interest_then_principal_oldest_first(alice, today):
    loan = make_loan(
        alice,
        schedule=[
            (today - timedelta(days=40), D("1000.00"), D("100.00")),
            (today - timedelta(days=10), D("1000.00"), D("100.00")),
        ],
    )
    penalties_accrue(day=today)
    first, second = loan.installments.order_by("seq")
    assert (first.penalty_accrued, second.penalty_accrued) == (D("29.20"), D("7.30"))
    repayment = repayment_record(loan=loan, amount=D("1200.00"), paid_on=today, reference="r1")
    assert balances(loan) == [
        (D("29.20"), D("100.00"), D("1000.00")),
        (D("7.30"), D("63.50"), D("0.00")),
    ]
    assert repayment.allocation[0] == {
        "seq": 1,
        "penalty": "29.20",
        "interest": "100.00",
        "principal": "1000.00",
    }
    assert loan.installments.get(seq=1).paid_off_on == today


def test_paying_everything_closes_the_loan(alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    repayment_record(loan=loan, amount=D("4026.60"), paid_on=today, reference="r1")
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED


def test_the_same_repayment_twice_is_recorded_once(alice, today):
    loan = overdue_loan(alice, today=today)
    one = repayment_record(loan=loan, amount=D("100.00"), paid_on=today, reference="r1")
    two = repayment_record(loan=loan, amount=D("100.00"), paid_on=today, reference="r1")
    assert one.pk == two.pk
    assert Repayment.objects.count() == 1
    assert balances(loan)[0] == (D("26.60"), D("73.40"), D("0.00"))


def test_a_reused_reference_with_other_details_is_refused(alice, today):
    loan = overdue_loan(alice, today=today)
    repayment_record(loan=loan, amount=D("100.00"), paid_on=today, reference="r1")
    with pytest.raises(ConflictError) as error:
        repayment_record(loan=loan, amount=D("200.00"), paid_on=today, reference="r1")
    assert error.value.code == "duplicate_reference"


@pytest.mark.parametrize(
    "amount", [D("0"), D("-5.00"), D("0.001"), "abc", D("NaN"), D("Infinity"), D("1e308")]
)
def test_bad_amounts_are_refused_and_nothing_is_written(alice, today, amount):
    loan = overdue_loan(alice, today=today)
    with pytest.raises(DomainError) as error:
        repayment_record(loan=loan, amount=amount, paid_on=today, reference="r1")
    assert "amount" in error.value.fields
    assert Repayment.objects.count() == 0
    assert balances(loan)[0] == (0, 0, 0)


def test_a_repayment_on_a_closed_loan_is_refused(alice, today):
    loan = overdue_loan(alice, today=today, status=Loan.Status.CLOSED)
    with pytest.raises(ConflictError) as error:
        repayment_record(loan=loan, amount=D("10.00"), paid_on=today, reference="r1")
    # The message is in the reader's language (Chinese by default); the code is stable.
    assert error.value.code == "loan_not_active"


def test_more_than_is_owed_is_refused_whole(alice, today):
    loan = overdue_loan(alice, today=today)
    with pytest.raises(DomainError) as error:
        repayment_record(loan=loan, amount=D("4026.61"), paid_on=today, reference="r1")
    assert error.value.code == "more_than_owed"
    assert "4026.60" in error.value.message
    assert Repayment.objects.count() == 0
    assert balances(loan)[0] == (0, 0, 0)


def test_a_future_payment_date_is_refused(alice, today):
    loan = overdue_loan(alice, today=today)
    with pytest.raises(DomainError) as error:
        repayment_record(
            loan=loan, amount=D("10.00"), paid_on=today + timedelta(days=1), reference="r1"
        )
    assert "paid_on" in error.value.fields


def test_repayments_out_of_date_order_are_refused(alice, today):
    loan = overdue_loan(alice, today=today)
    repayment_record(loan=loan, amount=D("10.00"), paid_on=today, reference="r1")
    with pytest.raises(ConflictError) as error:
        repayment_record(
            loan=loan, amount=D("10.00"), paid_on=today - timedelta(days=1), reference="r2"
        )
    assert error.value.code == "out_of_order"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_two_repayments_at_once_are_both_recorded_and_balances_exact(alice, today):
    loan = overdue_loan(alice, today=today)
    barrier = threading.Barrier(2)
    errors = []

    def pay(reference):
        try:
            barrier.wait()
            repayment_record(loan=loan, amount=D("500.00"), paid_on=today, reference=reference)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(f"c{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Repayment.objects.filter(loan=loan).count() == 2
    assert balances(loan)[0] == (D("26.60"), D("125.00"), D("848.40"))
