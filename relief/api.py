"""REST endpoints for relief: the quote, a borrower's applications and their actions,
evidence, notifications, and the reviewers' queue and decisions (api.md).

Each endpoint: authenticate, parse, fetch the one object scoped to the user (someone else's
is a 404), call one service or selector, render.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import (
    IDEMPOTENCY_PARAMETER,
    IsBorrower,
    IsReviewer,
    Pagination,
    error_responses,
    idempotent,
)
from core.errors import DomainError
from core.throttles import ApplicationCreateThrottle
from loans import selectors as loan_selectors
from loans.calculations import BUCKETS
from loans.models import Loan
from relief import arrangement_selectors, rules, selectors, services
from relief.models import UNDECIDED_STATUSES, ApplicationStatus, ReliefApplication
from relief.presentation import arrangement_not_eligible_label
from relief.serializers import (
    BORROWER,
    REVIEWER,
    AnswerSerializer,
    ApplicationCreateSerializer,
    ApplicationListSerializer,
    ApplicationSerializer,
    ArrangementQuoteQuerySerializer,
    ArrangementQuoteSerializer,
    DecideSerializer,
    EvidenceCreatedSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    NotificationSerializer,
    QueueItemSerializer,
    QuoteQuerySerializer,
    QuoteSerializer,
    ReviewApplicationSerializer,
    SatisfactionAnswerSerializer,
    SatisfactionInputSerializer,
    VersionSerializer,
)
from relief.services.notifications import notification_mark_read
from relief.services.satisfaction import satisfaction_answer

UNKNOWN_LOAN = _("You have no loan with this id.")


def borrower_application(request: Request, application_id: int) -> ReliefApplication:
    """The signed-in borrower's application, read fresh (DoesNotExist → 404)."""
    return selectors.application_of_user(request.user, application_id)


def borrower_view(application: ReliefApplication) -> dict:
    return ApplicationSerializer(application, context={"viewer": BORROWER}).data


# --- quote ----------------------------------------------------------------------------------


