"""REST endpoints of the servicing system (the lender's core system): loans and borrowers
created or replaced, repayments received (api.md, "Servicing system")."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import IsServicing, error_responses
from loans import selectors
from servicing.serializers import (
    RepaymentInputSerializer,
    RepaymentSerializer,
    ServicingLoanInputSerializer,
    ServicingLoanSerializer,
)
from servicing.services import BorrowerData, InstallmentData, loan_upsert, repayment_receive


class ServicingLoanApi(APIView):
    """Create or replace a loan from the core system (permission: post servicing data)."""

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
        state = selectors.loan_state(selectors.loan_with_schedule(loan.external_id))
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
        repayment = repayment_receive(
            loan_external_id=data["loan_external_id"],
            amount=data["amount"],
            paid_on=data["paid_on"],
            reference=data["reference"],
            recorded_by=request.user,
        )
        replayed = getattr(repayment, "replayed", False)
        return Response(RepaymentSerializer(repayment).data, status=200 if replayed else 201)
