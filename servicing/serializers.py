"""The servicing system in the REST API: loans and repayments it sends, what it reads back.

Input serializers only parse types; the services judge the values.
"""

from rest_framework import serializers

from core.api import MoneyField, StrictSerializer
from loans.models import Borrower
from loans.serializers import LoanDetailSerializer


class LoanBorrowerSerializer(serializers.Serializer):
    external_id = serializers.CharField()
    username = serializers.CharField(source="user.username")
    name = serializers.CharField()
    language = serializers.ChoiceField(choices=Borrower.Language.choices)


class ServicingLoanSerializer(LoanDetailSerializer):
    borrower = LoanBorrowerSerializer(source="loan.borrower")


# --- servicing input ------------------------------------------------------------------------


class ServicingBorrowerInputSerializer(StrictSerializer):
    external_id = serializers.CharField(max_length=64)
    username = serializers.CharField(max_length=150)
    name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(
        choices=Borrower.Language.choices, required=False, default=Borrower.Language.ZH_HANS
    )


class ServicingInstallmentInputSerializer(StrictSerializer):
    seq = serializers.IntegerField(min_value=1, max_value=32767)
    due_date = serializers.DateField()
    principal_due = MoneyField()
    interest_due = MoneyField()


class ServicingLoanInputSerializer(StrictSerializer):
    borrower = ServicingBorrowerInputSerializer()
    product = serializers.CharField(max_length=32, help_text="Product code, e.g. CASH18.")
    principal = MoneyField()
    disbursed_on = serializers.DateField()
    installments = ServicingInstallmentInputSerializer(many=True, allow_empty=False)


class RepaymentInputSerializer(StrictSerializer):
    loan_external_id = serializers.CharField(max_length=64)
    amount = MoneyField()
    paid_on = serializers.DateField()
    reference = serializers.CharField(
        max_length=64, help_text="The core system's id of the payment; makes the call idempotent."
    )


class AllocationSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    penalty = MoneyField()
    interest = MoneyField()
    principal = MoneyField()


class RepaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    loan_external_id = serializers.CharField(source="loan.external_id")
    amount = MoneyField()
    paid_on = serializers.DateField()
    reference = serializers.CharField()
    allocation = AllocationSerializer(many=True, help_text="What the money paid, by installment.")
    waiver_posted = MoneyField(help_text="Relief waived with this repayment (0.00 if none).")
    created_at = serializers.DateTimeField()
