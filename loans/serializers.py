"""Loans in the REST API: what a borrower reads (the servicing system's views are in
`servicing.serializers`).

Output serializers read `loans.selectors.LoanState` (DPD, bucket, overdue amount and penalty
brought to today).
"""

from rest_framework import serializers

from core.api import MoneyField, StrictSerializer
from loans.calculations import BUCKETS
from loans.models import Borrower, Loan


class InstallmentSerializer(serializers.Serializer):
    """An installment as of today (`loans.selectors.InstallmentState`)."""

    seq = serializers.IntegerField(source="installment.seq")
    due_date = serializers.DateField(source="installment.due_date")
    principal_due = MoneyField(source="installment.principal_due")
    interest_due = MoneyField(source="installment.interest_due")
    principal_paid = MoneyField(source="installment.principal_paid")
    interest_paid = MoneyField(source="installment.interest_paid")
    penalty_accrued = MoneyField(help_text="Penalty accrued up to today.")
    penalty_paid = MoneyField(source="installment.penalty_paid")
    penalty_waived = MoneyField(source="installment.penalty_waived")
    penalty_outstanding = MoneyField(help_text="Accrued − paid − waived.")
    penalty_frozen = MoneyField(
        help_text="Penalty of the days frozen by an accepted relief offer: not owed while it "
        "stands, dropped when it is fulfilled, owed if it expires."
    )
    penalty_frozen_until = serializers.DateField(
        source="installment.frozen_until",
        allow_null=True,
        help_text="The accepted offer's deadline, while its penalty is frozen; else null.",
    )
    days_overdue = serializers.IntegerField()
    paid_off_on = serializers.DateField(source="installment.paid_off_on", allow_null=True)


class LoanSerializer(serializers.Serializer):
    """A loan with its state today (`loans.selectors.LoanState`)."""

    id = serializers.IntegerField(source="loan.id")
    external_id = serializers.CharField(source="loan.external_id")
    product = serializers.CharField(source="loan.product.code", help_text="Product code.")
    principal = MoneyField(source="loan.principal")
    disbursed_on = serializers.DateField(source="loan.disbursed_on")
    status = serializers.ChoiceField(source="loan.status", choices=Loan.Status.choices)
    dpd = serializers.IntegerField(help_text="Days since the oldest unpaid installment fell due.")
    bucket = serializers.ChoiceField(choices=[(b, b) for b in BUCKETS])
    overdue_amount = MoneyField(help_text="Unpaid principal and interest past due.")
    penalty_outstanding = MoneyField(help_text="Penalty accrued to today, less paid and waived.")
    total_overdue = MoneyField(help_text="Overdue amount plus penalty outstanding.")


class LoanDetailSerializer(LoanSerializer):
    annual_rate = serializers.DecimalField(
        source="loan.annual_rate",
        max_digits=8,
        decimal_places=6,
        help_text="Contract rate a year, as a fraction (0.180000 = 18%).",
    )
    penalty_rate = serializers.DecimalField(
        source="loan.penalty_rate",
        max_digits=8,
        decimal_places=6,
        help_text="Penalty rate a year, as a fraction (0.240000 = 24%).",
    )
    grace_days = serializers.IntegerField(source="loan.grace_days")
    installments = InstallmentSerializer(many=True)


class PreferencesSerializer(StrictSerializer):
    """The borrower's preferences (`GET`, and `PATCH` with any of the fields)."""

    outreach_opt_out = serializers.BooleanField(
        required=False,
        help_text="true: no early-warning messages before due dates (the usual reminder "
        "three days before a due date is still sent).",
    )
    language = serializers.ChoiceField(
        choices=Borrower.Language.choices,
        required=False,
        help_text="The language of the borrower's messages.",
    )
    channel = serializers.ChoiceField(
        choices=Borrower.Channel.choices,
        required=False,
        source="notification_channel",
        help_text="How messages are sent besides in the app.",
    )
