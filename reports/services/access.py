"""Who may see the reports, and which report a name means."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from reports.models import ExportFormat
from reports.queries import REPORTS, Report

OPS_GROUP = "Ops"
UNMASKED_PERMISSION = "relief.export_unmasked"

UNKNOWN_REPORT = _("There is no report called “%(name)s”.")
NOT_OPS = _("Reports are for the Ops team.")

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.JSON: "application/json",
}


def is_ops(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.groups.filter(name=OPS_GROUP).exists())
    )


def may_export_unmasked(user) -> bool:
    return bool(user is not None and user.has_perm(UNMASKED_PERMISSION))


def report_get(name: str) -> Report:
    try:
        return REPORTS[name]
    except KeyError:
        raise DomainError(UNKNOWN_REPORT % {"name": name}, code="not_found", status=404) from None


def async_threshold() -> int:
    return settings.REPORTS_ASYNC_THRESHOLD
