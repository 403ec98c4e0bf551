"""The scored loans API's shapes (api.md: `GET /api/v1/risk/loans/`)."""

from __future__ import annotations

from rest_framework import serializers

from core.api import StrictSerializer
from risk import presentation
from risk.models import RiskLevel
from risk.selectors import held_out


class ScoredLoansQuerySerializer(StrictSerializer):
    level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    as_of = serializers.DateField(required=False, help_text="Default: the last day scored")
    # Read by the pagination.
    page = serializers.CharField(required=False)
    page_size = serializers.CharField(required=False)


class FactorSerializer(serializers.Serializer):
    code = serializers.CharField()
    points = serializers.IntegerField()
    value = serializers.JSONField(allow_null=True)
    label = serializers.CharField()


class ScoredLoanSerializer(serializers.Serializer):
    loan = serializers.IntegerField(source="loan_id")
    product = serializers.CharField(source="loan.product.code")
    as_of = serializers.DateField()
    score = serializers.IntegerField()
    level = serializers.CharField()
    level_label = serializers.SerializerMethodField()
    model_version = serializers.IntegerField(source="model.version")
    holdout = serializers.SerializerMethodField(
        help_text="In the model version's holdout: gets no outreach"
    )
    factors = serializers.SerializerMethodField()

    def get_level_label(self, score) -> str:
        return presentation.level_label(score.level)

    def get_holdout(self, score) -> bool:
        return held_out(score)

    @staticmethod
    def get_factors(score) -> list[dict]:
        return FactorSerializer(presentation.factors_for_reader(score.factors), many=True).data
