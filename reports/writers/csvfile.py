"""A report as CSV: UTF-8 with a BOM, a header of the columns' machine names.

Two ways to the same text. A download streams the queryset's rows through Python's csv
module. A file built in the background on PostgreSQL is written by the database itself:
`COPY (SELECT <each column formatted> FROM (<the report's query>)) TO STDOUT WITH CSV
HEADER`, through psycopg2's `copy_expert`, with the SQL formatting each column as `csv_text`
does in Python. SQLite has no COPY, so there the file is written the Python way.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import IO, Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from reports.filters import local_zone
from reports.queries import (
    BOOL,
    DATE,
    DATETIME,
    MONEY,
    MONTH,
    NUMBER,
    RATIO,
    TEXT,
    Column,
    Report,
)
from reports.writers.rows import CHUNK_BYTES, PROGRESS_EVERY_ROWS, Progress, streamed, use_copy

BOM = "\ufeff".encode()
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV
# injection); such text gets a leading apostrophe.
FORMULA_START = re.compile(r"^[-=+@\t\r]")
FORMULA_START_SQL = r"'^[-=+@\t\r]'"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def _defused(text: str) -> str:
    return f"'{text}" if FORMULA_START.match(text) else text


def _local_time(moment) -> str:
    return timezone.localtime(moment, local_zone()).strftime(DATETIME_FORMAT)


# Each kind's value (never None) as text; integers and codes are written as they are.
FIELD_TEXT: dict[str, Callable[[Any], str]] = {
    TEXT: _defused,
    BOOL: lambda value: "true" if value else "false",
    DATETIME: _local_time,
    MONTH: lambda value: value.strftime("%Y-%m"),
    DATE: lambda value: value.isoformat(),
    MONEY: lambda value: f"{Decimal(value):.2f}",
    NUMBER: lambda value: f"{Decimal(value):.1f}",
    RATIO: lambda value: f"{Decimal(value):.3f}",
}


def csv_text(kind: str, value: Any) -> Any:
    """A value as the CSV has it (None: an empty field), the text COPY writes too."""
    if value is None:
        return None
    text = FIELD_TEXT.get(kind)
    return text(value) if text else str(value)


def labelled(report: Report) -> list[tuple[int, Column]]:
    """The code columns that have words for people, with their positions: each adds a
    `<name>_label` column at the end of the row, in the active language. The code columns
    stay as they are for programs (api.md: the columns are kept, others may be added)."""
    return [(index, column) for index, column in enumerate(report.columns) if column.labels]


def csv_header(report: Report) -> list[str]:
    return report.column_names + [f"{column.name}_label" for _, column in labelled(report)]


def csv_chunks(
    report: Report,
    queryset: QuerySet,
    *,
    on_finish: Progress | None = None,
    progress: Progress | None = None,
) -> Iterator[bytes]:
    """The report as CSV in chunks of about CHUNK_BYTES, for a streaming response.

    The rows come from a server-side cursor as the chunks are taken, so memory stays flat
    and a slow client slows the query. `on_finish(rows)` is called once the last row has
    gone; a client that stops reading (the generator closed) ends the query instead.
    """
    yield BOM
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_header(report))
    texts = [FIELD_TEXT.get(column.kind) for column in report.columns]
    labels = [
        (index, {code: str(label) for code, label in column.labels})
        for index, column in labelled(report)
    ]
    rows = 0
    with streamed(queryset) as records:
        for record in records:
            writer.writerow(
                [
                    text(value) if text and value is not None else value
                    for text, value in zip(texts, record, strict=True)
                ]
                + [words.get(record[index], record[index]) for index, words in labels]
            )
            rows += 1
            if buffer.tell() >= CHUNK_BYTES:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
            if progress and rows % PROGRESS_EVERY_ROWS == 0:
                progress(rows)
    yield buffer.getvalue().encode()
    if on_finish:
        on_finish(rows)


def write_csv(
    report: Report, queryset: QuerySet, out: IO[bytes], *, progress: Progress | None = None
) -> int:
    """The report as CSV into a binary file, by COPY on PostgreSQL; returns the rows."""
    if not use_copy():
        finished: list[int] = []
        for chunk in csv_chunks(report, queryset, on_finish=finished.append, progress=progress):
            out.write(chunk)
        return finished[0]
    out.write(BOM)
    with connection.cursor() as cursor:
        cursor.copy_expert(copy_statement(report, queryset), _CountingFile(out, progress))
        return cursor.rowcount


# --- COPY --------------------------------------------------------------------------------------


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
    # Money and numbers: the report's SQL rounds them to two and one places already.
    return source


def copy_label(column: Column, source: str) -> str:
    """The SQL that writes a code's label in the active language (the code when it has none)."""
    with connection.cursor() as cursor:
        cases = " ".join(
            cursor.mogrify("WHEN %s THEN %s", [code, str(label)]).decode()
            for code, label in column.labels
        )
    return f"CASE {source} {cases} ELSE {source} END"


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
    selects = [
        f'{copy_select(column, f"r.{position}", zone_literal)} AS "{column.name}"'
        for column, position in zip(report.columns, positions, strict=True)
    ]
    for index, column in labelled(report):
        selects.append(f'{copy_label(column, f"r.c{index}")} AS "{column.name}_label"')
    select = ", ".join(selects)
    # Safe: the inner query is bound by psycopg2, the rest is our own column SQL and names.
    return (
        f"COPY (SELECT {select} FROM ({inner}) AS r({', '.join(positions)})) "  # noqa: S608  # nosec B608  # params bound by mogrify
        "TO STDOUT WITH (FORMAT csv, HEADER true)"
    )


class _CountingFile:
    """What COPY writes into: passes the data on, and counts the rows for the progress
    (psycopg2 writes one row a call, the header first)."""

    def __init__(self, out: IO[bytes], progress: Progress | None) -> None:
        self.out = out
        self.progress = progress
        self.writes = 0

    def write(self, data: bytes) -> None:
        self.out.write(data)
        self.writes += 1
        rows = self.writes - 1
        if self.progress and rows and rows % PROGRESS_EVERY_ROWS == 0:
            self.progress(rows)
