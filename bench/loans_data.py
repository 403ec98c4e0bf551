"""Borrowers with one overdue loan each, made in bulk for the benchmarks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal


def overdue_borrowers(count: int, *, prefix: str) -> list[int]:
    """Make `count` borrowers (if missing), each with a loan whose 2,000.00 installment is
    20–200 days overdue and accrued; returns the loan ids."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from loans import calculations
    from loans.demo import Seeder
    from loans.models import Borrower, Installment, Loan
    from loans.selectors import local_today
    from loans.services import penalties_accrue

    today = local_today()
    existing = Loan.objects.filter(external_id__startswith=f"{prefix}-").count()
    products = Seeder(today=today).products()
    product = products["CASH18"]
    User = get_user_model()
    password = make_password("relief-demo")
    for start in range(existing, count, 2000):
        stop = min(count, start + 2000)
        users = User.objects.bulk_create(
            [User(username=f"{prefix}{i}", password=password) for i in range(start, stop)]
        )
        borrowers = Borrower.objects.bulk_create(
            [
                Borrower(user=user, external_id=f"{prefix}-B{i}", name=f"B {i}", phone=f"1{i:010d}")
                for i, user in zip(range(start, stop), users, strict=True)
            ]
        )
        loans = Loan.objects.bulk_create(
            [
                Loan(
                    external_id=f"{prefix}-{i}",
                    borrower=borrower,
                    product=product,
                    principal=Decimal("2000.00"),
                    disbursed_on=today - timedelta(days=400),
                    **product.contract_terms(),
                )
                for i, borrower in zip(range(start, stop), borrowers, strict=True)
            ]
        )
        installments = []
        for i, loan in zip(range(start, stop), loans, strict=True):
            due = today - timedelta(days=20 + i % 180)
            installments.append(
                Installment(
                    loan=loan,
                    seq=1,
                    due_date=due,
                    grace_ends_on=calculations.grace_ends_on(due, loan.grace_days),
                    principal_due=Decimal("1900.00"),
                    interest_due=Decimal("100.00"),
                    daily_penalty=calculations.daily_penalty(Decimal("2000.00"), loan.penalty_rate),
                )
            )
        Installment.objects.bulk_create(installments)
    penalties_accrue(day=today)
    return list(
        Loan.objects.filter(external_id__startswith=f"{prefix}-")
        .order_by("id")
        .values_list("id", flat=True)
    )
