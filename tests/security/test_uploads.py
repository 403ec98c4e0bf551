"""Upload abuse: evidence is judged by its bytes. Polyglots, files whose bytes are not what a
scan is, empty and oversized files are refused with a clear message, and nothing of a refused
upload is kept, on disk or in the database. Names never reach the file system. A submission
that fails after its files were written takes them away again."""

import io
import zipfile
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError

from relief.models import ApplicationEvent, Evidence, ReliefApplication
from relief.services.evidence import MAX_BYTES, evidence_add_many, sniff
from tests.factories import overdue_loan
from tests.pdf_samples import SCAN_PDF
from tests.relief.page_helpers import needs_info
from tests.security.conftest import World, api_client, files_under, page_client

pytestmark = pytest.mark.django_db

PDF = SCAN_PDF
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9"


def zip_archive(comment: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Exploit.class", b"\xca\xfe\xba\xbe" + b"\x00" * 64)
        archive.comment = comment
    return buffer.getvalue()


def padded(head: bytes, tail: bytes, middle: bytes = b"") -> bytes:
    """A file with `middle` past the first 2 KB, where a look at the start alone misses it."""
    return head + b"\x00" * 2048 + middle + b"\x00" * 64 + tail


REFUSED = {
    "html after a pdf header": (
        "statement.pdf",
        padded(PDF[:9], b"\n%%EOF\n", b"<html><body><script>alert(document.cookie)</script>"),
    ),
    "jpeg with a zip after it (gifar)": ("photo.jpg", JPEG + zip_archive(comment=b"\xff\xd9")),
    "png with a zip after it": ("scan.png", PNG + zip_archive(comment=b"IEND\xaeB`\x82")),
    "pdf with a zip after it": ("bill.pdf", PDF + zip_archive(comment=b"%%EOF")),
    "jpeg with a script in a comment": (
        "photo.jpg",
        JPEG[:4] + b"\xff\xfe\x00\x30<script src=//evil.example/x.js></script>" + JPEG[4:],
    ),
    "svg named png": ("photo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    "svg tag hidden in a png": (
        "photo.png",
        PNG[:33] + b"\x00\x00\x00\x20tEXt<svg/onload=alert(1)>" + PNG[33:],
    ),
    "text named pdf": ("hospital.pdf", b"I promise I was in hospital.\n"),
    "html named pdf": ("bill.pdf", b"<!DOCTYPE html><p>bill</p>"),
    "truncated pdf": ("bill.pdf", PDF[:-8]),
    "windows program named pdf": ("bill.pdf", b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_the_sniffer_refuses(case):
    _name, data = REFUSED[case]
    assert sniff(data) is None


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")],
)
def test_the_sniffer_takes_real_scans(data, content_type):
    assert sniff(data) == content_type


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


class RawUpload(io.BytesIO):
    """An uploaded file with its name exactly as sent (SimpleUploadedFile cleans it)."""

    def __init__(self, name: str, data: bytes):
        super().__init__(data)
        self.name, self.size = name, len(data)


def evidence_url(world: World) -> str:
    return f"/api/v1/relief-applications/{world.application.pk}/evidence/"


@pytest.mark.parametrize("case", REFUSED)
def test_a_refused_file_is_415_and_nothing_is_kept(case, world: World, people, tmp_path):
    name, data = REFUSED[case]
    before_files, before_rows = files_under(tmp_path), Evidence.objects.count()
    response = api_client(people["owner"]).post(
        evidence_url(world), {"file": upload(name, data)}, format="multipart"
    )
    assert response.status_code == 415
    error = response.json()["error"]
    assert error["code"] == "file_type"
    assert error["fields"]["file"] == [f"{name} is not a PDF, JPEG or PNG file."]
    assert Evidence.objects.count() == before_rows
    assert files_under(tmp_path) == before_files


@pytest.mark.parametrize(
    ("data", "status", "code", "message"),
    [
        (b"", 400, "file_empty", "scan.pdf is empty."),
        (
            PDF[:-7] + b" " * (MAX_BYTES - len(PDF) + 1) + PDF[-7:],
            413,
            "file_too_large",
            "scan.pdf is larger than 10 MB.",
        ),
    ],
    ids=["empty", "10 MB and one byte"],
)
def test_an_empty_or_oversized_file_is_refused(
    data, status, code, message, world: World, people, tmp_path
):
    assert len(data) in (0, MAX_BYTES + 1)
    before_files, before_rows = files_under(tmp_path), Evidence.objects.count()
    response = api_client(people["owner"]).post(
        evidence_url(world), {"file": upload("scan.pdf", data)}, format="multipart"
    )
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["fields"]["file"] == [message]
    assert (Evidence.objects.count(), files_under(tmp_path)) == (before_rows, before_files)


def test_exactly_10_mb_is_accepted(world: World, people):
    data = PDF[:-7] + b" " * (MAX_BYTES - len(PDF)) + PDF[-7:]
    assert len(data) == MAX_BYTES
    response = api_client(people["owner"]).post(
        evidence_url(world), {"file": upload("scan.pdf", data)}, format="multipart"
    )
    assert response.status_code == 201
    stored = Evidence.objects.get(pk=response.json()["evidence"][0]["id"])
    assert stored.size == MAX_BYTES


def test_one_bad_file_among_good_ones_stores_none(world: World, people, tmp_path):
    before_files, before_rows = files_under(tmp_path), Evidence.objects.count()
    files = [
        upload("a.pdf", PDF),
        upload("b.png", PNG),
        upload("c.pdf", REFUSED["svg named png"][1]),
    ]
    response = api_client(people["owner"]).post(
        evidence_url(world), {"file": files}, format="multipart"
    )
    assert response.status_code == 415
    assert (Evidence.objects.count(), files_under(tmp_path)) == (before_rows, before_files)


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
        ("bill\x00.pdf", "bill.pdf"),
        ("ti\r\nme\x1b[31m.pdf", "time[31m.pdf"),
        ("invoice\u202efdp.exe.pdf", "invoicefdp.exe.pdf"),  # a right-to-left override
        ("a" * 300 + ".pdf", "a" * 92 + ".pdf"),
        ("....pdf", "pdf.pdf"),
        ("", "file.pdf"),
    ],
    ids=[
        "unix traversal",
        "windows traversal",
        "nul",
        "controls",
        "rtl",
        "300 chars",
        "dots",
        "none",
    ],
)
def test_a_name_is_shown_cleaned_and_never_used_on_disk(
    sent, shown, world: World, people, tmp_path
):
    """Django's upload handler already drops path parts; the service does not rely on it."""
    before = set(files_under(tmp_path))
    (evidence,) = evidence_add_many(
        application=world.application, uploads=[RawUpload(sent, PDF)], uploaded_by=people["owner"]
    )
    evidence = Evidence.objects.get(pk=evidence.pk)
    assert evidence.original_name == shown
    assert len(evidence.original_name) <= 100
    new = set(files_under(tmp_path)) - before
    assert len(new) == 1
    (path,) = new
    relative = path.relative_to(tmp_path).as_posix()
    assert relative == evidence.file.name
    assert relative.startswith(f"evidence/{world.application.pk}/")
    assert len(path.stem) == 32 and path.suffix == ".pdf"  # a random name
    assert path.read_bytes() == PDF


