"""Changing loans: repayments, the daily penalty accrual (domain.md §3) and the money side of
repayment arrangements (domain.md §9).

Every balance change runs in one transaction with the loan and its installments locked, so
two repayments at once are applied one after the other and nothing is lost. Loans from the
lender's core system are loaded by the servicing app (`servicing.services`).
"""

from loans.services.accrual import installments_accrue_to, penalties_accrue
from loans.services.arrangements import (
    arrangement_cancel,
    arrangements_break,
    arrangements_complete,
    basis_of_locked,
    deferral_start,
    plan_start,
)
from loans.services.freeze import (
    FrozenPart,
    frozen_part,
    penalty_freeze,
    penalty_freeze_release,
    penalty_unfreeze,
)
from loans.services.preferences import borrower_preferences_update
from loans.services.repayments import (
    AllocationTerms,
    clean_amount,
    installment_set_daily_penalty,
    loan_lock,
    repayment_record,
)

__all__ = [
    "AllocationTerms",
    "FrozenPart",
    "arrangement_cancel",
    "arrangements_break",
    "arrangements_complete",
    "basis_of_locked",
    "borrower_preferences_update",
    "clean_amount",
    "deferral_start",
    "frozen_part",
    "installment_set_daily_penalty",
    "installments_accrue_to",
    "loan_lock",
    "penalties_accrue",
    "penalty_freeze",
    "penalty_freeze_release",
    "penalty_unfreeze",
    "plan_start",
    "repayment_record",
]