class LoanQuoteApi(APIView):
    """The relief the borrower would get on this loan now, for a hardship reason, and why."""

    permission_classes = [IsBorrower]

    @extend_schema(
        operation_id="loans_relief_quote",
        tags=["loans"],
        parameters=[QuoteQuerySerializer],
        responses={200: QuoteSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request, loan_id: int) -> Response:
        loan = loan_selectors.loan_of_user(request.user, loan_id)
        query = QuoteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        loan_quote = selectors.loan_quote(
            loan,
            reason=query.validated_data["reason"],
            evidence_verified=query.validated_data["evidence"],
        )
        document = selectors.quote_for_reader(selectors.quote_document(loan_quote.quote))
        return Response(QuoteSerializer(document).data)


class LoanArrangementQuoteApi(APIView):
    """The repayment arrangements the borrower could have on this loan now (domain.md §9):
    every option with what she pays each month, until when and in total, and whether it fits
    the monthly income she gives."""

    permission_classes = [IsBorrower]

    @extend_schema(
        operation_id="loans_arrangement_quote",
        tags=["loans"],
        parameters=[ArrangementQuoteQuerySerializer],
        responses={200: ArrangementQuoteSerializer, **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request, loan_id: int) -> Response:
        loan = loan_selectors.loan_of_user(request.user, loan_id)
        query = ArrangementQuoteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        result = arrangement_selectors.loan_arrangement_quote(
            loan,
            reason=data["reason"],
            kinds=(data["kind"],) if data.get("kind") else rules.KINDS,
            monthly_income=data.get("monthly_income"),
            with_relief=data["relief"],
        )
        document = arrangement_selectors.loan_arrangement_quote_for_reader(result)
        return Response(ArrangementQuoteSerializer(document).data)


# --- applications ---------------------------------------------------------------------------


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ApplicationStatus.choices)

    class Meta:
        model = ReliefApplication
        fields = ["status"]


class ApplicationListApi(generics.ListAPIView):
    """The borrower's applications, newest first; apply for relief on a loan."""

    permission_classes = [IsBorrower]
    throttle_classes = [ApplicationCreateThrottle]
    serializer_class = ApplicationListSerializer
    filterset_class = ApplicationFilter
    pagination_class = Pagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ReliefApplication.objects.none()
        return selectors.applications_of_user(self.request.user)

    @extend_schema(
        operation_id="relief_applications_list",
        tags=["relief-applications"],
        responses={
            200: ApplicationListSerializer(many=True),
            **error_responses(400, 401, 403, 404),
        },
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(
        operation_id="relief_applications_create",
        tags=["relief-applications"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=ApplicationCreateSerializer,
        responses={
            201: ApplicationSerializer,
            **error_responses(400, 401, 403, 409, 415, 429),
        },
        description=(
            "Apply with a hardship reason for relief, a repayment arrangement, or both. The "
            "quotes are taken now and frozen on the application. 409 `open_application` (with "
            "`open_application`: its id) when the loan already has an open one; 409 "
            "`active_arrangement` when an arrangement is asked on a loan with an active one; "
            "400 `not_eligible` (with `not_eligible_reasons`) when the rules refuse, "
            "`option_not_offered` or `not_affordable` on `arrangement`."
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            loan = loan_selectors.loan_of_user(request.user, data["loan"])
        except Loan.DoesNotExist:
            raise DomainError(
                UNKNOWN_LOAN, code="unknown_loan", fields={"loan": [UNKNOWN_LOAN]}
            ) from None

        def create():
            try:
                application = services.relief_application_submit(
                    loan=loan,
                    reason=data["reason"],
                    description=data["description"],
                    submitted_by=request.user,
                    relief=data["relief"],
                    arrangement=data["arrangement"],
                    monthly_income=data["monthly_income"],
                )
            except DomainError as error:
                if error.code == "not_eligible":
                    codes = error.extra.get("not_eligible_reasons", [])
                    error.extra = {
                        **error.extra,
                        "not_eligible_reasons": [
                            {"code": code, "label": arrangement_not_eligible_label(code)}
                            for code in codes
                        ],
                    }
                raise
            return 201, borrower_view(borrower_application(request, application.pk))

        return idempotent(request, create)


class ApplicationDetailApi(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(
        operation_id="relief_applications_retrieve",
        tags=["relief-applications"],
        responses={200: ApplicationSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, application_id: int) -> Response:
        return Response(borrower_view(borrower_application(request, application_id)))


class EvidenceUploadApi(APIView):
    """Add files to an application being considered (multipart `file`, one or more)."""

    permission_classes = [IsBorrower]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="relief_applications_evidence_create",
        tags=["relief-applications"],
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={
            201: EvidenceCreatedSerializer,
            **error_responses(400, 401, 403, 404, 409, 413, 415),
        },
    )
    def post(self, request: Request, application_id: int) -> Response:
        borrower_application(request, application_id)
        serializer = EvidenceUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stored = services.relief_application_add_evidence(
            application_id=application_id,
            user=request.user,
            uploads=request.FILES.getlist("file"),
        )
        return Response({"evidence": EvidenceSerializer(stored, many=True).data}, status=201)


class TransitionApi(APIView):
    """A borrower's move on their application; 409 when the status does not allow it now."""

    permission_classes = [IsBorrower]
    input_serializer = VersionSerializer
    service = None

    def post(self, request: Request, application_id: int) -> Response:
        borrower_application(request, application_id)
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        type(self).service(
            application_id=application_id, user=request.user, **serializer.validated_data
        )
        return Response(borrower_view(borrower_application(request, application_id)))


def transition_schema(name: str, request=VersionSerializer):
    return extend_schema(
        operation_id=f"relief_applications_{name}",
        tags=["relief-applications"],
        request=request,
        responses={200: ApplicationSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
    )


class WithdrawApi(TransitionApi):
    service = services.relief_application_withdraw

    @transition_schema("withdraw")
    def post(self, request: Request, application_id: int) -> Response:
        return super().post(request, application_id)


class AcceptApi(TransitionApi):
    service = services.relief_application_accept

    @transition_schema("accept")
    def post(self, request: Request, application_id: int) -> Response:
        return super().post(request, application_id)


class DeclineApi(TransitionApi):
    service = services.relief_application_decline

    @transition_schema("decline")
    def post(self, request: Request, application_id: int) -> Response:
        return super().post(request, application_id)


class AnswerApi(TransitionApi):
    input_serializer = AnswerSerializer
    service = services.relief_application_answer

    @transition_schema("answer", request=AnswerSerializer)
    def post(self, request: Request, application_id: int) -> Response:
        return super().post(request, application_id)


# --- notifications --------------------------------------------------------------------------


class NotificationListApi(generics.ListAPIView):
    """The signed-in user's in-app messages, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer
    filter_backends = []
    pagination_class = Pagination

    def get_queryset(self):
        return selectors.notifications_of_user(self.request.user)

    @extend_schema(
        operation_id="notifications_list",
        tags=["notifications"],
        responses={200: NotificationSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)


class NotificationReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="notifications_read",
        tags=["notifications"],
        request=None,
        responses={200: NotificationSerializer, **error_responses(401, 404)},
    )
    def post(self, request: Request, notification_id: int) -> Response:
        notification = notification_mark_read(user=request.user, notification_id=notification_id)
        return Response(NotificationSerializer(notification).data)


# --- review ---------------------------------------------------------------------------------


class QueueFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=[(s.value, s.label) for s in UNDECIDED_STATUSES]
    )
    bucket = django_filters.ChoiceFilter(
        field_name="bucket_at_submission", choices=[(b, b) for b in BUCKETS]
    )

    class Meta:
        model = ReliefApplication
        fields = ["status", "bucket"]


class ReviewQueueApi(generics.ListAPIView):
    """Cases not yet decided: highest priority first, then the soonest decision due."""

    permission_classes = [IsReviewer]
    serializer_class = QueueItemSerializer
    filterset_class = QueueFilter
    pagination_class = Pagination

    def get_queryset(self):
        return selectors.review_queue()

    @extend_schema(
        operation_id="review_queue_list",
        tags=["review"],
        responses={200: QueueItemSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)


def reviewer_view(application_id: int) -> dict:
    application = selectors.application_for_review(application_id)
    return ReviewApplicationSerializer(application, context={"viewer": REVIEWER}).data


class ReviewApplicationApi(APIView):
    """A case as a reviewer reads it."""

    permission_classes = [IsReviewer]

    @extend_schema(
        operation_id="review_applications_retrieve",
        tags=["review"],
        responses={200: ReviewApplicationSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, application_id: int) -> Response:
        return Response(reviewer_view(application_id))


class ReviewDecideApi(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(
        operation_id="review_applications_decide",
        tags=["review"],
        request=DecideSerializer,
        responses={
            200: OpenApiResponse(ReviewApplicationSerializer, description="The case after it."),
            **error_responses(400, 401, 403, 404, 409, 415),
        },
        description=(
            "approve (`percent`), reject (`reason_code`), request_info (`note` is the "
            "question), second_approve and second_return (senior reviewers). Large or "
            "out-of-policy approvals wait for a second approval. A stale `version` is a 409."
        ),
    )
    def post(self, request: Request, application_id: int) -> Response:
        selectors.application_for_review(application_id)  # 404 before judging the input
        serializer = DecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.relief_application_decide(
            application_id=application_id, reviewer=request.user, **serializer.validated_data
        )
        return Response(reviewer_view(application_id))


# --- satisfaction ---------------------------------------------------------------------------


class SatisfactionApi(APIView):
    """The borrower's answer to "How satisfied are you with how your request was handled?",
    once per application and moment (after the decision, after the waiver): again → 409."""

    permission_classes = [IsBorrower]

    @extend_schema(
        operation_id="relief_applications_satisfaction",
        tags=["relief-applications"],
        request=SatisfactionInputSerializer,
        responses={
            201: SatisfactionAnswerSerializer,
            **error_responses(400, 401, 403, 404, 409, 415),
        },
    )
    def post(self, request: Request, application_id: int) -> Response:
        borrower_application(request, application_id)
        given = SatisfactionInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        answer = satisfaction_answer(
            application_id=application_id, user=request.user, **given.validated_data
        )
        return Response(SatisfactionAnswerSerializer(answer).data, status=201)
