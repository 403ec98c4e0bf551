"""Which report a name means, and what the refusal says to someone who may not see reports
(who may is core.permissions: `can_view_ops_reports`, `can_export_unmasked`)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from reports.models import ExportFormat
from reports.queries import REPORTS, Report

UNKNOWN_REPORT = _("There is no report called “%(name)s”.")
NOT_OPS = _("Reports are for the Ops team.")

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.JSON: "application/json",
}


def report_get(name: str) -> Report:
    try:
        return REPORTS[name]
    except KeyError:
        raise DomainError(UNKNOWN_REPORT % {"name": name}, code="not_found", status=404) from None


def async_threshold() -> int:
    return settings.REPORTS_ASYNC_THRESHOLD
