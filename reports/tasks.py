"""Celery tasks of the reports: each takes an id and calls a service.

The services enqueue these tasks and these call the services: both import the other as a
module and look a function up only when it runs, so either may be imported first.
"""

from celery import shared_task
from django.conf import settings

from reports.services import background


@shared_task(
    name="reports.build_export",
    # Exports run for minutes, far longer than the project's default task limits.
    soft_time_limit=settings.REPORTS_EXPORT_TIME_LIMIT,
    time_limit=settings.REPORTS_EXPORT_TIME_LIMIT + 60,
)
def build_export(export_id: int) -> str:
    return background.export_build(export_id=export_id).status


@shared_task(name="reports.purge_expired_exports")
def purge_expired_exports() -> int:
    """Daily: delete the files of exports past their 7 days."""
    return background.exports_purge_expired()
