"""Building exports in the background, XLSX sheets, the command line, purging old files."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from relief.models import Notification
from reports import writers
from reports.filters import ReportFilters
from reports.models import Export, ExportLog
from reports.queries import REPORTS
from reports.services import (
    ExportProgress,
    export_build,
    export_request,
    exports_purge_expired,
)
from reports.writers import csvfile
from tests.reports.conftest import RANGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def queued(user, export_format="csv", name="applications", filters=RANGE, unmasked=False):
    return export_request(
        user=user,
        report=REPORTS[name],
        filters=filters,
        export_format=export_format,
        unmasked=unmasked,
        language="en",
        expected_rows=7,
    )


def test_building_a_csv_export_writes_the_file_and_tells_the_requester_once(ops, dataset, media):
    export = queued(ops)
    built = export_build(export_id=export.pk)
    assert (built.status, built.row_count, built.progress_rows) == ("done", 7, 7)
    data = (media / built.file_path).read_bytes()
    assert data.startswith(b"\xef\xbb\xbfapplication_id,")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [int(row["application_id"]) for row in rows][0] == dataset.a1.pk
    assert rows[0]["borrower_name"] == "张**"

    notification = Notification.objects.get(kind="export_ready")
    assert notification.recipient == ops
    assert notification.title == "Your export “Applications” is ready"
    assert "7 rows" in notification.body
    # Delivered again (a redelivered task): nothing more is built, sent or logged.
    export_build(export_id=export.pk)
    assert Notification.objects.filter(kind="export_ready").count() == 1
    assert ExportLog.objects.filter(export=export).count() == 1


def test_building_an_xlsx_export(ops, dataset, media):
    built = export_build(export_id=queued(ops, "xlsx", "effectiveness").pk)
    sheet = openpyxl.load_workbook(media / built.file_path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Bucket at submission", "Outcome", "Cases")
    assert [row[:3] for row in rows[1:]] == [
        ("M1", "Approved", 2),
        ("M1", "Rejected", 1),
        ("M2", "Approved", 2),
    ]


@pytest.mark.parametrize("on_postgresql_by_copy", [True, False])
def test_a_chinese_csv_export_keeps_the_codes_and_adds_their_chinese_words(
    ops, dataset, media, monkeypatch, on_postgresql_by_copy
):
    """Programs read the codes (api.md); people read the labels, in the requester's language."""
    if not on_postgresql_by_copy:
        monkeypatch.setattr(csvfile, "use_copy", lambda: False)
    export = export_request(
        user=ops,
        report=REPORTS["applications"],
        filters=RANGE,
        export_format="csv",
        unmasked=False,
        language="zh-hans",
        expected_rows=7,
    )
    built = export_build(export_id=export.pk)
    text = (media / built.file_path).read_bytes().decode("utf-8-sig")
    first = next(csv.DictReader(io.StringIO(text)))
    assert (first["reason"], first["status"]) == ("serious_illness", "fulfilled")
    assert (first["reason_label"], first["status_label"]) == ("重大疾病", "已完成：罚息已减免")
    assert text.splitlines()[0].endswith(",reason_label,status_label")


def test_a_chinese_xlsx_export_shows_statuses_and_reasons_in_chinese(ops, dataset, media):
    export = export_request(
        user=ops,
        report=REPORTS["applications"],
        filters=RANGE,
        export_format="xlsx",
        unmasked=False,
        language="zh-hans",
        expected_rows=7,
    )
    built = export_build(export_id=export.pk)
    rows = list(openpyxl.load_workbook(media / built.file_path).active.iter_rows(values_only=True))
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert (first["原因"], first["状态"]) == ("重大疾病", "已完成：罚息已减免")
    assert "serious_illness" not in str(rows) and "fulfilled" not in str(rows)


def test_a_failed_build_is_marked_failed_without_a_file(ops, dataset, media, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writers, "write_csv", broken)
    built = export_build(export_id=queued(ops).pk)
    assert built.status == "failed"
    assert "disk full" in built.error
    assert built.file_path == ""
    assert not (media / "exports").exists() or not list((media / "exports").iterdir())
    assert not Notification.objects.exists()


def test_a_build_run_again_replaces_the_file_a_lost_build_stored(ops, dataset, media):
    export = queued(ops)
    (media / "exports").mkdir(parents=True)
    (media / "exports" / f"{export.pk}-{export.token[:16]}.csv").write_bytes(b"half")
    built = export_build(export_id=export.pk)
    assert built.file_path == f"exports/{export.pk}-{export.token[:16]}.csv"
    assert default_storage.open(built.file_path).read().startswith(b"\xef\xbb\xbfapplication_id")


def test_a_running_export_shows_the_rows_written_so_far(ops):
    export = queued(ops)
    Export.objects.filter(pk=export.pk).update(status="running")
    ExportProgress(export.pk)(5000)
    running = Export.objects.get(pk=export.pk)
    assert (running.progress_rows, running.progress_percent) == (5000, 99)
    # The row itself is written only at the end: the build's connection is busy meanwhile.
    assert Export.objects.filter(pk=export.pk, progress_rows=0).exists()


def test_progress_is_recorded_at_most_once_a_second(ops):
    export = queued(ops)
    Export.objects.filter(pk=export.pk).update(status="running")
    progress = ExportProgress(export.pk)
    progress(5000)
    progress(10000)  # within the second: not recorded
    assert Export.objects.get(pk=export.pk).progress_rows == 5000


