"""`GET /api/v1/reports/{name}/?from=D&to=D&product=P&format=json|csv|xlsx` (group Ops).

config/api_urls.py includes `urlpatterns` below at `v1/`. A report of up to
REPORTS_ASYNC_THRESHOLD rows comes back at once; a larger one, in any format, answers 202
with the queued export, whose status is at `reports/exports/{id}/` and file at
`reports/exports/{id}/file/`.
"""

from __future__ import annotations

from django.http import FileResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import IsOps, error_responses
from core.errors import DomainError
from reports import services
from reports.filters import ReportFilters
from reports.forms import ReportFilterForm
from reports.models import Export, ExportFormat, ExportLog
from reports.queries import REPORTS
from reports.responses import download_response

INVALID_FILTERS = _("Some of the filters are not valid.")
# JSON first: the format when none is asked for.
API_FORMATS = (ExportFormat.JSON, ExportFormat.CSV, ExportFormat.XLSX)


class FormatIsAParameter(BaseContentNegotiation):
    """`format` here picks the report's file format, not DRF's renderer: answer (and report
    errors) in JSON whatever it says."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    report = serializers.CharField()
    format = serializers.CharField()
    filters = serializers.DictField(child=serializers.CharField(allow_blank=True))
    status = serializers.CharField()
    rows = serializers.IntegerField(allow_null=True, source="row_count")
    progress_rows = serializers.IntegerField()
    progress_percent = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField()
    status_url = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()

    def _url(self, name: str, export: Export) -> str:
        request = self.context["request"]
        namespace = request.resolver_match.namespace if request.resolver_match else ""
        try:
            url = reverse(f"{namespace}:{name}" if namespace else name, args=[export.pk])
        except NoReverseMatch:
            return ""
        return request.build_absolute_uri(url)

    def get_status_url(self, export: Export) -> str:
        return self._url("report-export", export)

    def get_file_url(self, export: Export) -> str | None:
        if export.status != Export.Status.DONE:
            return None
        return self._url("report-export-file", export)


def parse_filters(request: Request) -> tuple[ReportFilters, str]:
    form = ReportFilterForm(request.query_params, formats=API_FORMATS)
    if not form.is_valid():
        raise DomainError(INVALID_FILTERS, code="invalid", fields=form.error_fields())
    return form.filters(), form.cleaned_data["format"]


class ReportApi(APIView):
    """A report as JSON (streamed), CSV (UTF-8 with BOM) or XLSX."""

    permission_classes = [IsAuthenticated, IsOps]
    content_negotiation_class = FormatIsAParameter

    @extend_schema(
        operation_id="reports_get",
        tags=["reports"],
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First submission day"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last submission day"),
            OpenApiParameter("product", str, description="Loan product code"),
            OpenApiParameter("format", str, enum=[str(f) for f in API_FORMATS]),
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiTypes.BINARY,
            (202, "application/json"): ExportSerializer,
            **error_responses(400, 401, 403, 404),
        },
        description=(
            "Names: " + ", ".join(REPORTS) + ". Dates are local (Asia/Shanghai) submission "
            "days, both included; by default the last 30 days. Personal data is masked "
            "unless the user holds relief.export_unmasked."
        ),
    )
    def get(self, request: Request, name: str):
        services.report_get(name)
        filters, export_format = parse_filters(request)
        result = services.report_export(
            user=request.user,
            report_name=name,
            filters=filters,
            export_format=export_format,
            channel=ExportLog.Channel.API,
            language=translation.get_language() or "",
        )
        if isinstance(result, Export):
            body = ExportSerializer(result, context={"request": request}).data
            return Response({"export": body}, status=202, headers={"Location": body["status_url"]})
        return download_response(result)


class ExportApi(APIView):
    """A queued export of the signed-in user: status and progress."""

    permission_classes = [IsAuthenticated, IsOps]

    @extend_schema(
        operation_id="reports_export",
        tags=["reports"],
        responses={200: ExportSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, export_id: int) -> Response:
        export = services.export_of_user(user=request.user, export_id=export_id)
        return Response(ExportSerializer(export, context={"request": request}).data)


class ExportFileApi(APIView):
    """The file of a finished export: only for the requester, for 7 days (then 410)."""

    permission_classes = [IsAuthenticated, IsOps]

    @extend_schema(
        operation_id="reports_export_file",
        tags=["reports"],
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            **error_responses(401, 403, 404, 410),
        },
    )
    def get(self, request: Request, export_id: int):
        export = services.export_of_user(user=request.user, export_id=export_id)
        export, file = services.export_for_download(
            user=request.user, export_id=export.pk, token=export.token
        )
        filters = ReportFilters.from_dict(export.filters)
        response = FileResponse(
            file,
            as_attachment=True,
            filename=f"{filters.file_stem(export.report)}.{export.format}",
            content_type=services.CONTENT_TYPES[export.format],
        )
        response["Cache-Control"] = "no-store"
        return response


urlpatterns = [
    path("reports/<str:name>/", ReportApi.as_view(), name="report"),
    path("reports/exports/<int:export_id>/", ExportApi.as_view(), name="report-export"),
    path(
        "reports/exports/<int:export_id>/file/",
        ExportFileApi.as_view(),
        name="report-export-file",
    ),
]
