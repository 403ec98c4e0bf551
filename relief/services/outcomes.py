"""What became of a decided case: the date by which the loan's installments due at the
decision were repaid (`ReliefApplication.repaid_on`), kept so that the effectiveness report
reads a column instead of probing every case's installments (docs/reports.md)."""

from __future__ import annotations

from django.db.models import (
    Case,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from loans.models import Installment
from relief.models import ReliefApplication


def repaid_on_now() -> Case:
    """For a decided case, as an expression over its row: the latest `paid_off_on` of the
    loan's installments due on or before the local decision date (the decision date when
    none was due); NULL while one of them is unpaid."""
    zone = timezone.get_default_timezone()
    # The outer row's decision time, typed for TruncDate.
    decided_at = ExpressionWrapper(OuterRef("decided_at"), output_field=DateTimeField())
    decision_date = TruncDate(decided_at, tzinfo=zone)
    due = Installment.objects.filter(loan=OuterRef("loan"), due_date__lte=decision_date).order_by()
    last_paid_off = due.values("loan").annotate(last=Max("paid_off_on")).values("last")
    return Case(
        When(Exists(due.filter(paid_off_on__isnull=True)), then=Value(None)),
        default=Coalesce(Subquery(last_paid_off), TruncDate("decided_at", tzinfo=zone)),
        output_field=DateField(),
    )


def applications_repaid_on_settle(*, loan_id: int | None = None) -> int:
    """Set `repaid_on` of the decided cases (of one loan, or all) that do not have it yet,
    in one UPDATE; returns how many were looked at.

    Called in the transaction that makes it known: a decision (`transition`) and a repayment
    (`repayment_post`). Both hold the loan's row lock (a decision locks it with the case), so
    a repayment and a decision on the same loan never miss each other. Once set it never
    changes: the installments due by a past decision are history (paid-off dates are never
    cleared and a new schedule cannot change installments already due). A derived figure,
    not a change of the case's state: no event, no version bump."""
    cases = ReliefApplication.objects.filter(decided_at__isnull=False, repaid_on__isnull=True)
    if loan_id is not None:
        cases = cases.filter(loan_id=loan_id)
    return cases.update(repaid_on=repaid_on_now())
