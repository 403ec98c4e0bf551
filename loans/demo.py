"""Demo data: products, the demo accounts of api.md, and borrowers in every bucket.

Built with bulk inserts so that `seed_demo --borrowers 100000` (the benchmarks' data set)
takes minutes, not hours. Idempotent: what exists is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from loans import calculations
from loans.calculations import ZERO, money
from loans.models import Borrower, Installment, Loan, LoanProduct
from loans.services import penalties_accrue

DEMO_PASSWORD = "relief-demo"  # noqa: S105 - public demo accounts, refused without DEBUG

PRODUCTS = {
    "CASH18": {
        "name": "Cash loan 18%",
        "annual_rate": Decimal("0.18"),
        "penalty_markup": Decimal("0.50"),
        "penalty_rate_cap": Decimal("0.24"),
        "grace_days": 3,
    },
    "CARD24": {
        "name": "Card instalments 24%",
        "annual_rate": Decimal("0.24"),
        "penalty_markup": Decimal("0.30"),
        "penalty_rate_cap": Decimal("0.24"),
        "grace_days": 3,
    },
}

GROUPS = ("Reviewer", "Senior reviewer", "Ops", "Policy admin", "Servicing")

# username: (groups, is_staff, is_superuser)
STAFF_ACCOUNTS = {
    "reviewer": (("Reviewer",), True, False),
    "senior": (("Reviewer", "Senior reviewer"), True, False),
    "ops": (("Ops",), False, False),
    "policy": (("Policy admin",), True, False),
    "servicing": (("Servicing",), False, False),
    "admin": ((), True, True),
}

# How generated borrowers look, by index modulo the list: days past due of the oldest unpaid
# installment, and which paid installments were paid late (by how many days).
PROFILES = [
    (0, {}),
    (0, {2: 5}),
    (2, {}),
    (12, {}),
    (25, {1: 8, 3: 40}),
    (45, {}),
    (75, {2: 15}),
    (120, {}),
    (200, {1: 35, 2: 60}),
    (5, {}),
]


@dataclass
class SeedResult:
    borrowers_created: int
    installments_accrued: int


def add_months(day: date, months: int) -> date:
    return calculations.months_before(day, -months)


def product_terms(product: LoanProduct) -> dict:
    return {
        "annual_rate": product.annual_rate,
        "penalty_rate": product.penalty_rate,
        "grace_days": product.grace_days,
    }


def build_schedule(
    loan: Loan,
    *,
    count: int,
    paid: int,
    late: dict[int, int],
    amounts: tuple[Decimal, Decimal] | None = None,
) -> list[Installment]:
    """Monthly installments; the first `paid` are paid (late by `late[seq]` days, else on
    the due date), the rest unpaid. Penalty on late ones is accrued and paid as the rule says.
    """
    if amounts is None:
        principal_each = money(loan.principal / count)
        interest_each = money(loan.principal * loan.annual_rate / 12)
    else:
        principal_each, interest_each = amounts
    rows = []
    for seq in range(1, count + 1):
        due = add_months(loan.disbursed_on, seq)
        principal_due = principal_each
        if amounts is None and seq == count:
            principal_due = loan.principal - principal_each * (count - 1)
        base = principal_due + interest_each
        installment = Installment(
            loan=loan,
            seq=seq,
            due_date=due,
            grace_ends_on=calculations.grace_ends_on(due, loan.grace_days),
            principal_due=principal_due,
            interest_due=interest_each,
            daily_penalty=calculations.daily_penalty(base, loan.penalty_rate),
        )
        if seq <= paid:
            days_late = late.get(seq, 0)
            paid_on = due + timedelta(days=days_late)
            penalty = ZERO
            if days_late > loan.grace_days:
                penalty = installment.daily_penalty * days_late
            installment.principal_paid = principal_due
            installment.interest_paid = interest_each
            installment.penalty_accrued = installment.penalty_paid = penalty
            installment.accrued_through = installment.paid_off_on = paid_on
            installment.daily_penalty = ZERO
        rows.append(installment)
    return rows


class Seeder:
    def __init__(self, *, today: date, log: Callable[[str], None] = lambda message: None):
        self.today = today
        self.log = log
        self.password_hash = make_password(DEMO_PASSWORD)

    def products(self) -> dict[str, LoanProduct]:
        products = {}
        for code, fields in PRODUCTS.items():
            products[code], _ = LoanProduct.objects.get_or_create(code=code, defaults=fields)
        return products

    def staff(self) -> None:
        User = get_user_model()
        groups = {name: Group.objects.get_or_create(name=name)[0] for name in GROUPS}
        for username, (group_names, is_staff, is_superuser) in STAFF_ACCOUNTS.items():
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "is_staff": is_staff,
                    "is_superuser": is_superuser,
                    "password": self.password_hash,
                    "email": f"{username}@relief.example",
                },
            )
            if created:
                user.groups.set([groups[name] for name in group_names])

    def named_borrower(
        self, username: str, name: str, phone: str, language: str
    ) -> Borrower | None:
        User = get_user_model()
        if Borrower.objects.filter(external_id=f"DEMO-{username.upper()}").exists():
            return None
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"password": self.password_hash, "email": f"{username}@relief.example"},
        )
        return Borrower.objects.create(
            user=user,
            external_id=f"DEMO-{username.upper()}",
            name=name,
            phone=phone,
            national_id_masked="110***********1234",
            language=language,
            notification_channel=Borrower.Channel.EMAIL,
        )

    def new_loan(self, borrower, product, external_id, principal, disbursed_on) -> Loan:
        return Loan(
            external_id=external_id,
            borrower=borrower,
            product=product,
            principal=principal,
            disbursed_on=disbursed_on,
            **product_terms(product),
        )

    def alice_and_bob(self, products) -> None:
        today = self.today
        alice = self.named_borrower("alice", "Alice 王丽", "13800138001", "zh-hans")
        if alice:
            # domain.md §8: an installment of 2,000.00 at 18% missed 20 days ago, after seven
            # paid ones of which one was 10 days late (6/7 = 86% on time).
            loan = self.new_loan(
                alice,
                products["CASH18"],
                "L-ALICE-1",
                Decimal("15000.00"),
                add_months(today - timedelta(days=20), -8),
            )
            loan.save()
            Installment.objects.bulk_create(
                build_schedule(
                    loan,
                    count=8,
                    paid=7,
                    late={3: 10},
                    amounts=(Decimal("1875.00"), Decimal("125.00")),
                )
            )
            # A new loan, first installment not yet due: it leaves her history as it is.
            current = self.new_loan(
                alice,
                products["CARD24"],
                "L-ALICE-2",
                Decimal("6000.00"),
                today - timedelta(days=20),
            )
            current.save()
            Installment.objects.bulk_create(build_schedule(current, count=6, paid=0, late={}))
        bob = self.named_borrower("bob", "Bob 李强", "13900139002", "en")
        if bob:
            loan = self.new_loan(
                bob,
                products["CARD24"],
                "L-BOB-1",
                Decimal("9000.00"),
                add_months(today - timedelta(days=45), -4),
            )
            loan.save()
            Installment.objects.bulk_create(build_schedule(loan, count=9, paid=3, late={2: 6}))

    def generated(self, products, count: int, batch: int = 2000) -> int:
        User = get_user_model()
        wanted = [f"DEMO-B{i:07d}" for i in range(1, count + 1)]
        existing = set(
            Borrower.objects.filter(external_id__startswith="DEMO-B").values_list(
                "external_id", flat=True
            )
        )
        missing = [(i, ext) for i, ext in enumerate(wanted, start=1) if ext not in existing]
        product_list = [products["CASH18"], products["CARD24"]]
        for start in range(0, len(missing), batch):
            chunk = missing[start : start + batch]
            with transaction.atomic():
                users = User.objects.bulk_create(
                    [
                        User(
                            username=f"demo{i:07d}",
                            password=self.password_hash,
                            email=f"demo{i:07d}@relief.example",
                        )
                        for i, _ in chunk
                    ]
                )
                borrowers = Borrower.objects.bulk_create(
                    [
                        Borrower(
                            user=user,
                            external_id=ext,
                            name=f"Demo {i}",
                            phone=f"137{i:08d}",
                            national_id_masked="320***********0000",
                            language="zh-hans" if i % 3 else "en",
                            notification_channel="sms" if i % 2 else "email",
                        )
                        for (i, ext), user in zip(chunk, users, strict=True)
                    ]
                )
                loans = []
                plans = []
                for (i, _), borrower in zip(chunk, borrowers, strict=True):
                    dpd, late = PROFILES[i % len(PROFILES)]
                    paid = 3 + i % 6
                    product = product_list[i % 2]
                    if dpd == 0:
                        # Current: the next installment falls due in the coming weeks.
                        disbursed = add_months(self.today + timedelta(days=1 + i % 25), -(paid + 1))
                    else:
                        disbursed = add_months(self.today - timedelta(days=dpd), -(paid + 1))
                    loan = self.new_loan(
                        borrower,
                        product,
                        f"L-{borrower.external_id[5:]}",
                        Decimal(3000 + (i % 20) * 1000),
                        disbursed,
                    )
                    loan.legal_proceedings = dpd >= 200 and i % 7 == 0
                    loans.append(loan)
                    plans.append((paid, late))
                Loan.objects.bulk_create(loans)
                installments = []
                for loan, (paid, late) in zip(loans, plans, strict=True):
                    installments.extend(build_schedule(loan, count=12, paid=paid, late=late))
                Installment.objects.bulk_create(installments, batch_size=5000)
            self.log(f"  borrowers {start + len(chunk)}/{len(missing)}")
        return len(missing)

    def run(self, *, borrowers: int) -> SeedResult:
        products = self.products()
        self.staff()
        self.alice_and_bob(products)
        created = self.generated(products, borrowers)
        accrued = penalties_accrue(day=self.today)
        return SeedResult(borrowers_created=created, installments_accrued=accrued)
