"""Money the core system received: recorded on the loan, posting the relief it completes."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from loans.models import Loan, Repayment
from relief.services import repayment_post

UNKNOWN_LOAN = _("No loan has this external id.")


def repayment_receive(
    *, loan_external_id: str, amount, paid_on: date, reference: str, recorded_by=None
) -> Repayment:
    """Record a repayment on the loan the core system knows as `loan_external_id`.

    Idempotent by `reference` (see `loans.services.repayment_record`); a repayment that
    completes an open relief offer posts the waiver first (`relief.services.repayment_post`).
    """
    loan = Loan.objects.filter(external_id=loan_external_id).first()
    if loan is None:
        raise DomainError.for_field("loan_external_id", UNKNOWN_LOAN, code="unknown_loan")
    return repayment_post(
        loan=loan, amount=amount, paid_on=paid_on, reference=reference, recorded_by=recorded_by
    )