@pytest.mark.parametrize(
    ("name", "data", "content_type", "shown"),
    [
        ("scan.pdf", PNG, "image/png", "scan.png"),
        ("photo.png", JPEG, "image/jpeg", "photo.jpg"),
        ("bill.exe", PDF, "application/pdf", "bill.exe.pdf"),
        ("bill", PDF, "application/pdf", "bill.pdf"),
        ("PHOTO.JPEG", JPEG, "image/jpeg", "PHOTO.JPEG"),
    ],
)
def test_the_bytes_decide_the_type_and_the_shown_extension(
    name, data, content_type, shown, world: World, people
):
    """A phone may misname a file: it is kept for what its bytes are, and a reviewer who
    downloads it gets a name that opens it with the right program."""
    response = api_client(people["owner"]).post(
        evidence_url(world),
        {"file": upload(name, data, "application/octet-stream")},
        format="multipart",
    )
    assert response.status_code == 201
    (stored,) = response.json()["evidence"]
    assert (stored["content_type"], stored["name"]) == (content_type, shown)
    download = page_client(people["owner"]).get(
        f"/applications/{world.application.pk}/evidence/{stored['id']}/"
    )
    assert download["Content-Type"] == content_type
    assert shown in download["Content-Disposition"]


def test_a_polyglot_on_the_apply_form_makes_no_application_and_keeps_no_file(
    world: World, people, tmp_path
):
    client = page_client(people["owner"])
    url = f"/loans/{world.free_loan.pk}/apply/"
    before_files = files_under(tmp_path)
    response = client.post(
        url,
        {
            "reason": "accident",
            "files": [
                upload("ok.pdf", PDF),
                upload("bill.pdf", REFUSED["html after a pdf header"][1]),
            ],
        },
    )
    assert response.status_code == 200
    assert "bill.pdf is not a PDF, JPEG or PNG file." in response.content.decode()
    assert not ReliefApplication.objects.filter(loan=world.free_loan).exists()
    assert files_under(tmp_path) == before_files


