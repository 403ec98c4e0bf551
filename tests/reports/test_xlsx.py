"""The XLSX writer: what a spreadsheet program reads back from a report's workbook."""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.utils import translation

from reports.queries import (
    BOOL,
    DATE,
    DATETIME,
    INT,
    MONEY,
    MONTH,
    NUMBER,
    REPORTS,
    TEXT,
    Column,
)
from reports.writers import workbook as xlsx

APPLICATION_COLUMNS = REPORTS["applications"].columns
COLUMNS = [
    Column("cases", "Cases", INT),
    Column("relief", "Relief amount", MONEY),
    Column("hours", "Hours", NUMBER),
    Column("breached", "Breached", BOOL),
    Column("due", "Due", DATE),
    Column("decided_at", "Decided at", DATETIME),
    Column("borrower", "Borrower", TEXT),
]
HEADER = [column.label for column in COLUMNS]


def workbook(rows, columns=COLUMNS, title="applications", **options):
    out = io.BytesIO()
    written = xlsx.write_workbook(columns, rows, out, title=title, **options)
    assert written == len(rows)
    out.seek(0)
    return openpyxl.load_workbook(out), out


def text_row(text):
    return [None, None, None, None, None, None, text]


def test_numbers_dates_times_and_booleans_read_back_as_themselves():
    row = [
        42,
        Decimal("1234.50"),
        Decimal("36.5"),
        True,
        date(2026, 3, 1),
        datetime(2026, 3, 1, 10, 30, 5, tzinfo=ZoneInfo("UTC")),
        "张三",
    ]
    book, _ = workbook([row])
    sheet = book.active
    values = next(sheet.iter_rows(min_row=2, values_only=True))
    # Excel has no time zones: the time is the local one (UTC+8).
    local = datetime(2026, 3, 1, 18, 30, 5)
    assert values == (42, 1234.5, 36.5, True, datetime(2026, 3, 1), local, "张三")
    assert sheet["B2"].number_format == "#,##0.00"
    assert sheet["E2"].number_format == "yyyy-mm-dd"
    assert sheet["F2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert (sheet["A2"].data_type, sheet["D2"].data_type, sheet["F2"].data_type) == ("n", "b", "d")


def test_money_keeps_every_digit_of_a_large_amount():
    book, _ = workbook([[1, Decimal("98765432.10"), None, False, None, None, "x"]])
    assert book.active["B2"].value == pytest.approx(98765432.10, abs=0.001)


def test_a_month_is_text_as_the_report_names_it():
    book, _ = workbook([[date(2025, 2, 1)]], columns=[Column("month", "Month", MONTH)])
    assert book.active["A2"].value == "2025-02"


def test_the_header_is_bold_and_stays_in_view_when_scrolling():
    book, _ = workbook([])
    sheet = book.active
    assert [cell.value for cell in sheet[1]] == HEADER
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"


def width(sheet, letter):
    """The width as written, in characters (XlsxWriter stores a fraction more for the
    font's padding)."""
    return int(sheet.column_dimensions[letter].width)


def test_columns_are_wide_enough_for_their_header():
    book, _ = workbook([])
    assert width(book.active, "B") == len("Relief amount") + 2


def test_a_chinese_header_gets_a_column_wide_enough_for_its_characters():
    columns = [Column("dpd", "提交时的逾期天数", INT)]
    book, _ = workbook([], columns=columns)
    assert width(book.active, "A") == 2 * 8 + 2


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_times_and_masked_phones_fit_their_columns_in_every_language(language):
    """LibreOffice showed ### in 提交时间 and 决定时间, whose headers are narrower than a
    date-time (19 characters); a masked phone of 13 digits needs 13."""
    with translation.override(language):
        book, _ = workbook([], columns=APPLICATION_COLUMNS)
    sheet = book.active
    letters = {cell.value: cell.column_letter for cell in sheet[1]}
    with translation.override(language):
        labels = {column.name: str(column.label) for column in APPLICATION_COLUMNS}
    assert width(sheet, letters[labels["submitted_at"]]) >= 19
    assert width(sheet, letters[labels["decided_at"]]) >= 19
    assert width(sheet, letters[labels["borrower_phone"]]) >= 13
    assert width(sheet, letters[labels["relief_amount"]]) >= len("99,999,999.00")


def test_empty_values_are_empty_cells():
    book, _ = workbook([[None] * len(COLUMNS), [7, None, None, None, None, None, None]])
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert rows == [(None,) * len(COLUMNS), (7,) + (None,) * (len(COLUMNS) - 1)]


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+86 138 0000 0000",
        "<b>&amp;</b>",
        "  spaced  ",
        "line\nbreak",
        '"quoted"',
        "https://example.com/",
        "007",
        "<r>not XML</r>",
        "<r></t></is></c></r>",
    ],
)
def test_text_is_kept_exactly_and_never_run_as_a_formula(text):
    book, out = workbook([text_row(text)])
    cell = book.active["G2"]
    assert (cell.value, cell.data_type) == (text, "s")
    assert not book.active._hyperlinks
    sheet_xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml


def test_characters_a_spreadsheet_cannot_hold_are_dropped_not_refused():
    book, _ = workbook([text_row("a\x00b\x1bc\x0b\ufffe")])
    assert book.active["G2"].value == "abc"


def test_text_longer_than_a_cell_holds_is_cut_to_excels_limit():
    book, _ = workbook([text_row("字" * 40_000)])
    assert book.active["G2"].value == "字" * 32_767


def test_past_the_row_limit_the_rows_continue_on_a_further_sheet_with_the_header():
    columns = [Column("n", "n", INT)]
    book, _ = workbook([[n] for n in range(7)], columns=columns, max_rows_per_sheet=3)
    assert book.sheetnames == ["applications", "applications (2)", "applications (3)"]
    assert [list(sheet.values) for sheet in book.worksheets] == [
        [("n",), (0,), (1,), (2,)],
        [("n",), (3,), (4,), (5,)],
        [("n",), (6,)],
    ]
    assert all(sheet.freeze_panes == "A2" for sheet in book.worksheets)


def test_a_long_report_name_still_makes_titles_excel_accepts():
    columns = [Column("n", "n", INT)]
    book, _ = workbook([[1], [2]], columns=columns, title="x" * 40, max_rows_per_sheet=1)
    assert book.sheetnames == ["x" * 25, "x" * 25 + " (2)"]


def test_progress_is_told_as_rows_are_written(monkeypatch):
    monkeypatch.setattr(xlsx, "PROGRESS_EVERY_ROWS", 2)
    told = []
    workbook([[n] for n in range(5)], columns=[Column("n", "n", INT)], progress=told.append)
    assert told == [2, 4]


def test_the_file_is_a_zip_with_the_parts_spreadsheet_programs_look_for():
    _, out = workbook([[1, Decimal("1.00"), None, True, None, None, "x"]])
    names = set(zipfile.ZipFile(out).namelist())
    assert {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
    } <= names
    assert zipfile.ZipFile(out).testzip() is None


def test_text_is_written_in_the_sheet_so_memory_stays_flat():
    """constant_memory: inline strings, no shared-string table held until the end."""
    _, out = workbook([text_row(f"name {n}") for n in range(100)])
    sheet_xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml")
    assert sheet_xml.count(b't="inlineStr"') >= 100


def test_a_failed_export_leaves_no_temporary_files_behind(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))

    def rows():
        yield [1, None, None, None, None, None, "x"]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        xlsx.write_workbook(COLUMNS, rows(), io.BytesIO(), title="s")
    assert list(tmp_path.iterdir()) == []
