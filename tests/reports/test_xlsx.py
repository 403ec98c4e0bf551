"""The XLSX writer: what a spreadsheet program reads back from a report's workbook."""

import io
import struct
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from reports import xlsx

KINDS = [
    xlsx.CELL_INTEGER,
    xlsx.CELL_MONEY,
    xlsx.CELL_DECIMAL,
    xlsx.CELL_BOOL,
    xlsx.CELL_DATE,
    xlsx.CELL_DATETIME,
    xlsx.CELL_TEXT,
]
HEADER = ["Cases", "Relief amount", "Hours", "Breached", "Due", "Decided at", "Borrower"]


def workbook(rows, kinds=KINDS, header=HEADER, title="applications"):
    out = io.BytesIO()
    with xlsx.XlsxWriter(out, kinds) as book:
        book.add_sheet(title, header)
        for row in rows:
            book.write_row(row)
    out.seek(0)
    return openpyxl.load_workbook(out), out


def test_numbers_dates_times_and_booleans_read_back_as_themselves():
    row = [
        42,
        Decimal("1234.50"),
        Decimal("36.5"),
        True,
        date(2026, 3, 1),
        datetime(2026, 3, 1, 18, 30, 5),  # noqa: DTZ001 - Excel's times are naive
        "张三",
    ]
    book, _ = workbook([row])
    sheet = book.active
    values = next(sheet.iter_rows(min_row=2, values_only=True))
    assert values == (42, 1234.5, 36.5, True, datetime(2026, 3, 1), row[5], "张三")  # noqa: DTZ001
    assert sheet["B2"].number_format == "#,##0.00"
    assert sheet["E2"].number_format == "yyyy-mm-dd"
    assert sheet["F2"].number_format == "yyyy-mm-dd hh:mm:ss"


def test_money_keeps_every_digit_of_a_large_amount():
    book, _ = workbook([[1, Decimal("98765432.10"), None, False, None, None, "x"]])
    assert book.active["B2"].value == pytest.approx(98765432.10, abs=0.001)


def test_the_header_is_bold_and_stays_in_view_when_scrolling():
    book, _ = workbook([])
    sheet = book.active
    assert [cell.value for cell in sheet[1]] == HEADER
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width == len("Relief amount") + 2


def test_a_chinese_header_gets_a_column_wide_enough_for_its_characters():
    book, _ = workbook([], kinds=[xlsx.CELL_INTEGER], header=["提交时的逾期天数"])
    assert book.active.column_dimensions["A"].width == 2 * 8 + 2


def test_empty_values_are_empty_cells():
    book, _ = workbook([[None] * len(KINDS), [7, None, None, None, None, None, None]])
    rows = list(book.active.iter_rows(min_row=2, values_only=True))
    assert rows == [(None,) * len(KINDS), (7,) + (None,) * (len(KINDS) - 1)]


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+86 138 0000 0000", "<b>&amp;</b>", "  spaced  ", "line\nbreak", '"quoted"'],
)
def test_text_is_kept_exactly_and_never_run_as_a_formula(text):
    book, _ = workbook([[None, None, None, None, None, None, text]])
    cell = book.active["G2"]
    assert (cell.value, cell.data_type) == (text, "s")


def test_characters_a_spreadsheet_cannot_hold_are_dropped_not_refused():
    book, _ = workbook([[None, None, None, None, None, None, "a\x00b\x1bc\x0b"]])
    assert book.active["G2"].value == "abc"


def test_text_longer_than_a_cell_holds_is_cut_to_excels_limit():
    book, _ = workbook([[None, None, None, None, None, None, "字" * 40_000]])
    assert book.active["G2"].value == "字" * 32_767


def test_sheet_titles_are_made_acceptable_to_excel_and_unique():
    out = io.BytesIO()
    with xlsx.XlsxWriter(out, [xlsx.CELL_TEXT]) as book:
        for title in ["a/b:c*?[d]", "A_B_C___D_", "x" * 40, "x" * 40]:
            book.add_sheet(title, ["h"])
            book.write_row(["v"])
    out.seek(0)
    names = openpyxl.load_workbook(out).sheetnames
    assert names == ["a_b_c___d_", "A_B_C___D_ (2)", "x" * 31, "x" * 27 + " (2)"]


def test_each_sheet_numbers_its_rows_from_its_own_header():
    out = io.BytesIO()
    with xlsx.XlsxWriter(out, [xlsx.CELL_INTEGER]) as book:
        book.add_sheet("first", ["n"])
        for number in range(3):
            book.write_row([number])
        assert book.sheet_rows == 3
        book.add_sheet("second", ["n"])
        book.write_row([3])
        assert book.sheet_rows == 1
    out.seek(0)
    sheets = openpyxl.load_workbook(out).worksheets
    assert [list(s.values) for s in sheets] == [[("n",), (0,), (1,), (2,)], [("n",), (3,)]]


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


def test_a_failed_export_leaves_no_half_written_workbook_open(tmp_path):
    target = tmp_path / "broken.xlsx"
    with pytest.raises(RuntimeError), xlsx.XlsxWriter(str(target), [xlsx.CELL_TEXT]) as book:
        book.add_sheet("s", ["h"])
        raise RuntimeError("the database went away")
    assert book.zip.fp is None


def test_no_part_carries_zip64_fields_as_excel_writes_its_own_files():
    _, out = workbook([[n, Decimal("1.00"), None, True, None, None, "x"] for n in range(2000)])
    data = out.getvalue()
    for info in zipfile.ZipFile(out).infolist():
        name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
        assert (info.filename, extra_length, info.extra) == (info.filename, 0, b"")


def test_a_sheet_nearing_what_a_zip_entry_holds_is_full(monkeypatch):
    monkeypatch.setattr(xlsx, "SHEET_BYTES_MAX", 10_000)
    monkeypatch.setattr(xlsx, "FLUSH_CHARACTERS", 1_000)
    with xlsx.XlsxWriter(io.BytesIO(), [xlsx.CELL_TEXT]) as book:
        book.add_sheet("s", ["h"])
        rows = 0
        while not book.sheet_full:
            book.write_row(["x" * 100])
            rows += 1
        book._flush()
        assert rows > 10
        assert book.sheet_bytes < 10_000
