"""Changing loans: repayments and the daily penalty accrual (domain.md §3).

Every balance change runs in one transaction with the loan and its installments locked, so
two repayments at once are applied one after the other and nothing is lost. Loans from the
lender's core system are loaded by the servicing app (`servicing.services`).
"""

from loans.services.accrual import installments_accrue_to, penalties_accrue
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
    "borrower_preferences_update",
    "clean_amount",
    "frozen_part",
    "installment_set_daily_penalty",
    "installments_accrue_to",
    "loan_lock",
    "penalties_accrue",
    "penalty_freeze",
    "penalty_freeze_release",
    "penalty_unfreeze",
    "repayment_record",
]
