"""Shortcuts for arrangement tests: an application asking for relief, an arrangement or both,
submitted and triaged as the system would, approved by a reviewer and accepted."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from loans.models import Installment
from relief.models import ReliefApplication
from relief.services import (
    relief_application_accept,
    relief_application_approve,
    relief_application_second_approve,
    relief_application_submit,
    relief_application_triage,
)
from tests.factories import UserFactory, make_loan


def plan(periods: int) -> dict:
    return {"kind": "plan", "periods": periods}


def deferral(months: int) -> dict:
    return {"kind": "deferral", "months": months}


def apply(
    loan,
    *,
    arrangement=None,
    relief: bool = True,
    reason: str = "serious_illness",
    description: str = "",
    monthly_income=None,
    triage: bool = True,
) -> ReliefApplication:
    application = relief_application_submit(
        loan=loan,
        reason=reason,
        description=description,
        submitted_by=loan.borrower.user,
        relief=relief,
        arrangement=arrangement,
        monthly_income=monthly_income,
    )
    if triage:
        relief_application_triage(application_id=application.pk)
    return ReliefApplication.objects.select_related("arrangement").get(pk=application.pk)


def reviewer_user():
    return UserFactory(username="arrangement-reviewer", is_staff=True, groups=["Reviewer"])


def senior_user():
    return UserFactory(
        username="arrangement-senior", is_staff=True, groups=["Reviewer", "Senior reviewer"]
    )


def approved(
    application, *, percent=80, arrangement=None, reviewer=None, second=False
) -> ReliefApplication:
    """Approved by a reviewer when triage left it in review (else as triage approved it);
    with `second`, a senior gives the second approval when four eyes need it."""
    application.refresh_from_db()
    if application.status == "in_review":
        relief_application_approve(
            application_id=application.pk,
            reviewer=reviewer or reviewer_user(),
            percent=percent if application.asks_relief else None,
            arrangement=arrangement,
        )
    application.refresh_from_db()
    if second and application.status == "pending_second_approval":
        relief_application_second_approve(application_id=application.pk, reviewer=senior_user())
    return ReliefApplication.objects.select_related("arrangement").get(pk=application.pk)


def accepted(application) -> ReliefApplication:
    relief_application_accept(application_id=application.pk, user=application.borrower.user)
    return ReliefApplication.objects.select_related("arrangement").get(pk=application.pk)


def plan_installments(loan) -> list[Installment]:
    return list(loan.installments.filter(kind="plan").order_by("due_date", "seq"))


def owed(loan) -> Decimal:
    """Everything the borrower owes on the loan as stored: principal, interest and penalty."""
    return sum(
        (i.base_outstanding + i.penalty_outstanding for i in loan.installments.all()),
        Decimal("0.00"),
    )


def both_overdue_loan(borrower, *, today: date, days: int = 45, **kwargs):
    """Two installments of 2,000.00 (1,875.00 principal) overdue: `days` and `days − 30` ago,
    nothing left to fall due."""
    first = today - timedelta(days=days)
    return make_loan(
        borrower,
        schedule=[
            (first, Decimal("1875.00"), Decimal("125.00")),
            (first + timedelta(days=30), Decimal("1875.00"), Decimal("125.00")),
        ],
        **kwargs,
    )
