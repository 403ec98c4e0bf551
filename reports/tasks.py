"""Celery tasks of the reports: each takes an id and calls a service."""

from celery import shared_task
from django.conf import settings


@shared_task(
    name="reports.build_export",
    # Exports run for minutes, far longer than the project's default task limits.
    soft_time_limit=settings.REPORTS_EXPORT_TIME_LIMIT,
    time_limit=settings.REPORTS_EXPORT_TIME_LIMIT + 60,
)
def build_export(export_id: int) -> str:
    from reports.services import export_build

    return export_build(export_id=export_id).status


@shared_task(name="reports.purge_expired_exports")
def purge_expired_exports() -> int:
    """Daily: delete the files of exports past their 7 days."""
    from reports.services import exports_purge_expired

    return exports_purge_expired()
