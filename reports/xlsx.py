"""A streaming XLSX (Office Open XML spreadsheet) writer for reports.

A report's workbook is plain: one header row in bold, then rows of numbers, text, dates,
times and true/false, continued on further sheets past Excel's row limit. Each sheet's XML
is written straight into the zip as rows come (text as inline strings, so nothing is held
for a shared-string table), which keeps memory flat and costs about a microsecond a cell,
where a general spreadsheet library builds a cell object for each.

Each column's kind is known before the first row, so each column gets one function turning
its value into a cell's XML. What Excel requires of the parts (content types, relationships,
one stylesheet) is written once the sheets are known; zip readers find the parts through
the zip's directory, so their order in the file does not matter.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

# Cell styles, by their index in styles.xml's cellXfs.
STYLE_HEADER = 1
STYLE_DATE = 2
STYLE_DATETIME = 3
STYLE_MONEY = 4

# Column kinds as this writer knows them (the report's kinds map onto these).
CELL_TEXT = "text"
CELL_INTEGER = "integer"
CELL_DECIMAL = "decimal"
CELL_MONEY = "money"
CELL_BOOL = "bool"
CELL_DATE = "date"
CELL_DATETIME = "datetime"

SHEET_TITLE_MAX = 31
# Deflate's fastest level: the XML is repetitive, so it still shrinks about 7 times.
COMPRESS_LEVEL = 1
# Rows are gathered and written into the zip about a megabyte at a time.
FLUSH_CHARACTERS = 1 << 20
# A zip entry without ZIP64 holds under 4 GiB; a sheet ends well before.
SHEET_BYTES_MAX = 3 << 30
# Excel refuses a file with longer text in a cell.
CELL_TEXT_MAX = 32_767
# Characters XML 1.0 does not allow at all (a spreadsheet program refuses the file).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SHEET_TITLE_ILLEGAL = re.compile(r"[\[\]:*?/\\]")
# Excel has no time zones: its times are the local, naive times the writer is given.
EXCEL_EPOCH = datetime(1899, 12, 30)  # noqa: DTZ001
EXCEL_EPOCH_DATE = EXCEL_EPOCH.date()
SECONDS_A_DAY = 86_400
# A column's width in characters: its header's, within these bounds.
COLUMN_WIDTH_MIN = 8
COLUMN_WIDTH_MAX = 50

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

STYLES = (
    XML_DECLARATION + f'<styleSheet xmlns="{NS_MAIN}">'
    '<numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/>'
    "</numFmts>"
    '<fonts count="2">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)

ROOT_RELS = (
    XML_DECLARATION + f'<Relationships xmlns="{NS_PACKAGE_REL}">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" Type="'
    'http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)

CONTENT_TYPE_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def display_width(text: str) -> int:
    """How many character widths a text takes in a spreadsheet: Chinese characters (and
    other wide ones) take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def text_xml(value: str) -> str:
    """Text as an inline string's content: escaped, with what XML cannot hold taken out and
    cut to what a cell holds."""
    if XML_ILLEGAL.search(value):
        value = XML_ILLEGAL.sub("", value)
    if len(value) > CELL_TEXT_MAX:
        value = value[:CELL_TEXT_MAX]
    return escape(value)


def sheet_title(title: str, taken: Sequence[str]) -> str:
    """A title Excel accepts (31 characters, none of []:*?/\\) and unique in the workbook."""
    base = SHEET_TITLE_ILLEGAL.sub("_", title).strip("'") or "Sheet"
    candidate = base[:SHEET_TITLE_MAX]
    number = 1
    while candidate.lower() in (name.lower() for name in taken):
        number += 1
        suffix = f" ({number})"
        candidate = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
    return candidate


def excel_serial_date(value: date) -> int:
    return (value - EXCEL_EPOCH_DATE).days


def excel_serial_datetime(value: datetime) -> str:
    """A naive datetime as Excel's serial number: days since 1899-12-30 and the day's
    fraction, to the second."""
    delta = value - EXCEL_EPOCH
    seconds = delta.seconds + round(delta.microseconds / 1_000_000)
    return repr(delta.days + seconds / SECONDS_A_DAY)


def decimal_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    return str(value)


CellXml = Callable[[str, Any], str]


def _cell_writer(kind: str) -> CellXml:
    """The function turning one column's value (never None) into its cell's XML; `ref` is
    the cell's reference such as `B7`."""
    if kind == CELL_INTEGER:
        return lambda ref, value: f'<c r="{ref}"><v>{int(value)}</v></c>'
    if kind == CELL_DECIMAL:
        return lambda ref, value: f'<c r="{ref}"><v>{decimal_text(value)}</v></c>'
    if kind == CELL_MONEY:
        return lambda ref, value: f'<c r="{ref}" s="{STYLE_MONEY}"><v>{decimal_text(value)}</v></c>'
    if kind == CELL_BOOL:
        return lambda ref, value: f'<c r="{ref}" t="b"><v>{1 if value else 0}</v></c>'
    if kind == CELL_DATE:
        return lambda ref, value: (
            f'<c r="{ref}" s="{STYLE_DATE}"><v>{excel_serial_date(value)}</v></c>'
        )
    if kind == CELL_DATETIME:
        return lambda ref, value: (
            f'<c r="{ref}" s="{STYLE_DATETIME}"><v>{excel_serial_datetime(value)}</v></c>'
        )
    return lambda ref, value: (
        f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">'
        f"{text_xml(str(value))}</t></is></c>"
    )


