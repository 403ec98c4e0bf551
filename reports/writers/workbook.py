"""A report as an XLSX workbook, written by XlsxWriter in constant memory.

In constant_memory mode XlsxWriter keeps one row at a time and writes text as inline strings,
so memory stays flat whatever the row count. The header row is bold and frozen; numbers are
numbers, money shown `#,##0.00`, dates and times real Excel dates (local times: Excel has no
time zones), true/false Excel's booleans, and text is always text, never a formula or a link.
Past Excel's row limit the rows continue on a further sheet, with the header again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import IO, Any

import xlsxwriter
from django.db.models import QuerySet
from xlsxwriter.worksheet import Worksheet

from reports.filters import local_zone
from reports.queries import (
    BOOL,
    CODE,
    DATE,
    DATETIME,
    INT,
    MONEY,
    MONTH,
    NUMBER,
    RATIO,
    TEXT,
    Column,
    Report,
)
from reports.writers.rows import PROGRESS_EVERY_ROWS, Progress, streamed

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    # What people typed stays text: "=1+1" is not run, "http://…" is not made a link,
    # "007" keeps its zeros.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
# Excel's limit is 1,048,576 rows a sheet; the header takes one.
XLSX_MAX_DATA_ROWS = 1_048_575
# A further sheet's title adds " (N)"; Excel allows 31 characters.
SHEET_TITLE_BASE_MAX = 25
# Excel refuses a file with longer text in a cell (XlsxWriter also counts UTF-16 units).
CELL_TEXT_MAX = 32_767
# Characters XML 1.0 cannot hold: dropped (XlsxWriter would write them as _xHHHH_ escapes).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Excel's dates are days since 1899-12-30 (the fraction the time of day), local and naive.
EXCEL_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001
ONE_DAY = timedelta(days=1)

MONEY_FORMAT = "#,##0.00"
RATIO_FORMAT = "0.000"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"

# How many characters a column's values take, by kind. Rows are written as they come, so a
# column's width is set before any of them is seen: wide enough for the kind's usual values
# (a local date-time is 19 characters, a masked phone up to 14, money up to 99,999,999.00).
VALUE_WIDTHS = {
    INT: 8,
    MONEY: 13,
    NUMBER: 7,
    RATIO: 7,
    BOOL: 5,
    DATE: 10,
    DATETIME: 19,
    MONTH: 7,
    CODE: 16,
    TEXT: 16,
}
# A little room either side, so nothing touches the next column.
COLUMN_PADDING = 2
COLUMN_WIDTH_MAX = 50


def display_width(text: str) -> int:
    """How many character widths a text takes: Chinese characters (and other wide ones)
    take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def column_width(column: Column) -> int:
    """Wide enough for its header and for its kind of value."""
    values = VALUE_WIDTHS.get(column.kind, VALUE_WIDTHS[TEXT])
    if column.labels:  # the cells show the labels (label_writer)
        values = max(display_width(str(label)) for _, label in column.labels)
    content = max(values, display_width(str(column.label)))
    return min(COLUMN_WIDTH_MAX, content + COLUMN_PADDING)


def write_text(sheet: Worksheet, row: int, col: int, value: Any) -> None:
    """Text as a spreadsheet can hold it: without what XML cannot hold, cut to a cell's
    limit, always a string."""
    text = str(value)
    if XML_ILLEGAL.search(text):
        text = XML_ILLEGAL.sub("", text)
    text = text[:CELL_TEXT_MAX]
    if text.startswith("<r>") and text.endswith("</r>"):
        # In constant_memory mode XlsxWriter takes such text for the XML of a rich string
        # and writes it unescaped; given as fragments of a rich string it is escaped.
        sheet.write_rich_string(row, col, text[:1], text[1:-1], text[-1:])
    else:
        sheet.write_string(row, col, text)


CellWriter = Callable[[Worksheet, int, int, Any], Any]


