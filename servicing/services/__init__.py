"""Servicing services: what the lender's core system sends (loans, borrowers, repayments)."""

from servicing.services.borrowers import BorrowerData, borrower_upsert
from servicing.services.loans import loan_upsert
from servicing.services.repayments import repayment_receive
from servicing.services.schedules import InstallmentData

__all__ = [
    "BorrowerData",
    "InstallmentData",
    "borrower_upsert",
    "loan_upsert",
    "repayment_receive",
]
