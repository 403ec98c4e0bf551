"""Writing a report's rows as CSV, XLSX or JSON, streamed: memory never grows with the rows.

CSV on PostgreSQL is `COPY (the report's query) TO STDOUT WITH CSV HEADER`, the query compiled
from the report's queryset; everywhere else (SQLite) the same queryset is iterated. Both give
the same text for every column kind. JSON and XLSX iterate the queryset in chunks (a
server-side cursor on PostgreSQL).
"""

from __future__ import annotations

import csv
import io
import json
import queue
import re
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from reports import xlsx
from reports.filters import ReportFilters, local_zone
from reports.queries import BOOL, DATE, DATETIME, INT, MONEY, MONTH, NUMBER, TEXT, Column, Report

BOM = "\ufeff".encode()
CHUNK_BYTES = 256 * 1024
ITERATOR_CHUNK_ROWS = 2000
PROGRESS_EVERY_ROWS = 5000
# Excel's limit is 1,048,576 rows a sheet; the header takes one.
XLSX_MAX_DATA_ROWS = 1_048_575
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV
# injection); such text gets a leading apostrophe in CSV.
FORMULA_START = re.compile(r"^[-=+@\t\r]")
FORMULA_START_SQL = r"'^[-=+@\t\r]'"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"

Progress = Callable[[int], None]


def use_copy() -> bool:
    return connection.vendor == "postgresql"


def rows_of(queryset: QuerySet) -> Iterator[tuple]:
    return queryset.iterator(chunk_size=ITERATOR_CHUNK_ROWS)


# --- values per format -------------------------------------------------------------------------


def csv_text(kind: str, value: Any) -> Any:
    """A value as the CSV has it: the same text COPY writes (see `copy_select`)."""
    if value is None:
        return None
    if kind == TEXT:
        return f"'{value}" if FORMULA_START.match(value) else value
    if kind == BOOL:
        return "true" if value else "false"
    if kind == DATETIME:
        return timezone.localtime(value, local_zone()).strftime(DATETIME_FORMAT)
    if kind == MONTH:
        return value.strftime("%Y-%m")
    if kind == DATE:
        return value.isoformat()
    if kind == MONEY:
        return f"{Decimal(value):.2f}"
    if kind == NUMBER:
        return f"{Decimal(value):.1f}"
    return str(value)


def json_value(kind: str, value: Any) -> Any:
    """JSON: money as a string with two decimals (api.md), times in ISO 8601 with offset."""
    if value is None:
        return None
    if kind == MONEY:
        return f"{Decimal(value):.2f}"
    if kind == NUMBER:
        return float(value)
    if kind == DATETIME:
        return timezone.localtime(value, local_zone()).isoformat(timespec="seconds")
    if kind == MONTH:
        return value.strftime("%Y-%m")
    if kind == DATE:
        return value.isoformat()
    return value


def xlsx_value(kind: str, value: Any) -> Any:
    """XLSX: times as local times (Excel has no time zones), months as text."""
    if value is None:
        return None
    if kind == DATETIME:
        return timezone.localtime(value, local_zone()).replace(tzinfo=None)
    if kind == MONTH:
        return value.strftime("%Y-%m")
    return value


# --- CSV ---------------------------------------------------------------------------------------


def copy_select(column: Column, source: str, zone_literal: str) -> str:
    """The SQL that writes one column as `csv_text` does."""
    if column.kind == TEXT:
        return f"CASE WHEN {source} ~ {FORMULA_START_SQL} THEN '''' || {source} ELSE {source} END"
    if column.kind == BOOL:
        return f"CASE WHEN {source} THEN 'true' WHEN NOT {source} THEN 'false' END"
    if column.kind == DATETIME:
        return f"to_char({source} AT TIME ZONE {zone_literal}, 'YYYY-MM-DD HH24:MI:SS')"
    if column.kind == MONTH:
        return f"to_char({source}, 'YYYY-MM')"
    if column.kind == DATE:
        return f"to_char({source}, 'YYYY-MM-DD')"
    return source


