"""Exporting now: a report streamed to the person asking, or written to a file."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.conf import settings

from core import permissions
from core.errors import DomainError
from reports import writers
from reports.filters import ReportFilters
from reports.models import Export, ExportFormat, ExportLog
from reports.services.access import (
    CONTENT_TYPES,
    NOT_OPS,
    async_threshold,
    report_get,
)
from reports.services.audit import export_log_finish, export_log_write
from reports.services.background import export_request


@dataclass
class ExportDownload:
    """A report ready to send: chunks to stream, or a finished file (XLSX)."""

    filename: str
    content_type: str
    chunks: Iterator[bytes] | None = None
    file: IO[bytes] | None = None


def report_export(
    *,
    user,
    report_name: str,
    filters: ReportFilters,
    export_format: str,
    channel: str,
    language: str = "",
) -> ExportDownload | Export:
    """Export a report now, or, past REPORTS_ASYNC_THRESHOLD rows in any format, queue an
    `Export` for a task to build and return it (a report of groups never is).

    Logged either way; a streamed download's row count is written when the last row is.
    """
    if not permissions.can_view_ops_reports(user):
        raise DomainError(NOT_OPS, code="permission_denied", status=403)
    report = report_get(report_name)
    unmasked = permissions.can_export_unmasked(user)
    queryset = report.queryset(filters, unmasked=unmasked)
    rows = None if report.rows_of is None else report.rows_of(filters).count()
    if rows is not None and rows > async_threshold():
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
            report,
            queryset,
            header=writers.json_header(report, filters, unmasked),
            on_finish=finished,
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
            report, queryset, out, header=writers.json_header(report, filters, unmasked)
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
