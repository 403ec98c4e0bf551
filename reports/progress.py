"""How far a running export has got, kept in the cache under an explicit key.

The export's own database connection is busy with its query while it runs (a COPY, or a
server-side cursor inside its read transaction), so the rows written so far go to the cache
instead: Redis when CACHE_URL is set, which every web process and worker share. The export's
row (`Export.from_db`) shows them while it runs; the final count goes to the row at the end.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)


def progress_key(export_id: int) -> str:
    return f"reports:export-progress:{export_id}"


def progress_record(export_id: int, rows: int) -> None:
    """Kept a little longer than a build may run (its hard time limit)."""
    try:
        cache.set(progress_key(export_id), rows, settings.REPORTS_EXPORT_TIME_LIMIT + 120)
    except Exception:  # progress is a nicety; the export goes on
        log.warning("could not record progress of export %s", export_id, exc_info=True)


def progress_read(export_id: int) -> int | None:
    try:
        return cache.get(progress_key(export_id))
    except Exception:  # the page shows the last figure in the database instead
        log.warning("could not read progress of export %s", export_id, exc_info=True)
        return None


def progress_forget(export_id: int) -> None:
    try:
        cache.delete(progress_key(export_id))
    except Exception:  # it expires by itself
        log.warning("could not forget progress of export %s", export_id, exc_info=True)
