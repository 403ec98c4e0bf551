"""Loans in the REST API: what a borrower reads (the servicing system's views are in
`servicing.serializers`).

Output serializers read `loans.selectors.LoanState` (DPD, bucket, overdue amount and penalty
brought to today).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import MoneyField, StrictSerializer
from loans import selectors
from loans.calculations import BUCKETS
from loans.models import Arrangement, Borrower, Installment, Loan


class InstallmentSerializer(serializers.Serializer):
    """An installment as of today (`loans.selectors.InstallmentState`)."""

    seq = serializers.IntegerField(source="installment.seq")
    kind = serializers.ChoiceField(
        source="installment.kind",
        choices=Installment.Kind.choices,
        help_text="`scheduled` by the loan's contract, or `plan`: made by an instalment plan.",
    )
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
    principal_moved = MoneyField(
        source="installment.principal_moved",
        help_text="Principal moved into an instalment plan (no longer owed here).",
    )
    interest_moved = MoneyField(
        source="installment.interest_moved",
        help_text="Interest moved into an instalment plan (no longer owed here).",
    )
    penalty_moved = MoneyField(
        source="installment.penalty_moved",
        help_text="Penalty moved into an instalment plan (no longer owed here).",
    )


class ArrangementInstallmentSerializer(serializers.Serializer):
    """One installment of an arrangement (`loans.selectors.ArrangementLine`)."""

    seq = serializers.IntegerField(help_text="The installment's number on the loan.")
    number = serializers.IntegerField(help_text="Its place in the arrangement, 1 … N.")
    due_date = serializers.DateField()
    amount = MoneyField(
        help_text="A plan's installment: what moved into it (and its interest); a deferral's: "
        "its principal and interest due."
    )
    paid = MoneyField()
    status = serializers.ChoiceField(
        choices=[("paid", "paid"), ("due", "due"), ("overdue", "overdue")]
    )
    due_date_before = serializers.DateField(
        allow_null=True, help_text="A deferral's: the due date before it moved."
    )


class ArrangementAskedSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(source="asked_kind", choices=Arrangement.Kind.choices)
    periods = serializers.SerializerMethodField()
    months = serializers.SerializerMethodField()

    def get_periods(self, arrangement) -> int | None:
        return arrangement.asked_term if arrangement.asked_kind == Arrangement.Kind.PLAN else None

    def get_months(self, arrangement) -> int | None:
        return (
            arrangement.asked_term if arrangement.asked_kind == Arrangement.Kind.DEFERRAL else None
        )


class ArrangementSerializer(serializers.Serializer):
    """A repayment arrangement with its installments and progress
    (`loans.selectors.ArrangementView`)."""

    id = serializers.IntegerField(source="arrangement.id")
    kind = serializers.ChoiceField(source="arrangement.kind", choices=Arrangement.Kind.choices)
    periods = serializers.IntegerField(
        source="arrangement.periods", allow_null=True, help_text="A plan's installments."
    )
    months = serializers.IntegerField(
        source="arrangement.months", allow_null=True, help_text="A deferral's months."
    )
    status = serializers.ChoiceField(
        source="arrangement.status", choices=Arrangement.Status.choices
    )
    installment_amount = MoneyField(
        source="arrangement.installment_amount",
        help_text="A plan's installment (the last takes the remainder); a deferral's first "
        "payment.",
    )
    total = MoneyField(source="arrangement.total")
    extra_interest = MoneyField(source="arrangement.extra_interest")
    first_due_date = serializers.DateField(source="arrangement.first_due_date", allow_null=True)
    last_due_date = serializers.DateField(source="arrangement.last_due_date", allow_null=True)
    started_on = serializers.DateField(source="arrangement.started_on", allow_null=True)
    observation_ends_on = serializers.DateField(
        source="arrangement.observation_ends_on",
        allow_null=True,
        help_text="The loan is marked restructured until then.",
    )
    completed_on = serializers.DateField(source="arrangement.completed_on", allow_null=True)
    broken_on = serializers.DateField(source="arrangement.broken_on", allow_null=True)
    asked = ArrangementAskedSerializer(
        source="arrangement", help_text="What the borrower asked for."
    )
    installments = ArrangementInstallmentSerializer(source="lines", many=True)
    paid = MoneyField(help_text="Paid on its installments so far.")
    remaining = MoneyField(help_text="Still owed on its installments.")


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
    restructured = serializers.SerializerMethodField(
        help_text="An arrangement is active on the loan, or one started within its "
        "observation period (domain.md §9)."
    )

    def get_restructured(self, state) -> bool:
        return selectors.restructured(state.loan, today=state.today)


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
    arrangement = serializers.SerializerMethodField(
        help_text="The active repayment arrangement, or null."
    )

    @extend_schema_field(ArrangementSerializer(allow_null=True))
    def get_arrangement(self, state) -> dict | None:
        if not selectors.restructured(state.loan, today=state.today):
            return None  # no arrangement active (nor in its observation period): no query
        active = selectors.arrangement_active(state.loan)
        if active is None:
            return None
        return ArrangementSerializer(selectors.arrangement_view(active, today=state.today)).data


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