def copy_statement(report: Report, queryset: QuerySet) -> str:
    """`COPY (…) TO STDOUT WITH CSV HEADER` around the report's own query.

    The inner query is the queryset's SQL with its parameters bound by psycopg2 (mogrify);
    its columns are renamed by position, so the ORM's aliases do not matter.
    """
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        inner = cursor.mogrify(sql, params).decode()
        zone_literal = cursor.mogrify("%s", [str(local_zone())]).decode()
    positions = [f"c{index}" for index in range(len(report.columns))]
    select = ", ".join(
        f'{copy_select(column, f"r.{position}", zone_literal)} AS "{column.name}"'
        for column, position in zip(report.columns, positions, strict=True)
    )
    # Safe: the inner query is bound by psycopg2, the rest is our own column SQL and names.
    return (
        f"COPY (SELECT {select} FROM ({inner}) AS r({', '.join(positions)})) "  # noqa: S608  # nosec B608  # params bound by mogrify
        "TO STDOUT WITH (FORMAT csv, HEADER true)"
    )


class _CountingFile:
    """What COPY writes into: counts the rows (psycopg2 writes one row per call) and passes
    the data on."""

    def __init__(self, out: IO[bytes], progress: Progress | None) -> None:
        self.out = out
        self.progress = progress
        self.writes = 0

    def write(self, data: bytes) -> None:
        self.out.write(data)
        self.writes += 1
        if self.progress and self.writes % PROGRESS_EVERY_ROWS == 0:
            self.progress(self.writes - 1)  # the first write is the header


def write_csv(
    report: Report, queryset: QuerySet, out: IO[bytes], *, progress: Progress | None = None
) -> int:
    """The report as CSV (UTF-8 with a BOM) into a binary file; returns the rows written."""
    out.write(BOM)
    if use_copy():
        sql = copy_statement(report, queryset)
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.copy_expert(sql, _CountingFile(out, progress))
            return cursor.rowcount
    rows = 0
    for chunk, rows in _python_csv_chunks(report, queryset, progress):  # noqa: B007
        out.write(chunk)
    return rows


def _python_csv_chunks(
    report: Report, queryset: QuerySet, progress: Progress | None = None
) -> Iterator[tuple[bytes, int]]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(report.column_names)
    kinds = [column.kind for column in report.columns]
    rows = 0
    for row in rows_of(queryset):
        writer.writerow([csv_text(kind, value) for kind, value in zip(kinds, row, strict=True)])
        rows += 1
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode(), rows
            buffer.seek(0)
            buffer.truncate()
        if progress and rows % PROGRESS_EVERY_ROWS == 0:
            progress(rows)
    yield buffer.getvalue().encode(), rows


class _QueueFile:
    """What COPY writes into when streaming: gathers rows into chunks for the response.

    The queue is bounded, so a slow client slows the COPY instead of filling memory.
    Once the reader has gone, data is dropped: COPY is being cancelled and psycopg2 must
    read it to the end to leave the connection usable.
    """

    def __init__(self, chunks: queue.Queue, gone: threading.Event) -> None:
        self.chunks = chunks
        self.gone = gone
        self.buffer = bytearray()

    def write(self, data: bytes) -> None:
        if self.gone.is_set():
            return
        self.buffer += data
        if len(self.buffer) >= CHUNK_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.put(bytes(self.buffer))
            self.buffer.clear()

    def put(self, item) -> None:
        while not self.gone.is_set():
            try:
                self.chunks.put(item, timeout=0.2)
                return
            except queue.Full:
                continue


_DONE = object()


