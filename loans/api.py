"""REST endpoints for a borrower's own loans (api.md); the servicing system's are in
`servicing.api`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import IsBorrower, Pagination, error_responses
from loans import selectors, services
from loans.serializers import LoanDetailSerializer, LoanSerializer, PreferencesSerializer


class LoanListApi(generics.ListAPIView):
    """The signed-in borrower's loans with DPD, bucket, overdue amount and penalty today."""

    permission_classes = [IsBorrower]
    serializer_class = LoanSerializer
    filter_backends = []
    pagination_class = Pagination

    def get_queryset(self):
        return selectors.loans_of_user(self.request.user)

    @extend_schema(
        operation_id="loans_list",
        tags=["loans"],
        responses={200: LoanSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        today = selectors.local_today()
        states = [selectors.loan_state(loan, today=today) for loan in page]
        return self.get_paginated_response(LoanSerializer(states, many=True).data)


class LoanDetailApi(APIView):
    """One of the borrower's loans with its installments (404 for anyone else's)."""

    permission_classes = [IsBorrower]

    @extend_schema(
        operation_id="loans_retrieve",
        tags=["loans"],
        responses={200: LoanDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, loan_id: int) -> Response:
        loan = selectors.loan_of_user(request.user, loan_id)
        return Response(LoanDetailSerializer(selectors.loan_state(loan)).data)


class PreferencesApi(APIView):
    """The signed-in borrower's preferences: the language and channel of her messages, and
    whether she receives early-warning outreach (`outreach_opt_out`)."""

    permission_classes = [IsBorrower]

    @extend_schema(
        operation_id="me_preferences_retrieve",
        tags=["me"],
        responses={200: PreferencesSerializer, **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        borrower = selectors.borrower_of_user(request.user)
        return Response(PreferencesSerializer(borrower).data)

    @extend_schema(
        operation_id="me_preferences_update",
        tags=["me"],
        request=PreferencesSerializer,
        responses={200: PreferencesSerializer, **error_responses(400, 401, 403)},
    )
    def patch(self, request: Request) -> Response:
        borrower = selectors.borrower_of_user(request.user)
        given = PreferencesSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        borrower = services.borrower_preferences_update(
            borrower_id=borrower.pk,
            language=data.get("language"),
            channel=data.get("notification_channel"),
            outreach_opt_out=data.get("outreach_opt_out"),
        )
        return Response(PreferencesSerializer(borrower).data)
