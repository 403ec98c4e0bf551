"""The REST API, version 1 (`/api/v1/`), the OpenAPI schema and its docs (mounted at `api/`)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView

from core.api import AuthTokenApi, api_not_found
from core.schema import EnglishSchemaView
from learn import api as learn_api
from loans import api as loans_api
from relief import api as relief_api
from risk import api as risk_api
from servicing import api as servicing_api

v1 = [
    path("auth/token/", AuthTokenApi.as_view(), name="token"),
    # Borrower
    path("loans/", loans_api.LoanListApi.as_view(), name="loans"),
    path("loans/<int:loan_id>/", loans_api.LoanDetailApi.as_view(), name="loan"),
    path(
        "loans/<int:loan_id>/relief-quote/",
        relief_api.LoanQuoteApi.as_view(),
        name="loan-relief-quote",
    ),
    path(
        "loans/<int:loan_id>/arrangement-quote/",
        relief_api.LoanArrangementQuoteApi.as_view(),
        name="loan-arrangement-quote",
    ),
    path(
        "relief-applications/",
        relief_api.ApplicationListApi.as_view(),
        name="relief-applications",
    ),
    path(
        "relief-applications/<int:application_id>/",
        relief_api.ApplicationDetailApi.as_view(),
        name="relief-application",
    ),
    path(
        "relief-applications/<int:application_id>/evidence/",
        relief_api.EvidenceUploadApi.as_view(),
        name="relief-application-evidence",
    ),
    path(
        "relief-applications/<int:application_id>/withdraw/",
        relief_api.WithdrawApi.as_view(),
        name="relief-application-withdraw",
    ),
    path(
        "relief-applications/<int:application_id>/accept/",
        relief_api.AcceptApi.as_view(),
        name="relief-application-accept",
    ),
    path(
        "relief-applications/<int:application_id>/decline/",
        relief_api.DeclineApi.as_view(),
        name="relief-application-decline",
    ),
    path(
        "relief-applications/<int:application_id>/answer/",
        relief_api.AnswerApi.as_view(),
        name="relief-application-answer",
    ),
    path(
        "relief-applications/<int:application_id>/satisfaction/",
        relief_api.SatisfactionApi.as_view(),
        name="relief-application-satisfaction",
    ),
    path("notifications/", relief_api.NotificationListApi.as_view(), name="notifications"),
    path("me/preferences/", loans_api.PreferencesApi.as_view(), name="me-preferences"),
    path("articles/", learn_api.ArticleListApi.as_view(), name="articles"),
    path("articles/<slug:slug>/", learn_api.ArticleDetailApi.as_view(), name="article"),
    path(
        "notifications/<int:notification_id>/read/",
        relief_api.NotificationReadApi.as_view(),
        name="notification-read",
    ),
    # Reviewer
    path("review/queue/", relief_api.ReviewQueueApi.as_view(), name="review-queue"),
    path(
        "review/applications/<int:application_id>/",
        relief_api.ReviewApplicationApi.as_view(),
        name="review-application",
    ),
    path(
        "review/applications/<int:application_id>/decide/",
        relief_api.ReviewDecideApi.as_view(),
        name="review-decide",
    ),
    # Ops: early warning
    path("risk/loans/", risk_api.ScoredLoanListApi.as_view(), name="risk-loans"),
    # Servicing system
    path(
        "servicing/loans/<str:external_id>/",
        servicing_api.ServicingLoanApi.as_view(),
        name="servicing-loan",
    ),
    path(
        "servicing/repayments/",
        servicing_api.ServicingRepaymentApi.as_view(),
        name="servicing-repayments",
    ),
]

# Ops: `GET reports/{name}/` and its exports (group Ops), from the reports app.
v1.append(path("", include("reports.api")))

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="api-v1")),
    # In English whatever the reader's language: clients are generated from it.
    path("schema/", EnglishSchemaView.as_view(), name="api-schema"),
    # The split view serves its init script as a file (`?script`): no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Anything else under /api/ is a JSON 404, also with DEBUG on.
    re_path(r"^.*$", api_not_found),
]
