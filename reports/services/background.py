"""Exporting later: large exports queued, built by a task, downloaded by their requester."""

from __future__ import annotations

import logging
import tempfile
import time
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from core import permissions, publishing
from core.errors import DomainError
from relief.services.notifications import notify
from reports import tasks, writers
from reports.filters import ReportFilters
from reports.models import Export, ExportFormat, ExportLog
from reports.progress import progress_forget, progress_record
from reports.queries import Report
from reports.services.access import report_get
from reports.services.audit import export_log_write

log = logging.getLogger(__name__)

EXPORTS_DIR = "exports"
EXPORT_NOT_FOUND = _("There is no such export.")
EXPORT_EXPIRED = _("This export has expired; ask for it again.")
EXPORT_NOT_READY = _("This export is not ready yet.")


def export_enqueue(export_id: int) -> None:
    """Build after commit; with the broker away the export stays queued (the requester can
    ask again; docs/reports.md)."""
    publishing.publish_on_commit(tasks.build_export, export_id, what=f"export {export_id}")


@transaction.atomic
def export_request(
    *,
    user,
    report: Report,
    filters: ReportFilters,
    export_format: str,
    unmasked: bool,
    language: str,
    expected_rows: int | None = None,
) -> Export:
    """Queue an export for the background worker."""
    export = Export.objects.create(
        requester=user,
        report=report.name,
        filters=filters.as_dict(),
        format=export_format,
        unmasked=unmasked,
        language=language,
        row_count=expected_rows,
        expires_at=timezone.now() + timedelta(days=settings.REPORTS_EXPORT_TTL_DAYS),
    )
    export_enqueue(export.pk)
    return export


class ExportProgress:
    """Records the rows written so far at most once a second (`reports.progress`), for the
    export's page while it runs."""

    def __init__(self, export_id: int, *, every_seconds: float = 1.0) -> None:
        self.export_id = export_id
        self.every_seconds = every_seconds
        self.last = 0.0

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        if now - self.last >= self.every_seconds:
            self.last = now
            progress_record(self.export_id, rows)


def export_file_name(export: Export) -> str:
    """The file's name in the default storage."""
    return f"{EXPORTS_DIR}/{export.pk}-{export.token[:16]}.{export.format}"


def export_download_url(export: Export) -> str:
    return reverse("ops-export-download", args=[export.pk, export.token])


def export_build(*, export_id: int) -> Export:
    """Build a queued export's file, then tell the requester (once) where to get it.

    Runs again from the start when redelivered while running (a worker lost mid-way);
    a finished export is left as it is.
    """
    with transaction.atomic():
        export = Export.objects.select_for_update().get(pk=export_id)
        if export.status == Export.Status.DONE:
            return export
        export.status = Export.Status.RUNNING
        export.started_at = timezone.now()
        export.progress_rows = 0
        export.error = ""
        export.save(update_fields=["status", "started_at", "progress_rows", "error"])
    progress_forget(export_id)  # a lost build's count
    report = report_get(export.report)
    filters = ReportFilters.from_dict(export.filters)
    name = export_file_name(export)
    try:
        # Written into a local temporary file, then handed to the storage whole (a remote
        # storage uploads it in one go; the database's COPY writes into a local file).
        with tempfile.TemporaryFile() as spool:
            rows = _write_export(export, report, filters, spool)
            default_storage.delete(name)  # left by a build lost after storing it
            stored = default_storage.save(name, File(spool))
    except Exception as exc:
        log.exception("export %s failed", export_id)
        _discard(name)
        progress_forget(export_id)
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        export.refresh_from_db()
        return export
    return export_finish(export_id=export_id, rows=rows, file_path=stored)


def _discard(name: str) -> None:
    try:
        default_storage.delete(name)
    except Exception:  # the storage is away: the file stays, linked from nowhere
        log.warning("could not delete %s", name, exc_info=True)


def _write_export(export: Export, report: Report, filters: ReportFilters, out) -> int:
    queryset = report.queryset(filters, unmasked=export.unmasked)
    progress = ExportProgress(export.pk)
    # Headers (XLSX) in the requester's language, as the page they asked from.
    with translation.override(export.language):
        if export.format == ExportFormat.CSV:
            return writers.write_csv(report, queryset, out, progress=progress)
        if export.format == ExportFormat.XLSX:
            return writers.write_xlsx(report, queryset, out, progress=progress)
        header = writers.json_header(report, filters, export.unmasked)
        return writers.write_json(report, queryset, out, header=header, progress=progress)


@transaction.atomic
def export_finish(*, export_id: int, rows: int, file_path: str) -> Export:
    export = Export.objects.select_for_update().select_related("requester").get(pk=export_id)
    now = timezone.now()
    export.status = Export.Status.DONE
    export.row_count = rows
    export.progress_rows = rows
    export.file_path = file_path
    export.finished_at = now
    export.expires_at = now + timedelta(days=settings.REPORTS_EXPORT_TTL_DAYS)
    export.save(
        update_fields=[
            "status",
            "row_count",
            "progress_rows",
            "file_path",
            "finished_at",
            "expires_at",
        ]
    )
    transaction.on_commit(lambda: progress_forget(export_id))
    report = report_get(export.report)
    export_log_write(
        user=export.requester,
        channel=ExportLog.Channel.TASK,
        report=report,
        export_format=export.format,
        filters=ReportFilters.from_dict(export.filters),
        unmasked=export.unmasked,
        rows=rows,
        export=export,
    )
    notify(
        recipient=export.requester,
        kind="export_ready",
        language=export.language,
        channel_preference=None,
        context={"export": export, "report_title": report.title},
        dedup_key=f"export:{export.pk}",
        link=export_download_url(export),
    )
    return export


def export_of_user(*, user, export_id: int) -> Export:
    """One of the user's own exports (anyone else's does not exist for them)."""
    try:
        return Export.objects.get(pk=export_id, requester=user)
    except Export.DoesNotExist:
        raise DomainError(EXPORT_NOT_FOUND, code="not_found", status=404) from None


def export_for_download(*, user, export_id: int, token: str) -> tuple[Export, File]:
    """The file of a finished export, opened, for its requester only, until it expires.

    Another user's export, a wrong token or a missing file → 404; expired → 410. An unmasked
    file needs the permission still held now.
    """
    export = export_of_user(user=user, export_id=export_id)
    if not constant_time_compare(export.token, token) or (
        export.unmasked and not permissions.can_export_unmasked(user)
    ):
        raise DomainError(EXPORT_NOT_FOUND, code="not_found", status=404)
    if export.expires_at <= timezone.now():
        raise DomainError(EXPORT_EXPIRED, code="gone", status=410)
    if export.status != Export.Status.DONE or not export.file_path:
        raise DomainError(EXPORT_NOT_READY, code="not_ready", status=404)
    try:
        return export, default_storage.open(export.file_path, "rb")
    except FileNotFoundError:
        raise DomainError(EXPORT_NOT_FOUND, code="not_found", status=404) from None


def exports_of_user(user):
    return Export.objects.filter(requester=user).order_by("-created_at", "-id")


def exports_purge_expired(*, now=None) -> int:
    """Delete the files of expired exports (the rows stay, for the record)."""
    now = now or timezone.now()
    purged = 0
    for export in Export.objects.filter(expires_at__lte=now).exclude(file_path=""):
        default_storage.delete(export.file_path)
        Export.objects.filter(pk=export.pk).update(file_path="")
        purged += 1
    return purged