# --- a failure after the files were written ---------------------------------------------------


def test_a_submission_that_fails_after_storing_its_files_leaves_nothing(
    world: World, people, tmp_path
):
    """The database goes away after the files were written and before the commit: the page
    answers 503, and there is no application, no event, no evidence row and no file."""
    client = page_client(people["owner"])
    before_files = files_under(tmp_path)
    counts = (ReliefApplication.objects.count(), ApplicationEvent.objects.count())
    with mock.patch(
        "relief.services.applications.triage_enqueue",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        response = client.post(
            f"/loans/{world.free_loan.pk}/apply/",
            {"reason": "accident", "files": [upload("a.pdf", PDF), upload("b.png", PNG)]},
        )
    assert response.status_code == 503
    assert (ReliefApplication.objects.count(), ApplicationEvent.objects.count()) == counts
    assert not Evidence.objects.filter(application__loan=world.free_loan).exists()
    assert files_under(tmp_path) == before_files


def test_an_upload_whose_second_row_fails_removes_both_files(world: World, people, tmp_path):
    before_files, before_rows = files_under(tmp_path), Evidence.objects.count()
    real_save = Evidence.save
    calls = []

    def save_then_fail(self, *args, **kwargs):
        calls.append(self.file.name)
        if len(calls) == 2:
            raise OperationalError("the database went away")
        return real_save(self, *args, **kwargs)

    with mock.patch.object(Evidence, "save", save_then_fail):
        response = api_client(people["owner"]).post(
            evidence_url(world),
            {"file": [upload("a.pdf", PDF), upload("b.png", PNG)]},
            format="multipart",
        )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert len(calls) == 2
    assert (Evidence.objects.count(), files_under(tmp_path)) == (before_rows, before_files)


def test_an_answer_that_fails_after_storing_its_files_leaves_nothing(
    world: World, people, reviewer, today, tmp_path
):
    owner = people["owner"].borrower
    application = needs_info(owner, overdue_loan(owner, today=today), reviewer)
    before_files, before_rows = files_under(tmp_path), Evidence.objects.count()
    with mock.patch(
        "relief.services.applications.sla_start", side_effect=OperationalError("connection refused")
    ):
        response = page_client(people["owner"]).post(
            f"/applications/{application.pk}/answer/",
            {
                "version": application.version,
                "text": "Here it is.",
                "files": [upload("a.pdf", PDF)],
            },
        )
    assert response.status_code == 503
    application.refresh_from_db()
    assert application.status == "needs_info"
    assert (Evidence.objects.count(), files_under(tmp_path)) == (before_rows, before_files)