def _copy_chunks(sql: str, result: dict) -> Iterator[bytes]:
    """Run COPY in a helper thread on this thread's connection (psycopg2 connections may be
    shared between threads) and yield its output in chunks as it comes.

    The same connection, not a new one: the COPY sees exactly what this request sees, its
    transaction included.
    """
    connection.ensure_connection()
    raw = connection.connection
    chunks: queue.Queue = queue.Queue(maxsize=8)
    gone = threading.Event()
    sink = _QueueFile(chunks, gone)

    def run() -> None:
        try:
            with raw.cursor() as cursor:
                cursor.copy_expert(sql, sink)
                result["rows"] = cursor.rowcount
            sink.flush()
        except BaseException as exc:  # handed to the reader, raised there
            result["error"] = exc
        finally:
            sink.put(_DONE)

    worker = threading.Thread(target=run, name="report-copy", daemon=True)
    worker.start()
    finished = False
    try:
        while True:
            item = chunks.get()
            if item is _DONE:
                finished = True
                break
            yield item
    finally:
        if not finished:
            # The client went away: stop the query on the server, let the thread end.
            gone.set()
            raw.cancel()
            worker.join()
            if connection.in_atomic_block:
                transaction.set_rollback(True)
        worker.join()
    if "error" in result:
        if connection.in_atomic_block:
            transaction.set_rollback(True)
        raise result["error"]


def csv_chunks(
    report: Report, queryset: QuerySet, *, on_finish: Progress | None = None
) -> Iterator[bytes]:
    """The report as CSV (UTF-8 with a BOM) in chunks, for a streaming response.

    `on_finish(rows)` is called once the last row has been produced.
    """
    yield BOM
    if use_copy():
        result: dict = {}
        yield from _copy_chunks(copy_statement(report, queryset), result)
        rows = result.get("rows", 0)
    else:
        rows = 0
        for chunk, rows in _python_csv_chunks(report, queryset):  # noqa: B007
            if chunk:
                yield chunk
    if on_finish:
        on_finish(rows)


# --- XLSX --------------------------------------------------------------------------------------


XLSX_CELLS = {
    INT: xlsx.CELL_INTEGER,
    MONEY: xlsx.CELL_MONEY,
    NUMBER: xlsx.CELL_DECIMAL,
    BOOL: xlsx.CELL_BOOL,
    DATE: xlsx.CELL_DATE,
    DATETIME: xlsx.CELL_DATETIME,
}


def write_xlsx(
    report: Report,
    queryset: QuerySet,
    out: IO[bytes] | str,
    *,
    progress: Progress | None = None,
    max_rows_per_sheet: int | None = None,
) -> int:
    """The report as an XLSX workbook, streamed into the file as rows come. Past Excel's row
    limit (or the size a sheet may reach, `XlsxWriter.sheet_full`) the rows continue on a
    further sheet, with the header again."""
    max_rows = max_rows_per_sheet or XLSX_MAX_DATA_ROWS
    kinds = [column.kind for column in report.columns]
    # Only times and months need changing on the way; every other value goes as it is.
    converted = [(index, kind) for index, kind in enumerate(kinds) if kind in (DATETIME, MONTH)]
    header = [str(column.label) for column in report.columns]
    rows = 0
    with xlsx.XlsxWriter(out, [XLSX_CELLS.get(kind, xlsx.CELL_TEXT) for kind in kinds]) as book:
        book.add_sheet(report.name[:25], header)
        with transaction.atomic():  # a server-side cursor that streams, not one held to commit
            for row in rows_of(queryset):
                if book.sheet_rows >= max_rows or book.sheet_full:
                    book.add_sheet(report.name[:25], header)
                if converted:
                    row = list(row)
                    for index, kind in converted:
                        row[index] = xlsx_value(kind, row[index])
                book.write_row(row)
                rows += 1
                if progress and rows % PROGRESS_EVERY_ROWS == 0:
                    progress(rows)
    return rows


# --- JSON --------------------------------------------------------------------------------------


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
    """`{…header, "columns": [...], "results": [{…}, …], "count": N}`, streamed."""
    names = report.column_names
    kinds = [column.kind for column in report.columns]
    opening = {**header, "columns": names}
    yield (json.dumps(opening, ensure_ascii=False)[:-1] + ', "results": [').encode()
    rows = 0
    parts: list[str] = []
    size = 0
    with transaction.atomic():
        for row in rows_of(queryset):
            item = {
                name: json_value(kind, value)
                for name, kind, value in zip(names, kinds, row, strict=True)
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
    result = {"rows": 0}

    def finished(rows: int) -> None:
        result["rows"] = rows

    for chunk in json_chunks(
        report, queryset, header=header, on_finish=finished, progress=progress
    ):
        out.write(chunk)
    return result["rows"]