class XlsxWriter:
    """Rows into an XLSX file, one sheet after another.

        with XlsxWriter(out, kinds) as book:
            book.add_sheet("applications", header)
            book.write_row(values)

    `kinds` gives each column's CELL_* kind; values are Python values (None is an empty
    cell). A sheet is finished when the next begins or the workbook is closed.
    """

    def __init__(self, out: IO[bytes] | str, kinds: Sequence[str]):
        self.zip = zipfile.ZipFile(
            out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
        )
        self.writers = [_cell_writer(kind) for kind in kinds]
        self.letters = [column_letter(index) for index in range(len(kinds))]
        self.titles: list[str] = []
        self.sheet: IO[bytes] | None = None
        self.row_number = 0
        self.pending: list[str] = []
        self.pending_size = 0  # characters
        self.sheet_bytes = 0  # written into the current sheet's entry, uncompressed

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self.close()
            return
        # Failed part-way: release the file; what was written is not a workbook.
        if self.sheet is not None:
            self.sheet.close()
        self.zip.close()

    def add_sheet(self, title: str, header: Sequence[str]) -> None:
        """Begin a sheet: its header row in bold, frozen above the rows."""
        self._finish_sheet()
        self.titles.append(sheet_title(title, self.titles))
        name = f"xl/worksheets/sheet{len(self.titles)}.xml"
        # No ZIP64 fields, as Excel writes its own files: a sheet stays under 4 GiB.
        self.sheet = self.zip.open(name, "w")
        self.sheet_bytes = 0
        widths = "".join(
            f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
            for index, width in enumerate(
                (
                    max(COLUMN_WIDTH_MIN, min(COLUMN_WIDTH_MAX, display_width(str(label)) + 2))
                    for label in header
                ),
                start=1,
            )
        )
        cells = "".join(
            f'<c r="{letter}1" t="inlineStr" s="{STYLE_HEADER}"><is><t>{text_xml(str(label))}'
            "</t></is></c>"
            for letter, label in zip(self.letters, header, strict=True)
        )
        self._write(
            XML_DECLARATION + f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
            '<sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            "</sheetView></sheetViews>"
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{widths}</cols>'
            f'<sheetData><row r="1">{cells}</row>'
        )
        self.row_number = 1

    def write_row(self, values: Sequence[Any]) -> None:
        self.row_number += 1
        number = str(self.row_number)
        parts = [f'<row r="{number}">']
        for write, letter, value in zip(self.writers, self.letters, values, strict=True):
            if value is not None:
                parts.append(write(letter + number, value))
        parts.append("</row>")
        row = "".join(parts)
        self.pending.append(row)
        self.pending_size += len(row)
        if self.pending_size >= FLUSH_CHARACTERS:
            self._flush()

    @property
    def sheet_rows(self) -> int:
        """The rows written on the current sheet, its header not counted."""
        return max(self.row_number - 1, 0)

    def close(self) -> None:
        self._finish_sheet()
        sheets = range(1, len(self.titles) + 1)
        entries = "".join(
            f'<sheet name={quoteattr(title)} sheetId="{number}" r:id="rId{number}"/>'
            for number, title in zip(sheets, self.titles, strict=True)
        )
        self.zip.writestr(
            "xl/workbook.xml",
            XML_DECLARATION + f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
            f"<sheets>{entries}</sheets></workbook>",
        )
        relations = "".join(
            f'<Relationship Id="rId{number}" Target="worksheets/sheet{number}.xml" '
            f'Type="{NS_REL}/worksheet"/>'
            for number in sheets
        )
        styles_id = len(self.titles) + 1
        self.zip.writestr(
            "xl/_rels/workbook.xml.rels",
            XML_DECLARATION + f'<Relationships xmlns="{NS_PACKAGE_REL}">{relations}'
            f'<Relationship Id="rId{styles_id}" Target="styles.xml" Type="{NS_REL}/styles"/>'
            "</Relationships>",
        )
        self.zip.writestr("xl/styles.xml", STYLES)
        self.zip.writestr("_rels/.rels", ROOT_RELS)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{number}.xml" '
            f'ContentType="{CONTENT_TYPE_SHEET}"/>'
            for number in sheets
        )
        self.zip.writestr(
            "[Content_Types].xml",
            XML_DECLARATION
            + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        self.zip.close()

    @property
    def sheet_full(self) -> bool:
        """Whether the current sheet's XML nears what a zip entry holds without ZIP64 (a
        character takes at most 3 bytes here): the rows continue on a further sheet. A sheet
        always takes one row at least."""
        return self.sheet_rows > 0 and self.sheet_bytes + 3 * self.pending_size >= SHEET_BYTES_MAX

    def _write(self, text: str) -> None:
        data = text.encode()
        self.sheet_bytes += len(data)
        self.sheet.write(data)

    def _flush(self) -> None:
        if self.pending:
            self._write("".join(self.pending))
            self.pending.clear()
            self.pending_size = 0

    def _finish_sheet(self) -> None:
        if self.sheet is None:
            return
        self._flush()
        self._write("</sheetData></worksheet>")
        self.sheet.close()
        self.sheet = None