def test_xlsx_past_the_sheet_limit_continues_on_further_sheets_with_the_header(dataset):
    report = REPORTS["applications"]
    out = io.BytesIO()
    with translation.override("en"):
        rows = writers.write_xlsx(report, report.queryset(RANGE), out, max_rows_per_sheet=3)
    workbook = openpyxl.load_workbook(out)
    assert rows == 7
    assert workbook.sheetnames == ["applications", "applications (2)", "applications (3)"]
    sizes = [len(list(sheet.iter_rows(values_only=True))) for sheet in workbook.worksheets]
    assert sizes == [4, 4, 2]
    assert all(sheet["A1"].value == "Application" for sheet in workbook.worksheets)


def test_the_excel_row_limit_is_excels():
    assert writers.XLSX_MAX_DATA_ROWS == 1_048_576 - 1


def test_text_starting_with_equals_stays_text_in_xlsx(dataset):
    dataset.borrower.name = "=1+1"
    dataset.borrower.save()
    report = REPORTS["applications"]
    out = io.BytesIO()
    writers.write_xlsx(report, report.queryset(RANGE, unmasked=True), out)
    cell = openpyxl.load_workbook(out).active["F2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


def test_an_empty_report_is_a_header(db):
    report = REPORTS["reviewers"]
    out = io.BytesIO()
    assert writers.write_csv(report, report.queryset(RANGE), out) == 0
    assert out.getvalue() == b"\xef\xbb\xbf" + ",".join(report.column_names).encode() + b"\n"


def test_the_command_writes_a_masked_file_and_logs_it(dataset, tmp_path):
    target = tmp_path / "applications.csv"
    out = io.StringIO()
    call_command(
        "export_report",
        "applications",
        "--from",
        "2025-01-01",
        "--to",
        "2025-02-28",
        "--format",
        "csv",
        "-o",
        str(target),
        stdout=out,
    )
    content = target.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    assert len(content.splitlines()) == 8
    assert "张三丰".encode() not in content
    assert "7 rows written" in out.getvalue()
    entry = ExportLog.objects.get()
    assert (entry.user, entry.channel, entry.rows, entry.unmasked) == (None, "command", 7, False)
    assert entry.actor.startswith("command line")


def test_the_command_writes_xlsx_unmasked_when_asked(dataset, tmp_path):
    target = tmp_path / "summary.xlsx"
    call_command(
        "export_report",
        "applications",
        "--from=2025-02-01",
        "--to=2025-02-28",
        "--product=CARD24",
        "--format=xlsx",
        f"--output={target}",
        "--unmasked",
        stdout=io.StringIO(),
    )
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][5] == "张三丰"
    assert ExportLog.objects.get().unmasked is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["salaries", "--from=2025-01-01", "--to=2025-01-31"], "Unknown report 'salaries'"),
        (["reviewers", "--from=2025-01-32", "--to=2025-01-31"], "--from must be a date"),
        (["reviewers", "--from=2025-02-01", "--to=2025-01-31"], "is before --from"),
        (["reviewers", "--from=2025-01-01", "--to=2025-01-31", "--format=pdf"], "--format must"),
        (["reviewers", "--from=2025-01-01", "--to=2025-01-31", "--product=NOPE"], "product"),
    ],
)
def test_the_command_refuses_bad_arguments_clearly(db, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_report", *args, "-o", str(tmp_path / "x.csv"))
    assert not (tmp_path / "x.csv").exists()


def test_the_command_needs_an_existing_folder(db, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "export_report",
            "reviewers",
            "--from=2025-01-01",
            "--to=2025-01-31",
            "-o",
            str(tmp_path / "no" / "x.csv"),
        )


def test_expired_export_files_are_deleted(ops, media):
    (media / "exports").mkdir(parents=True)
    old = Export.objects.create(
        requester=ops,
        report="reviewers",
        format="csv",
        filters=ReportFilters(RANGE.date_from, RANGE.date_to).as_dict(),
        status="done",
        file_path="exports/old.csv",
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    (media / "exports" / "old.csv").write_text("x")
    fresh = Export.objects.create(
        requester=ops,
        report="reviewers",
        format="csv",
        status="done",
        file_path="exports/fresh.csv",
        expires_at=timezone.now() + timedelta(days=1),
    )
    (media / "exports" / "fresh.csv").write_text("x")
    assert exports_purge_expired() == 1
    assert not (media / "exports" / "old.csv").exists()
    assert (media / "exports" / "fresh.csv").exists()
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.file_path, fresh.file_path) == ("", "exports/fresh.csv")


@pytest.mark.django_db(transaction=True)
def test_a_download_cut_off_midway_ends_the_query_and_leaves_the_connection_usable(
    dataset, monkeypatch
):
    """Autocommit, as in a request: the abandoned cursor must not break later queries."""
    from django.db import connection

    from relief.models import ReliefApplication

    monkeypatch.setattr(csvfile, "CHUNK_BYTES", 64)  # many small chunks
    report = REPORTS["applications"]
    finished = []
    chunks = writers.csv_chunks(report, report.queryset(RANGE), on_finish=finished.append)
    assert next(chunks) == writers.BOM
    assert next(chunks)
    assert connection.in_atomic_block  # the server-side cursor's transaction
    chunks.close()  # the client went away
    assert finished == []
    assert not connection.in_atomic_block
    assert ReliefApplication.objects.count() == 9
    assert len(b"".join(writers.csv_chunks(report, report.queryset(RANGE))).splitlines()) == 8


def test_a_streamed_csv_reports_its_rows_when_done(dataset):
    report = REPORTS["applications"]
    finished = []
    data = b"".join(writers.csv_chunks(report, report.queryset(RANGE), on_finish=finished.append))
    assert finished == [7]
    assert data.count(b"\n") == 8
