"""Helpers for the early-warning tests: loans with a payment history as of a day."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from loans.models import Borrower, Installment, Loan, Repayment
from relief.models import ApplicationStatus, ReliefApplication, ReliefPolicy
from tests.factories import make_loan

PRINCIPAL, INTEREST = Decimal("1000.00"), Decimal("100.00")


def loan_with_history(
    borrower: Borrower,
    *,
    due_dates: list[date],
    paid_on: dict[int, date | None],
    code: str = "CASH18",
    external_id: str | None = None,
    disbursed_on: date | None = None,
) -> Loan:
    """A loan with installments of 1,100.00 due on `due_dates`; installment n (from 1) paid
    off on `paid_on[n]` (unpaid when missing or None)."""
    loan = make_loan(
        borrower,
        code=code,
        schedule=[(due, PRINCIPAL, INTEREST) for due in due_dates],
        external_id=external_id,
        disbursed_on=disbursed_on,
    )
    for installment in loan.installments.all():
        day = paid_on.get(installment.seq)
        if day is not None:
            installment_paid(installment, day)
    return loan


def installment_paid(installment: Installment, day: date) -> None:
    Installment.objects.filter(pk=installment.pk).update(
        principal_paid=installment.principal_due,
        interest_paid=installment.interest_due,
        daily_penalty=Decimal("0.00"),
        paid_off_on=day,
        accrued_through=day,
    )


def repayment(loan: Loan, day: date, amount: str = "300.00", reference: str = "") -> Repayment:
    """A repayment row dated `day` (what it paid is not needed by the features)."""
    return Repayment.objects.create(
        loan=loan,
        amount=Decimal(amount),
        paid_on=day,
        reference=reference or f"R-{loan.pk}-{day.isoformat()}-{Repayment.objects.count()}",
    )


def granted_application(loan: Loan, decided_on: date, status=ApplicationStatus.FULFILLED):
    """An application on `loan` approved at noon of `decided_on` and fulfilled since (or in
    `status`)."""
    decided_at = timezone.make_aware(
        timezone.datetime.combine(decided_on, timezone.datetime.min.time())
    ) + timedelta(hours=12)
    return ReliefApplication.objects.create(
        loan=loan,
        borrower=loan.borrower,
        reason="serious_illness",
        status=status,
        policy=ReliefPolicy.objects.get(status=ReliefPolicy.Status.ACTIVE),
        policy_version=1,
        quote={},
        suggested_percent=50,
        suggested_amount=Decimal("10.00"),
        penalty_at_submission=Decimal("20.00"),
        dpd_at_submission=10,
        bucket_at_submission="M1",
        decided_percent=50,
        decided_amount=Decimal("10.00"),
        decided_at=decided_at,
    )


def high_risk_loan(borrower: Borrower, today: date, *, due_in: int = 5, external_id=None) -> Loan:
    """A loan of `borrower` scored high risk today: its last three installments paid 20 days
    late, the next 10 days past due, and one more falling due in `due_in` days."""
    due = [today - timedelta(days=offset) for offset in (100, 70, 40, 10)]
    due.append(today + timedelta(days=due_in))
    return loan_with_history(
        borrower,
        due_dates=due,
        paid_on={n: due[n - 1] + timedelta(days=20) for n in (1, 2, 3)},
        disbursed_on=today - timedelta(days=130),
        external_id=external_id,
    )


def hardship_article(slug: str = "ask-early"):
    """A published article on asking for help early, in both languages."""
    from learn import services
    from learn.models import Article, Tag

    article = Article.objects.create(
        slug=slug,
        published=True,
        title_zh_hans="尽早寻求帮助",
        body_zh_hans="还款有困难时，请在逾期之前联系我们。",
        title_en="Ask for help early",
        body_en="If paying will be hard, tell us before the due date.",
    )
    services.article_tags_set(article=article, tags=[Tag.HARDSHIP_HELP])
    return article


def holdout_percent_set(percent: int) -> None:
    """The active risk model's holdout share (tests only: a version is otherwise never
    edited)."""
    import importlib

    from django.apps import apps

    from risk.models import RiskModel

    # A transactional test before this one may have flushed version 1 away: put it back.
    importlib.import_module("risk.migrations.0002_risk_model_v1").create_v1(apps, None)
    model = RiskModel.objects.get(status=RiskModel.Status.ACTIVE)
    model.document = {**model.document, "holdout_percent": percent}
    model.save(update_fields=["document"])
