"""The demo seeder's bulk path (COPY on PostgreSQL) writes what the ORM would have written."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from loans.bulk import insert_rows
from loans.demo import PRODUCTS, Seeder, borrower_plan, build_schedule
from loans.models import Borrower, Installment, Loan, LoanProduct

pytestmark = pytest.mark.django_db

SCHEDULE_FIELDS = [
    f.attname for f in Installment._meta.concrete_fields if f.attname not in ("id", "loan_id")
]


def test_insert_rows_gives_left_out_fields_their_defaults(today):
    User = get_user_model()
    insert_rows(User, [{"username": "copied", "password": "!", "email": "c@relief.example"}])
    user = User.objects.get(username="copied")
    assert (user.first_name, user.is_active, user.is_staff, user.last_login) == (
        "",
        True,
        False,
        None,
    )
    assert user.date_joined is not None
    product = LoanProduct.objects.create(code="CASH18", **PRODUCTS["CASH18"])
    borrower = Borrower.objects.create(user=user, external_id="B-COPY", name="Copy")
    insert_rows(
        Loan,
        [
            {
                "external_id": "L-COPY",
                "borrower_id": borrower.pk,
                "product_id": product.pk,
                "principal": Decimal("3000.00"),
                "disbursed_on": today,
                "annual_rate": product.annual_rate,
                "penalty_rate": product.penalty_rate,
                "grace_days": product.grace_days,
            }
        ],
    )
    loan = Loan.objects.get(external_id="L-COPY")
    assert (loan.status, loan.legal_proceedings, loan.fraud_flag) == ("active", False, False)
    assert loan.created_at is not None
    assert loan.updated_at is not None


def test_generated_installments_are_the_schedule_rules_rows(today):
    seeder = Seeder(today=today)
    assert seeder.generated(seeder.products(), 12) == 12
    loans = Loan.objects.filter(external_id__startswith="L-B")
    assert loans.count() == 12
    for loan in loans:
        index = int(loan.external_id.removeprefix("L-B"))
        plan = borrower_plan(index, today)
        assert loan.disbursed_on == plan.disbursed_on
        expected = build_schedule(loan, count=12, paid=plan.paid, late=plan.days_late)
        stored = loan.installments.order_by("seq").values_list(*SCHEDULE_FIELDS)
        assert list(stored) == [
            tuple(getattr(i, name) for name in SCHEDULE_FIELDS) for i in expected
        ], loan.external_id
