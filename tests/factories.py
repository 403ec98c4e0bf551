"""Factories for tests: borrowers, products, loans with schedules."""

import importlib
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from loans import calculations
from loans.demo import PRODUCTS
from loans.models import Borrower, Installment, Loan, LoanProduct

PASSWORD = "relief-demo"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        """The roles' groups by name. What a role may do are the permissions its group bundles:
        when a transactional test's flush took the groups away, the roles migration's are put
        back first, so a "Reviewer" here may always review."""
        names = list(extracted or ())
        if names and not Group.objects.filter(name__in=names).exists():
            roles = importlib.import_module("relief.migrations.0008_role_permissions")
            roles.roles_set(django_apps, None)
            settling = importlib.import_module("relief.migrations.0012_notification_send_once")
            settling.settle_permission_give(django_apps, None)
            articles = importlib.import_module("relief.migrations.0016_ops_edit_articles")
            articles.articles_permission_give(django_apps, None)
            risk_roles = importlib.import_module("risk.migrations.0003_role_permissions")
            risk_roles.risk_permissions_give(django_apps, None)
            satisfaction = importlib.import_module("relief.migrations.0023_ops_view_satisfaction")
            satisfaction.satisfaction_view_give(django_apps, None)
        for name in names:
            self.groups.add(Group.objects.get_or_create(name=name)[0])


class BorrowerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Borrower

    user = factory.SubFactory(UserFactory)
    external_id = factory.Sequence(lambda n: f"B{n:06d}")
    name = factory.Sequence(lambda n: f"Borrower {n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    national_id_masked = "110***********1234"


def product(code: str = "CASH18") -> LoanProduct:
    return LoanProduct.objects.get_or_create(code=code, defaults=PRODUCTS[code])[0]


def make_loan(
    borrower: Borrower,
    *,
    code: str = "CASH18",
    schedule: list[tuple[date, Decimal, Decimal]],
    principal: Decimal | None = None,
    external_id: str | None = None,
    disbursed_on: date | None = None,
    **loan_fields,
) -> Loan:
    """A loan with the given schedule [(due_date, principal_due, interest_due), ...]."""
    loan_product = product(code)
    loan = Loan.objects.create(
        borrower=borrower,
        product=loan_product,
        external_id=external_id or f"L-{borrower.external_id}-{Loan.objects.count() + 1}",
        principal=principal or sum((p for _, p, _ in schedule), Decimal("0")),
        disbursed_on=disbursed_on or (schedule[0][0] - timedelta(days=30)),
        **{**loan_product.contract_terms(), **loan_fields},
    )
    Installment.objects.bulk_create(
        Installment(
            loan=loan,
            seq=seq,
            due_date=due,
            grace_ends_on=calculations.grace_ends_on(due, loan.grace_days),
            principal_due=principal_due,
            interest_due=interest_due,
            daily_penalty=loan.daily_penalty_on(principal_due + interest_due),
        )
        for seq, (due, principal_due, interest_due) in enumerate(schedule, start=1)
    )
    return loan


def overdue_loan(borrower: Borrower, *, today: date, days: int = 20, **kwargs) -> Loan:
    """The worked example's loan: one installment of 2,000.00 due `days` ago at 18%."""
    return make_loan(
        borrower,
        schedule=[
            (today - timedelta(days=days), Decimal("1875.00"), Decimal("125.00")),
            (
                today - timedelta(days=days) + timedelta(days=30),
                Decimal("1875.00"),
                Decimal("125.00"),
            ),
        ],
        **kwargs,
    )


def paid_history(borrower: Borrower, *, today: date, on_time: int = 6, late: int = 1) -> Loan:
    """A paid-off loan: `on_time` installments paid on their due dates and `late` ones paid
    ten days late (6 and 1 give the worked example's 86% on time)."""
    count = on_time + late
    first_due = today - timedelta(days=30 * count + 60)
    loan = make_loan(
        borrower,
        schedule=[
            (first_due + timedelta(days=30 * i), Decimal("100.00"), Decimal("10.00"))
            for i in range(count)
        ],
        external_id=f"L-{borrower.external_id}-PAID",
        status=Loan.Status.CLOSED,
    )
    for installment in loan.installments.order_by("seq"):
        days_late = 10 if installment.seq > on_time else 0
        Installment.objects.filter(pk=installment.pk).update(
            principal_paid=installment.principal_due,
            interest_paid=installment.interest_due,
            daily_penalty=Decimal("0.00"),
            paid_off_on=installment.due_date + timedelta(days=days_late),
            accrued_through=installment.due_date + timedelta(days=days_late),
        )
    return loan
