"""Demo data of repayment arrangements (domain.md §9), on top of `loans.demo`'s loans.

Four demo borrowers, each with one loan that fell behind and the arrangement that followed,
made the way it happens in the product: applied for, triaged, decided by the demo reviewer
where a person decides, and accepted, through the services. The arrangement then starts
today; the loan's whole story is moved back by whole months (every date of the loan, its
installments and movements, the application and its notifications), so its plan
installments fall due in the past, and the ones due by today are paid on their due dates
(or not), through the servicing path. The nightly job then completes or breaks them. The
application's events stay when the seed wrote them: the event log is append-only (a database
trigger refuses to change a row), and a demo does not get to rewrite history either.

- `grace` (中文): a kept plan of 6 with relief, started two months ago; the payment due so
  far paid on time.
- `dave` (English): a plan of 3 without relief, approved at once by triage, started four
  months ago and paid off: completed.
- `erin` (中文): a plan of 6 with relief, started five months ago; the first payment made,
  the second left unpaid until the plan broke, 30 days after its due date.
- `frank` (English): a deferral of 1 month, started today.

Idempotent: a borrower already there is left as she is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import models

from loans import calculations
from loans.demo import Seeder, add_months
from loans.models import Arrangement, Installment, InstallmentMovement, Loan, Repayment
from loans.services import penalties_accrue
from relief.models import ApplicationStatus, Notification, ReliefApplication
from relief.services import (
    relief_application_accept,
    relief_application_approve,
    relief_application_submit,
    relief_application_triage,
    repayment_post,
)
from relief.services.arrangements import arrangements_nightly


@dataclass(frozen=True)
class Story:
    username: str
    name: str
    phone: str
    language: str
    loan: str
    product: str
    # Monthly installments all missed by the start, the oldest `days_overdue` days before it;
    # each one's principal and interest.
    missed: int
    days_overdue: int
    amounts: tuple[Decimal, Decimal]
    reason: str
    relief: bool
    arrangement: dict
    months_ago: int  # the start, this many months before today
    pay: Callable[[int], bool]  # which plan installments (0, 1, …) due by today were paid


STORIES = (
    Story(
        username="grace",
        name="Grace 吴婷",
        phone="13700137007",
        language="zh-hans",
        loan="L-GRACE-1",
        product="CASH18",
        missed=2,
        days_overdue=45,
        amounts=(Decimal("1500.00"), Decimal("100.00")),
        reason="serious_illness",
        relief=True,
        arrangement={"kind": "plan", "periods": 6},
        months_ago=2,
        pay=lambda number: True,
    ),
    Story(
        username="dave",
        name="Dave 赵刚",
        phone="13700137004",
        language="en",
        loan="L-DAVE-1",
        product="CARD24",
        missed=1,
        days_overdue=30,
        amounts=(Decimal("1800.00"), Decimal("120.00")),
        reason="unemployment",
        relief=False,
        arrangement={"kind": "plan", "periods": 3},
        months_ago=4,
        pay=lambda number: True,
    ),
    Story(
        username="erin",
        name="Erin 孙悦",
        phone="13700137005",
        language="zh-hans",
        loan="L-ERIN-1",
        product="CASH18",
        missed=2,
        days_overdue=40,
        amounts=(Decimal("1200.00"), Decimal("90.00")),
        reason="income_drop",
        relief=True,
        arrangement={"kind": "plan", "periods": 6},
        months_ago=5,
        pay=lambda number: number == 0,
    ),
    Story(
        username="frank",
        name="Frank 周明",
        phone="13700137006",
        language="en",
        loan="L-FRANK-1",
        product="CARD24",
        missed=1,
        days_overdue=12,
        amounts=(Decimal("900.00"), Decimal("90.00")),
        reason="accident",
        relief=False,
        arrangement={"kind": "deferral", "months": 1},
        months_ago=0,
        pay=lambda number: True,
    ),
)


def arrangement_stories(seeder: Seeder) -> int:
    """Each story whose borrower is not there yet, told; returns how many were."""
    told = 0
    for story in STORIES:
        borrower = seeder.named_borrower(story.username, story.name, story.phone, story.language)
        if borrower is None:
            continue
        tell(seeder, story, borrower)
        told += 1
    if told:
        # The broken plan accrues penalty from the day it broke.
        penalties_accrue(day=seeder.today)
    return told


def tell(seeder: Seeder, story: Story, borrower) -> None:
    today = seeder.today
    products = seeder.products()
    oldest = today - timedelta(days=story.days_overdue)
    loan = seeder.loan_with_schedule(
        borrower,
        products[story.product],
        story.loan,
        story.amounts[0] * story.missed,
        add_months(oldest, -1),
        count=story.missed,
        amounts=story.amounts,
    )
    application = relief_application_submit(
        loan=loan,
        reason=story.reason,
        description="",
        submitted_by=borrower.user,
        relief=story.relief,
        arrangement=story.arrangement,
    )
    application = relief_application_triage(application_id=application.pk)
    if application.status == ApplicationStatus.IN_REVIEW:
        relief_application_approve(
            application_id=application.pk,
            reviewer=get_user_model().objects.get(username="reviewer"),
            percent=application.suggested_percent if story.relief else None,
        )
    relief_application_accept(application_id=application.pk, user=borrower.user)
    if story.months_ago:
        months_back(loan, story.months_ago, today=today)
    plan = Installment.objects.filter(loan=loan, kind=Installment.Kind.PLAN, due_date__lte=today)
    for number, installment in enumerate(plan.order_by("due_date", "seq")):
        if story.pay(number):
            repayment_post(
                loan=loan,
                amount=installment.principal_due
                + installment.interest_due
                + installment.penalty_accrued,
                paid_on=installment.due_date,
                reference=f"DEMO-{story.loan}-{number + 1}",
            )
    arrangements_nightly(today=today)


def months_back(loan: Loan, months: int, *, today: date) -> None:
    """Move every date of the loan's story `months` months back (but the append-only event
    log's): its dates to the same day of an earlier month (clamped to the month's end), its
    timestamps by as many days as today moves."""
    days = timedelta(days=(today - calculations.months_before(today, months)).days)
    for queryset in (
        Loan.objects.filter(pk=loan.pk),
        Installment.objects.filter(loan=loan),
        Arrangement.objects.filter(loan=loan),
        InstallmentMovement.objects.filter(installment__loan=loan),
        Repayment.objects.filter(loan=loan),
        ReliefApplication.objects.filter(loan=loan),
        Notification.objects.filter(application__loan=loan),
    ):
        model = queryset.model
        fields = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.DateField)  # DateTimeField is one too
        ]
        rows = list(queryset)
        for row in rows:
            for name in fields:
                value = getattr(row, name)
                if isinstance(value, datetime):
                    setattr(row, name, value - days)
                elif value is not None:
                    setattr(row, name, calculations.months_before(value, months))
        model.objects.bulk_update(rows, fields)
