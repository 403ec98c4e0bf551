"""The export log: every export, whoever made it and however."""

from __future__ import annotations

from django.utils import timezone

from reports.filters import ReportFilters
from reports.models import Export, ExportLog
from reports.queries import Report


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
