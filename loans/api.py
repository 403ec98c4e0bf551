"""REST endpoints for loans: a borrower's own loans, and the servicing system's loan data
and repayments (api.md)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import IsBorrower, IsServicing, Pagination, error_responses
from core.errors import DomainError
from loans import selectors
from loans.models import Installment, Loan
from loans.serializers import (
    LoanDetailSerializer,
    LoanSerializer,
    RepaymentInputSerializer,
    RepaymentSerializer,
    ServicingLoanInputSerializer,
    ServicingLoanSerializer,
)
from loans.services import BorrowerData, InstallmentData, loan_upsert
from relief.services import repayment_post

UNKNOWN_LOAN = _("No loan has this external id.")


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
        responses={200: LoanSerializer(many=True), **error_responses(401, 403, 404)},
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


def loan_with_schedule(external_id: str) -> Loan:
    return (
        Loan.objects.select_related("product", "borrower", "borrower__user")
        .prefetch_related(Prefetch("installments", queryset=Installment.objects.order_by("seq")))
        .get(external_id=external_id)
    )


class ServicingLoanApi(APIView):
    """Create or replace a loan from the core system (group Servicing)."""

    permission_classes = [IsServicing]

    @extend_schema(
        operation_id="servicing_loans_update",
        tags=["servicing"],
        request=ServicingLoanInputSerializer,
        responses={
            200: OpenApiResponse(ServicingLoanSerializer, description="Replaced."),
            201: OpenApiResponse(ServicingLoanSerializer, description="Created."),
            **error_responses(400, 401, 403, 409, 415),
        },
        description=(
            "Creates the loan (and the borrower, with an account that has no usable password) "
            "or replaces it. Installments that have fallen due or have money on them must be "
            "sent unchanged (409 `installment_locked` otherwise); future ones may change."
        ),
    )
    def put(self, request: Request, external_id: str) -> Response:
        serializer = ServicingLoanInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        loan, created = loan_upsert(
            external_id=external_id,
            borrower=BorrowerData(**data["borrower"]),
            product_code=data["product"],
            principal=data["principal"],
            disbursed_on=data["disbursed_on"],
            installments=[InstallmentData(**item) for item in data["installments"]],
        )
        state = selectors.loan_state(loan_with_schedule(loan.external_id))
        return Response(ServicingLoanSerializer(state).data, status=201 if created else 200)


class ServicingRepaymentApi(APIView):
    """Money received by the core system; idempotent by `reference`."""

    permission_classes = [IsServicing]

    @extend_schema(
        operation_id="servicing_repayments_create",
        tags=["servicing"],
        request=RepaymentInputSerializer,
        responses={
            201: OpenApiResponse(RepaymentSerializer, description="Recorded."),
            200: OpenApiResponse(
                RepaymentSerializer, description="Already recorded under this reference."
            ),
            **error_responses(400, 401, 403, 409, 415),
        },
        description=(
            "Accrues penalty to `paid_on`, then pays penalty, interest and principal, oldest "
            "installment first. A repayment that completes an open relief offer posts the "
            "waiver first (`waiver_posted`). The same reference with the same details answers "
            "the recorded repayment (200); with other details it is a 409."
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = RepaymentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        loan = Loan.objects.filter(external_id=data["loan_external_id"]).first()
        if loan is None:
            raise DomainError(
                UNKNOWN_LOAN, code="unknown_loan", fields={"loan_external_id": [UNKNOWN_LOAN]}
            )
        repayment = repayment_post(
            loan=loan,
            amount=data["amount"],
            paid_on=data["paid_on"],
            reference=data["reference"],
            recorded_by=request.user,
        )
        replayed = getattr(repayment, "replayed", False)
        return Response(RepaymentSerializer(repayment).data, status=200 if replayed else 201)