def cell_writers(book: xlsxwriter.Workbook, columns: Sequence[Column]) -> list[CellWriter]:
    """For each column, the function writing one of its values (never None) into a cell."""
    money = book.add_format({"num_format": MONEY_FORMAT})
    day = book.add_format({"num_format": DATE_FORMAT})
    moment = book.add_format({"num_format": DATETIME_FORMAT})
    ratio = book.add_format({"num_format": RATIO_FORMAT})
    zone = local_zone()

    def local_time(sheet: Worksheet, row: int, col: int, value: datetime) -> None:
        # A date-time is its serial number with a date-time format (XlsxWriter's "Working
        # with Dates and Time"): the cell write_datetime makes, without its general
        # conversion of every date and time type, in the hottest loop of an export.
        serial = (value.astimezone(zone).replace(tzinfo=None) - EXCEL_EPOCH) / ONE_DAY
        sheet.write_number(row, col, serial, moment)

    by_kind: dict[str, CellWriter] = {
        INT: lambda sheet, row, col, value: sheet.write_number(row, col, value),
        # A cell holds a double: the two-place Decimal shown with its two places.
        MONEY: lambda sheet, row, col, value: sheet.write_number(row, col, float(value), money),
        NUMBER: lambda sheet, row, col, value: sheet.write_number(row, col, float(value)),
        RATIO: lambda sheet, row, col, value: sheet.write_number(row, col, float(value), ratio),
        BOOL: lambda sheet, row, col, value: sheet.write_boolean(row, col, bool(value)),
        DATE: lambda sheet, row, col, value: sheet.write_datetime(row, col, value, day),
        DATETIME: local_time,
        MONTH: lambda sheet, row, col, value: sheet.write_string(row, col, value.strftime("%Y-%m")),
        # Our own codes (status, reason, bucket, product): nothing to clean.
        CODE: lambda sheet, row, col, value: sheet.write_string(row, col, value),
    }
    return [
        label_writer(column) if column.labels else by_kind.get(column.kind, write_text)
        for column in columns
    ]


def label_writer(column: Column) -> CellWriter:
    """A code column with words for people: the cell shows the code's label in the active
    language (the workbook is read by people; the CSV keeps the code for programs)."""
    words = {code: str(label) for code, label in column.labels}

    def write_label(sheet: Worksheet, row: int, col: int, value: str) -> None:
        sheet.write_string(row, col, words.get(value, value))

    return write_label


def sheet_title(base: str, number: int) -> str:
    base = base[:SHEET_TITLE_BASE_MAX]
    return base if number == 1 else f"{base} ({number})"


def write_workbook(
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    out: IO[bytes] | str,
    *,
    title: str,
    progress: Progress | None = None,
    max_rows_per_sheet: int = XLSX_MAX_DATA_ROWS,
) -> int:
    """Rows of the columns' values (None: an empty cell) as a workbook; returns the rows.

    The workbook is finished (and XlsxWriter's temporary files removed) even when reading
    the rows fails; what was written is then not a complete export and is the caller's to
    throw away.
    """
    header = [str(column.label) for column in columns]
    widths = [column_width(column) for column in columns]
    written = 0
    with xlsxwriter.Workbook(out, WORKBOOK_OPTIONS) as book:
        bold = book.add_format({"bold": True})
        cells = list(enumerate(cell_writers(book, columns)))

        def new_sheet(number: int) -> Worksheet:
            sheet = book.add_worksheet(sheet_title(title, number))
            for col, (label, width) in enumerate(zip(header, widths, strict=True)):
                sheet.set_column(col, col, width)
                sheet.write_string(0, col, label, bold)
            sheet.freeze_panes(1, 0)
            return sheet

        sheets = 1
        sheet = new_sheet(sheets)
        line = 0  # the row on this sheet; 0 is the header
        for row in rows:
            if line == max_rows_per_sheet:
                sheets += 1
                sheet = new_sheet(sheets)
                line = 0
            line += 1
            for (col, write), value in zip(cells, row, strict=True):
                if value is not None:
                    write(sheet, line, col, value)
            written += 1
            if progress and written % PROGRESS_EVERY_ROWS == 0:
                progress(written)
    return written


def write_xlsx(
    report: Report,
    queryset: QuerySet,
    out: IO[bytes] | str,
    *,
    progress: Progress | None = None,
    max_rows_per_sheet: int = XLSX_MAX_DATA_ROWS,
) -> int:
    """The report as an XLSX workbook (headers in the active language); returns the rows."""
    with streamed(queryset) as rows:
        return write_workbook(
            report.columns,
            rows,
            out,
            title=report.name,
            progress=progress,
            max_rows_per_sheet=max_rows_per_sheet,
        )
