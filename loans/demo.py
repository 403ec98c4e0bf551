"""Demo data: products, the demo accounts of api.md, and borrowers in every bucket whose
repayment history carries real signal (lateness persists: `borrower_plan`).

Built with bulk inserts so that `seed_demo --borrowers 100000` (the benchmarks' data set)
takes under a minute (docs/benchmarks.md): the generated rows are plain values written with
PostgreSQL's `COPY` (the ORM's `bulk_create` elsewhere), not model instances. Idempotent: what
exists is left as it is.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from core import permissions
from loans import calculations
from loans.bulk import insert_rows
from loans.calculations import ZERO, money
from loans.models import Borrower, Installment, Loan, LoanProduct
from loans.services import penalties_accrue

DEMO_PASSWORD = "relief-demo"  # noqa: S105 - public demo accounts, refused without DEBUG

PRODUCTS = {
    "CASH18": {
        "name": "Cash loan 18%",
        "name_zh_hans": "现金贷 18%",
        "annual_rate": Decimal("0.18"),
        "penalty_markup": Decimal("0.50"),
        "penalty_rate_cap": Decimal("0.24"),
        "grace_days": 3,
    },
    "CARD24": {
        "name": "Card instalments 24%",
        "name_zh_hans": "信用卡分期 24%",
        "annual_rate": Decimal("0.24"),
        "penalty_markup": Decimal("0.30"),
        "penalty_rate_cap": Decimal("0.24"),
        "grace_days": 3,
    },
    # One grace day: a loan 2–3 days late already owes penalty, so the demo shows the
    # policy's 1–3 days band (base 100), which three grace days never let anyone reach.
    "QUICK18": {
        "name": "Quick cash 18%",
        "name_zh_hans": "极速现金贷 18%",
        "annual_rate": Decimal("0.18"),
        "penalty_markup": Decimal("0.50"),
        "penalty_rate_cap": Decimal("0.24"),
        "grace_days": 1,
    },
}

# username: (what the account may do, is_staff, is_superuser). The roles' groups are made by
# relief's roles migration; an account joins those of its roles (`permissions.role_groups`).
STAFF_ACCOUNTS = {
    "reviewer": ((permissions.DECIDE_CASES,), True, False),
    "senior": ((permissions.DECIDE_CASES, permissions.SECOND_APPROVAL), True, False),
    # Staff: ops write the education articles in the admin.
    "ops": ((permissions.VIEW_OPS_REPORTS,), True, False),
    "policy": ((permissions.ACTIVATE_POLICY,), True, False),
    "servicing": ((permissions.POST_SERVICING_DATA,), False, False),
    "admin": ((), True, True),
}

# How generated borrowers look, by index modulo the list: days past due of the oldest unpaid
# installment today, and how often such a borrower paid late before (the chance that an
# installment was paid after its grace days; a current borrower draws hers from
# CURRENT_TENDENCIES). A borrower behind today was more often late before.
PROFILES = [
    (0, None),
    (0, None),
    (2, 0.30),
    (12, 0.45),
    (25, 0.45),
    (45, 0.60),
    (75, 0.60),
    (120, 0.60),
    (200, 0.70),
    (5, 0.30),
]
# (share, chance of a late installment) of the borrowers who are current today.
CURRENT_TENDENCIES = ((0.70, 0.05), (0.20, 0.25), (0.10, 0.50))
# Lateness persists (domain.md §10: the demo must carry real signal for the early-warning
# backtest): right after a late installment the next is this much more likely to be late.
PERSISTENCE = 0.30
# Days late of a late installment; an installment paid "on time" is paid within the grace
# days (0–2 days after the due date).
LATE_DAYS = (5, 8, 12, 18, 25)
ON_TIME_DAYS = (0, 0, 0, 0, 1, 2)


@dataclass(frozen=True)
class BorrowerPlan:
    """A generated borrower's one loan: when it was disbursed, how many installments she has
    paid, and by how many days each was paid after its due date."""

    dpd: int
    disbursed_on: date
    paid: int
    days_late: dict[int, int]


def borrower_plan(index: int, today: date) -> BorrowerPlan:
    """The plan of generated borrower `index`, the same on every run (seeded by the index)."""
    dpd, tendency = PROFILES[index % len(PROFILES)]
    draw = random.Random(index)  # noqa: S311  # nosec B311  # demo data, not a secret
    if tendency is None:
        pick, tendency = draw.random(), CURRENT_TENDENCIES[-1][1]
        for share, chance in CURRENT_TENDENCIES:
            if pick < share:
                tendency = chance
                break
            pick -= share
    paid = 3 + index % 6
    if dpd == 0:
        # Current: the next installment falls due in the coming weeks.
        disbursed = add_months(today + timedelta(days=1 + index % 25), -(paid + 1))
    else:
        disbursed = add_months(today - timedelta(days=dpd), -(paid + 1))
    days_late: dict[int, int] = {}
    was_late = False
    for seq in range(1, paid + 1):
        was_late = draw.random() < tendency + (PERSISTENCE if was_late else 0)
        days = draw.choice(LATE_DAYS if was_late else ON_TIME_DAYS)
        # Paid before today, and never before the installment before it (money pays the
        # oldest first).
        due = add_months(disbursed, seq)
        days = min(days, (today - due).days - 1)
        if days > 0:
            days_late[seq] = days
    return BorrowerPlan(dpd=dpd, disbursed_on=disbursed, paid=paid, days_late=days_late)


@dataclass
class SeedResult:
    borrowers_created: int
    installments_accrued: int


def add_months(day: date, months: int) -> date:
    return calculations.months_before(day, -months)


def schedule(
    *,
    principal: Decimal,
    annual_rate: Decimal,
    penalty_rate: Decimal,
    grace_days: int,
    day_count_basis: int,
    disbursed_on: date,
    count: int,
    paid: int,
    late: dict[int, int],
    amounts: tuple[Decimal, Decimal] | None = None,
) -> list[dict]:
    """Field values of monthly installments; the first `paid` are paid (late by `late[seq]`
    days, else on the due date), the rest unpaid. Penalty on late ones is accrued and paid as
    the rule says.
    """
    if amounts is None:
        principal_each = money(principal / count)
        interest_each = money(principal * annual_rate / 12)
    else:
        principal_each, interest_each = amounts
    rows = []
    for seq in range(1, count + 1):
        due = add_months(disbursed_on, seq)
        principal_due = principal_each
        if amounts is None and seq == count:
            principal_due = principal - principal_each * (count - 1)
        row = {
            "seq": seq,
            "due_date": due,
            "grace_ends_on": calculations.grace_ends_on(due, grace_days),
            "principal_due": principal_due,
            "interest_due": interest_each,
            "daily_penalty": calculations.daily_penalty(
                principal_due + interest_each, penalty_rate, day_count_basis
            ),
        }
        if seq <= paid:
            days_late = late.get(seq, 0)
            paid_on = due + timedelta(days=days_late)
            penalty = ZERO
            if days_late > grace_days:
                penalty = row["daily_penalty"] * days_late
            row.update(
                principal_paid=principal_due,
                interest_paid=interest_each,
                penalty_accrued=penalty,
                penalty_paid=penalty,
                accrued_through=paid_on,
                paid_off_on=paid_on,
                daily_penalty=ZERO,
            )
        rows.append(row)
    return rows


def build_schedule(
    loan: Loan,
    *,
    count: int,
    paid: int,
    late: dict[int, int],
    amounts: tuple[Decimal, Decimal] | None = None,
) -> list[Installment]:
    """The installments of `schedule` for a saved loan, as unsaved model instances."""
    rows = schedule(
        principal=loan.principal,
        annual_rate=loan.annual_rate,
        penalty_rate=loan.penalty_rate,
        grace_days=loan.grace_days,
        day_count_basis=loan.day_count_basis,
        disbursed_on=loan.disbursed_on,
        count=count,
        paid=paid,
        late=late,
        amounts=amounts,
    )
    return [Installment(loan=loan, **row) for row in rows]


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
        for username, (capabilities, is_staff, is_superuser) in STAFF_ACCOUNTS.items():
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
                user.groups.set(permissions.role_groups(capabilities))

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
            **product.contract_terms(),
        )

    def loan_with_schedule(
        self,
        borrower,
        product,
        external_id: str,
        principal: Decimal,
        disbursed_on: date,
        *,
        count: int,
        paid: int = 0,
        late: dict[int, int] | None = None,
        amounts: tuple[Decimal, Decimal] | None = None,
    ) -> Loan:
        """A saved loan with its monthly installments (`build_schedule`)."""
        loan = self.new_loan(borrower, product, external_id, principal, disbursed_on)
        loan.save()
        Installment.objects.bulk_create(
            build_schedule(loan, count=count, paid=paid, late=late or {}, amounts=amounts)
        )
        return loan

    def alice_and_bob(self, products) -> None:
        today = self.today
        alice = self.named_borrower("alice", "Alice 王丽", "13800138001", "zh-hans")
        if alice:
            # domain.md §8: an installment of 2,000.00 at 18% missed 20 days ago, after seven
            # paid ones of which one was 10 days late (6/7 = 86% on time).
            self.loan_with_schedule(
                alice,
                products["CASH18"],
                "L-ALICE-1",
                Decimal("15000.00"),
                add_months(today - timedelta(days=20), -8),
                count=8,
                paid=7,
                late={3: 10},
                amounts=(Decimal("1875.00"), Decimal("125.00")),
            )
            # A new loan, first installment not yet due: it leaves her history as it is.
            self.loan_with_schedule(
                alice,
                products["CARD24"],
                "L-ALICE-2",
                Decimal("6000.00"),
                today - timedelta(days=20),
                count=6,
            )
            # Two installments of 1,180.00 missed, 50 and about 20 days ago, ten more to come:
            # more than she can pay at once, and a deferral's first payment is beyond her
            # too. An instalment plan is what helps (README: her options at ¥3,000 a month).
            # No installment of it was paid, so it leaves her history as it is.
            self.loan_with_schedule(
                alice,
                products["CASH18"],
                "L-ALICE-3",
                Decimal("12000.00"),
                add_months(today - timedelta(days=50), -1),
                count=12,
                amounts=(Decimal("1000.00"), Decimal("180.00")),
            )
        bob = self.named_borrower("bob", "Bob 李强", "13900139002", "en")
        if bob:
            self.loan_with_schedule(
                bob,
                products["CARD24"],
                "L-BOB-1",
                Decimal("9000.00"),
                add_months(today - timedelta(days=45), -4),
                count=9,
                paid=3,
                late={2: 6},
            )

    def carol(self, products) -> None:
        """Early warning (domain.md §10): three installments running paid late, the next
        one of 2,000.00 falls due in 5 days. The risk model scores her loan high, so her
        dashboard offers help and outreach writes to her before the date."""
        today = self.today
        carol = self.named_borrower("carol", "Carol 陈静", "13700137003", "zh-hans")
        if not carol:
            return
        loan = self.new_loan(
            carol,
            products["CASH18"],
            "L-CAROL-1",
            Decimal("10000.00"),
            add_months(today + timedelta(days=5), -5),
        )
        loan.save()
        Installment.objects.bulk_create(
            build_schedule(
                loan,
                count=5,
                paid=4,
                late={2: 12, 3: 18, 4: 8},
                amounts=(Decimal("1875.00"), Decimal("125.00")),
            )
        )

    def generated(self, products, count: int, batch: int = 5000) -> int:
        User = get_user_model()
        wanted = [f"DEMO-B{i:07d}" for i in range(1, count + 1)]
        existing = set(
            Borrower.objects.filter(external_id__startswith="DEMO-B").values_list(
                "external_id", flat=True
            )
        )
        missing = [(i, ext) for i, ext in enumerate(wanted, start=1) if ext not in existing]
        product_list = [products["CASH18"], products["CARD24"]]
        terms = {product.pk: product.contract_terms() for product in products.values()}
        for start in range(0, len(missing), batch):
            chunk = missing[start : start + batch]
            with transaction.atomic():
                insert_rows(
                    User,
                    [
                        {
                            "username": f"demo{i:07d}",
                            "password": self.password_hash,
                            "email": f"demo{i:07d}@relief.example",
                        }
                        for i, _ in chunk
                    ],
                )
                user_ids = dict(
                    User.objects.filter(
                        username__in=[f"demo{i:07d}" for i, _ in chunk]
                    ).values_list("username", "pk")
                )
                insert_rows(
                    Borrower,
                    [
                        {
                            "user_id": user_ids[f"demo{i:07d}"],
                            "external_id": ext,
                            "name": f"Demo {i}",
                            "phone": f"137{i:08d}",
                            "national_id_masked": "320***********0000",
                            "language": "zh-hans" if i % 3 else "en",
                            "notification_channel": "sms" if i % 2 else "email",
                        }
                        for i, ext in chunk
                    ],
                )
                borrower_ids = dict(
                    Borrower.objects.filter(external_id__in=[ext for _, ext in chunk]).values_list(
                        "external_id", "pk"
                    )
                )
                loans = []
                plans = []
                for i, ext in chunk:
                    plan = borrower_plan(i, self.today)
                    dpd = plan.dpd
                    # Loans 1–3 days late are on the one-grace-day product (see PRODUCTS).
                    product = products["QUICK18"] if 0 < dpd <= 3 else product_list[i % 2]
                    loans.append(
                        {
                            "external_id": f"L-{ext[5:]}",
                            "borrower_id": borrower_ids[ext],
                            "product_id": product.pk,
                            "principal": Decimal(3000 + (i % 20) * 1000),
                            "disbursed_on": plan.disbursed_on,
                            "legal_proceedings": dpd >= 200 and i % 7 == 0,
                            **terms[product.pk],
                        }
                    )
                    plans.append((plan.paid, plan.days_late))
                insert_rows(Loan, loans)
                loan_ids = dict(
                    Loan.objects.filter(
                        external_id__in=[loan["external_id"] for loan in loans]
                    ).values_list("external_id", "pk")
                )
                installments = []
                for loan, (paid, late) in zip(loans, plans, strict=True):
                    loan_id = loan_ids[loan["external_id"]]
                    rows = schedule(
                        principal=loan["principal"],
                        annual_rate=loan["annual_rate"],
                        penalty_rate=loan["penalty_rate"],
                        grace_days=loan["grace_days"],
                        day_count_basis=loan["day_count_basis"],
                        disbursed_on=loan["disbursed_on"],
                        count=12,
                        paid=paid,
                        late=late,
                    )
                    for row in rows:
                        row["loan_id"] = loan_id
                    installments.extend(rows)
                insert_rows(Installment, installments)
            self.log(f"  borrowers {start + len(chunk)}/{len(missing)}")
        if missing and connection.vendor == "postgresql":
            # Fresh statistics before the accrual: planned on the row counts of an empty
            # database, its UPDATE would probe the index once per loan (minutes, not seconds).
            with connection.cursor() as cursor:
                for model in (Borrower, Loan, Installment):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        return len(missing)

    def run(self, *, borrowers: int) -> SeedResult:
        products = self.products()
        self.staff()
        self.alice_and_bob(products)
        self.carol(products)
        created = self.generated(products, borrowers)
        accrued = penalties_accrue(day=self.today)
        return SeedResult(borrowers_created=created, installments_accrued=accrued)
