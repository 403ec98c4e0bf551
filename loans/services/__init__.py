"""Changing loans: repayments and the daily penalty accrual (domain.md §3).

Every balance change runs in one transaction with the loan and its installments locked, so
two repayments at once are applied one after the other and nothing is lost. Loans from the
lender's core system are loaded by the servicing app (`servicing.services`).
"""

from loans.services.accrual import installments_accrue_to, penalties_accrue
from loans.services.repayments import (
    clean_amount,
    installment_set_daily_penalty,
    loan_lock,
    repayment_record,
)

__all__ = [
    "clean_amount",
    "installment_set_daily_penalty",
    "installments_accrue_to",
    "loan_lock",
    "penalties_accrue",
    "repayment_record",
]
