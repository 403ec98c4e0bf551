"""The chaos run's data, made in its own database: staff (a reviewer to assign, the servicing
account), and for each scenario its own borrowers, each with one loan 20 days overdue (the
worked example's) and an API token. Scenarios never share borrowers, so each one's rows can
be counted apart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from core.authentication import token_for
from loans import calculations
from loans.demo import Seeder
from loans.models import Borrower, Installment, Loan
from loans.selectors import local_today

PASSWORD = make_password(None)  # nobody signs in with a password: the API's tokens


@dataclass(frozen=True)
class Customer:
    loan_id: int
    loan_external_id: str
    token: str
    channel: str


def staff() -> str:
    """Products and staff accounts; the servicing account's token."""
    seeder = Seeder(today=local_today())
    seeder.products()
    seeder.staff()
    return token_for(get_user_model().objects.get(username="servicing")).key


@transaction.atomic
def customers(prefix: str, count: int) -> list[Customer]:
    """`count` borrowers with an overdue loan each; half prefer SMS, half email."""
    User = get_user_model()
    product = Seeder(today=local_today()).products()["CASH18"]
    today = local_today()
    due = today - timedelta(days=20)
    made = []
    for index in range(count):
        name = f"{prefix}{index:05d}"
        user = User.objects.create(username=name, email=f"{name}@chaos.example", password=PASSWORD)
        channel = Borrower.Channel.SMS if index % 2 else Borrower.Channel.EMAIL
        borrower = Borrower.objects.create(
            user=user,
            external_id=f"C-{name}",
            name=name,
            phone=f"139{user.pk:08d}",
            national_id_masked="110***********1234",
            language="zh-hans",
            notification_channel=channel,
        )
        loan = Loan.objects.create(
            borrower=borrower,
            product=product,
            external_id=f"L-{name}",
            principal=Decimal("3750.00"),
            disbursed_on=due - timedelta(days=30),
            **product.contract_terms(),
        )
        Installment.objects.bulk_create(
            Installment(
                loan=loan,
                seq=seq,
                due_date=day,
                grace_ends_on=calculations.grace_ends_on(day, loan.grace_days),
                principal_due=Decimal("1875.00"),
                interest_due=Decimal("125.00"),
                daily_penalty=loan.daily_penalty_on(Decimal("2000.00")),
            )
            for seq, day in enumerate((due, due + timedelta(days=30)), start=1)
        )
        made.append(Customer(loan.pk, loan.external_id, token_for(user).key, channel))
    return made
