"""Exports: streamed at once when small, built by a task when large; every one logged.

Who may see what: reports are for the Ops group; names, phones and ids are masked unless the
user holds `relief.export_unmasked` (docs/reports.md).
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from reports import writers
from reports.filters import ReportFilters
from reports.models import Export, ExportFormat, ExportLog
from reports.queries import REPORTS, Report

log = logging.getLogger(__name__)

OPS_GROUP = "Ops"
UNMASKED_PERMISSION = "relief.export_unmasked"
EXPORTS_DIR = "exports"

UNKNOWN_REPORT = _("There is no report called “%(name)s”.")
NOT_OPS = _("Reports are for the Ops team.")
EXPORT_NOT_FOUND = _("There is no such export.")
EXPORT_EXPIRED = _("This export has expired; ask for it again.")
EXPORT_NOT_READY = _("This export is not ready yet.")

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


def actor_of(user) -> str:
    return user.get_username() if user is not None else "command line"


def export_log_write(
    *,
    user,
    channel: str,
    report: Report,
    export_format: str,
    filters: ReportFilters,
    unmasked: bool,
    rows: int | None = None,
    export: Export | None = None,
    actor: str | None = None,
) -> ExportLog:
    """The audit entry of one export: who, which report, filters, rows, when."""
    now = timezone.now()
    return ExportLog.objects.create(
        user=user,
        actor=actor or actor_of(user),
        channel=channel,
        report=report.name,
        format=export_format,
        filters=filters.as_dict(),
        unmasked=unmasked,
        rows=rows,
        export=export,
        finished_at=now if rows is not None else None,
    )


def export_log_finish(entry_id: int, rows: int) -> None:
    ExportLog.objects.filter(pk=entry_id).update(rows=rows, finished_at=timezone.now())


# --- exporting now --------------------------------------------------------------------------


@dataclass
class ExportDownload:
    """A report ready to send: chunks to stream, or a finished file (XLSX)."""

    filename: str
    content_type: str
    chunks: Iterator[bytes] | None = None
    file: IO[bytes] | None = None


def json_header(report: Report, filters: ReportFilters, unmasked: bool) -> dict:
    return {
        "report": report.name,
        "title": str(report.title),
        "filters": filters.as_dict(),
        "masked": not unmasked,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
    }


def report_export(
    *,
    user,
    report_name: str,
    filters: ReportFilters,
    export_format: str,
    channel: str,
    language: str = "",
) -> ExportDownload | Export:
    """Export a report now, or, past REPORTS_ASYNC_THRESHOLD rows of CSV or XLSX, queue an
    `Export` for a task to build and return it (JSON is always streamed).

    Logged either way; a streamed download's row count is written when the last row is.
    """
    if not is_ops(user):
        raise DomainError(NOT_OPS, code="permission_denied", status=403)
    report = report_get(report_name)
    unmasked = may_export_unmasked(user)
    queryset = report.queryset(filters, unmasked=unmasked)
    if export_format != ExportFormat.JSON:
        rows = queryset.count()
        if rows > async_threshold():
            return export_request(
                user=user,
                report=report,
                filters=filters,
                export_format=export_format,
                unmasked=unmasked,
                language=language or settings.LANGUAGE_CODE,
                expected_rows=rows,
            )
    entry = export_log_write(
        user=user,
        channel=channel,
        report=report,
        export_format=export_format,
        filters=filters,
        unmasked=unmasked,
    )
    filename = f"{filters.file_stem(report.name)}.{export_format}"
    content_type = CONTENT_TYPES[export_format]

    def finished(rows: int) -> None:
        export_log_finish(entry.pk, rows)

    if export_format == ExportFormat.CSV:
        chunks = writers.csv_chunks(report, queryset, on_finish=finished)
        return ExportDownload(filename, content_type, chunks=chunks)
    if export_format == ExportFormat.JSON:
        chunks = writers.json_chunks(
            report, queryset, header=json_header(report, filters, unmasked), on_finish=finished
        )
        return ExportDownload(filename, content_type, chunks=chunks)
    # Spooled to disk: the workbook is a zip, written whole at the end.
    file = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    rows = writers.write_xlsx(report, queryset, file)
    file.seek(0)
    finished(rows)
    return ExportDownload(filename, content_type, file=file)


def report_write(
    *,
    report_name: str,
    filters: ReportFilters,
    export_format: str,
    out: IO[bytes],
    unmasked: bool = False,
    user=None,
    channel: str = ExportLog.Channel.COMMAND,
    actor: str | None = None,
) -> int:
    """Write a report into a file (the command line, scheduled jobs); returns the rows."""
    report = report_get(report_name)
    queryset = report.queryset(filters, unmasked=unmasked)
    if export_format == ExportFormat.CSV:
        rows = writers.write_csv(report, queryset, out)
    elif export_format == ExportFormat.XLSX:
        rows = writers.write_xlsx(report, queryset, out)
    else:
        rows = writers.write_json(
            report, queryset, out, header=json_header(report, filters, unmasked)
        )
    export_log_write(
        user=user,
        channel=channel,
        report=report,
        export_format=export_format,
        filters=filters,
        unmasked=unmasked,
        rows=rows,
        actor=actor,
    )
    return rows


# --- exporting later ------------------------------------------------------------------------


def export_enqueue(export_id: int) -> None:
    """Build after commit; with the broker away the export stays queued (the requester can
    ask again; docs/reports.md)."""
    from reports import tasks

    def send() -> None:
        try:
            tasks.build_export.delay(export_id)
        except Exception:  # broker down: the row says queued, nothing is lost
            log.warning("could not enqueue export %s", export_id, exc_info=True)

    transaction.on_commit(send)


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


class ProgressWriter:
    """Writes the rows done so far at most once a second, on its own short-lived connection:
    the export's own connection is busy with the COPY or inside the read transaction, and
    the progress must be visible to the page while the export runs."""

    def __init__(self, export_id: int, *, every_seconds: float = 1.0) -> None:
        self.export_id = export_id
        self.every_seconds = every_seconds
        self.last = 0.0

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        if now - self.last < self.every_seconds:
            return
        self.last = now
        thread = threading.Thread(target=self.write, args=(rows,), daemon=True)
        thread.start()
        thread.join()

    def write(self, rows: int) -> None:
        try:
            Export.objects.filter(pk=self.export_id).update(progress_rows=rows)
        except Exception:  # progress is a nicety; the export goes on
            log.warning("could not record progress of export %s", self.export_id, exc_info=True)
        finally:
            connection.close()


def export_file_path(export: Export) -> str:
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
    report = report_get(export.report)
    filters = ReportFilters.from_dict(export.filters)
    relative = export_file_path(export)
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    try:
        queryset = report.queryset(filters, unmasked=export.unmasked)
        progress = ProgressWriter(export.pk)
        # Headers (XLSX) in the requester's language, as the page they asked from.
        with translation.override(export.language), partial.open("wb") as out:
            if export.format == ExportFormat.CSV:
                rows = writers.write_csv(report, queryset, out, progress=progress)
            elif export.format == ExportFormat.XLSX:
                rows = writers.write_xlsx(report, queryset, out, progress=progress)
            else:
                header = json_header(report, filters, export.unmasked)
                rows = writers.write_json(report, queryset, out, header=header, progress=progress)
        os.replace(partial, target)
    except Exception as exc:
        log.exception("export %s failed", export_id)
        partial.unlink(missing_ok=True)
        Export.objects.filter(pk=export_id).update(
            status=Export.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        export.refresh_from_db()
        return export
    return export_finish(export_id=export_id, rows=rows, file_path=relative)


@transaction.atomic
def export_finish(*, export_id: int, rows: int, file_path: str) -> Export:
    from relief.services.notifications import notify

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


def export_for_download(*, user, export_id: int, token: str) -> tuple[Export, Path]:
    """The file of a finished export, for its requester only, until it expires.

    Another user's export, a wrong token or a missing file → 404; expired → 410. An unmasked
    file needs the permission still held now.
    """
    export = export_of_user(user=user, export_id=export_id)
    if not constant_time_compare(export.token, token) or (
        export.unmasked and not may_export_unmasked(user)
    ):
        raise DomainError(EXPORT_NOT_FOUND, code="not_found", status=404)
    if export.expires_at <= timezone.now():
        raise DomainError(EXPORT_EXPIRED, code="gone", status=410)
    if export.status != Export.Status.DONE or not export.file_path:
        raise DomainError(EXPORT_NOT_READY, code="not_ready", status=404)
    path = Path(settings.MEDIA_ROOT) / export.file_path
    if not path.is_file():
        raise DomainError(EXPORT_NOT_FOUND, code="not_found", status=404)
    return export, path


def exports_of_user(user):
    return Export.objects.filter(requester=user).order_by("-created_at", "-id")


def exports_purge_expired(*, now=None) -> int:
    """Delete the files of expired exports (the rows stay, for the record)."""
    now = now or timezone.now()
    purged = 0
    for export in Export.objects.filter(expires_at__lte=now).exclude(file_path=""):
        (Path(settings.MEDIA_ROOT) / export.file_path).unlink(missing_ok=True)
        Export.objects.filter(pk=export.pk).update(file_path="")
        purged += 1
    return purged
