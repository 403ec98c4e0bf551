"""A report as JSON: `{…about the export, "columns", "results": [{…}, …], "count"}`, streamed.

Money as strings with two decimals (api.md), times in ISO 8601 with their offset, hours and
rates as numbers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone

from reports.filters import ReportFilters, local_zone
from reports.queries import DATE, DATETIME, MONEY, MONTH, NUMBER, RATIO, Report
from reports.writers.rows import CHUNK_BYTES, PROGRESS_EVERY_ROWS, Progress, streamed


def json_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == MONEY:
        return f"{Decimal(value):.2f}"
    if kind in (NUMBER, RATIO):
        return float(value)
    if kind == DATETIME:
        return timezone.localtime(value, local_zone()).isoformat(timespec="seconds")
    if kind == MONTH:
        return value.strftime("%Y-%m")
    if kind == DATE:
        return value.isoformat()
    return value


def json_header(report: Report, filters: ReportFilters, unmasked: bool) -> dict[str, Any]:
    """What a JSON export says about itself before its rows."""
    return {
        "report": report.name,
        "title": str(report.title),
        "filters": filters.as_dict(),
        "masked": not unmasked,
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
    }


def json_chunks(
    report: Report,
    queryset: QuerySet,
    *,
    header: dict[str, Any],
    on_finish: Progress | None = None,
    progress: Progress | None = None,
) -> Iterator[bytes]:
    """The export in chunks of about CHUNK_BYTES; `on_finish(rows)` once the last has gone."""
    names = report.column_names
    kinds = [column.kind for column in report.columns]
    opening = {**header, "columns": names}
    yield (json.dumps(opening, ensure_ascii=False)[:-1] + ', "results": [').encode()
    rows = 0
    parts: list[str] = []
    size = 0
    with streamed(queryset) as records:
        for record in records:
            item = {
                name: json_value(kind, value)
                for name, kind, value in zip(names, kinds, record, strict=True)
            }
            text = ("," if rows else "") + json.dumps(item, ensure_ascii=False, default=str)
            parts.append(text)
            size += len(text)
            rows += 1
            if size >= CHUNK_BYTES:
                yield "".join(parts).encode()
                parts, size = [], 0
            if progress and rows % PROGRESS_EVERY_ROWS == 0:
                progress(rows)
    parts.append(f'], "count": {rows}}}')
    yield "".join(parts).encode()
    if on_finish:
        on_finish(rows)


def write_json(
    report: Report,
    queryset: QuerySet,
    out: IO[bytes],
    *,
    header: dict[str, Any],
    progress: Progress | None = None,
) -> int:
    """The export into a binary file; returns the rows."""
    finished: list[int] = []
    for chunk in json_chunks(
        report, queryset, header=header, on_finish=finished.append, progress=progress
    ):
        out.write(chunk)
    return finished[0]
