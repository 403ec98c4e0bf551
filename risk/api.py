"""`GET /api/v1/risk/loans/?level=high|medium&as_of=D` (Ops): the loans scored on a day,
riskiest first, each with its factors (api.md)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import IsOps, Pagination, error_responses
from risk import selectors
from risk.serializers import ScoredLoanSerializer, ScoredLoansQuerySerializer


class ScoredLoanListApi(generics.ListAPIView):
    """Loans scored for early warning on the last day scored (or `as_of`), with factors."""

    permission_classes = [IsAuthenticated, IsOps]
    serializer_class = ScoredLoanSerializer
    filter_backends = []
    pagination_class = Pagination

    @extend_schema(
        operation_id="risk_loans_list",
        tags=["risk"],
        parameters=[ScoredLoansQuerySerializer],
        responses={200: ScoredLoanSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        query = ScoredLoansQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        scores = selectors.scored_loans(
            level=query.validated_data.get("level"), as_of=query.validated_data.get("as_of")
        )
        page = self.paginate_queryset(scores)
        return self.get_paginated_response(ScoredLoanSerializer(page, many=True).data)
