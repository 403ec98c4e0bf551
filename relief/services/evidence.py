"""Evidence files: PDF, JPEG or PNG judged by their bytes, at most 10 MB and 10 per case."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import pikepdf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from relief.models import UNDECIDED_STATUSES, Evidence, ReliefApplication

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 10
TOO_LARGE = _("%(name)s is larger than 10 MB.")
EMPTY = _("%(name)s is empty.")
WRONG_TYPE = _("%(name)s is not a PDF, JPEG or PNG file.")
TOO_MANY = _("An application can have at most 10 files.")
CLOSED = _("Files can only be added while the application is being considered.")
ACTIVE_PDF = _(
    "%(name)s contains active content (a script, a link, a form action or an attached file), "
    "which a scanned document never needs. Please upload a plain scan or photo of the document."
)
UNREADABLE_PDF = _(
    "%(name)s could not be read as a PDF document (it is damaged, empty or locked with a "
    "password). Please upload a plain scan or photo of the document."
)

# Markers of content that a browser or viewer might run, which has no place in a scan: looked
# for in the whole (lower-cased) file, as an HTML/PDF polyglot hides its page after the PDF
# header. Short tags must be followed by a space, "/" or ">", so compressed image data does
# not match them by chance (about once in 2,000 random 10 MB files).
_ACTIVE_CONTENT = re.compile(
    rb"<(?:script|iframe|object|embed|!doctype|(?:html|svg|img|body|\?php)[\s/>])|javascript:"
)
# PDF actions that run script, start programs or carry other files; a scanned certificate
# needs none of them.
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)(?![A-Za-z0-9])")
# A ZIP archive is found by its end record, within 64 KiB of the end of the file: a JPEG, PNG
# or PDF with one there is also a ZIP (a "GIFAR"-style polyglot).
_ZIP_END = b"PK\x05\x06"
_ZIP_END_WINDOW = 65_535 + 22
# What a PDF viewer would run, open or send when a reviewer opens the file: scripts, actions
# on opening or on events, programs, links, form submissions, attached or embedded files and
# media. Looked for as dictionary keys and as name values (`/S /URI`, `/Type /EmbeddedFile`)
# in every object qpdf reads, compressed object streams included, with names decoded
# (`/J#61vaScript` is `/JavaScript`).
PDF_ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/Launch",
        "/URI",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/AA",
        "/OpenAction",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/FileAttachment",
        "/RichMedia",
        "/XFA",
    }
)
EXTENSIONS = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",)}


class EvidenceError(DomainError):
    def __init__(self, message, *, status: int = 400, code: str = "invalid_file"):
        super().__init__(message, code=code, status=status, fields={"file": [str(message)]})


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, or None.

    Checks the start *and* the end of the file, and refuses active content anywhere, so a
    renamed text file, a truncated upload, an HTML/PDF polyglot or a JPEG/PNG/PDF that is also
    a ZIP archive is not taken for a scan. A PDF is then read by `pdf_check`.
    """
    if _ACTIVE_CONTENT.search(data.lower()) or _ZIP_END in data[-_ZIP_END_WINDOW:]:
        return None
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]:
        return "application/pdf"  # and then `pdf_check`
    if data.startswith(b"\xff\xd8\xff") and data.rstrip(b"\x00\r\n ").endswith(b"\xff\xd9"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" in data[-16:]:
        return "image/png"
    return None


def pdf_active_name(data: bytes) -> str | None:
    """The first active name (`PDF_ACTIVE_NAMES`) in a PDF, as a viewer would read the file.

    Raises `pikepdf.PdfError` when qpdf cannot read it. Walks every object without recursion
    (a deeply nested dictionary is no risk); indirect references are not followed, as every
    indirect object is itself one of `pdf.objects`."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pending = [pdf.trailer, *pdf.objects]
        while pending:
            item = pending.pop()
            if isinstance(item, pikepdf.Name):
                if str(item) in PDF_ACTIVE_NAMES:
                    return str(item)
                continue
            if isinstance(item, pikepdf.Stream):
                item = item.stream_dict
            if isinstance(item, pikepdf.Dictionary):
                found = next((key for key in item if key in PDF_ACTIVE_NAMES), None)
                if found:
                    return found
                children = list(item.values())
            elif isinstance(item, pikepdf.Array):
                children = list(item)
            else:
                continue
            pending += [child for child in children if not getattr(child, "is_indirect", True)]
    return None


def pdf_check(data: bytes, name: str) -> None:
    """Refuse a PDF with active content, or one qpdf cannot read (415)."""
    # The plain spelling anywhere, even outside any object: only the long names, which
    # compressed image data does not spell by chance (`/AA` or `/URI` would); the rest of
    # PDF_ACTIVE_NAMES is found by reading the objects.
    if _PDF_ACTIVE.search(data):
        raise EvidenceError(ACTIVE_PDF % {"name": name}, status=415, code="file_active_content")
    try:
        active = pdf_active_name(data)
    except (pikepdf.PdfError, pikepdf.PasswordError, ValueError, RuntimeError):
        raise EvidenceError(
            UNREADABLE_PDF % {"name": name}, status=415, code="file_unreadable"
        ) from None
    if active is not None:
        raise EvidenceError(ACTIVE_PDF % {"name": name}, status=415, code="file_active_content")


def clean_name(name: str) -> str:
    """A safe display name: the last path part, no control characters, at most 100 chars."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > 100:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: 95 - len(suffix)] + dot + suffix) if dot and len(suffix) <= 5 else name[:100]
    return name or "file"


def display_name(name: str, content_type: str) -> str:
    """The cleaned name with the extension of what the file really is: a PNG sent as
    "scan.pdf" is shown and downloaded as "scan.png", a PDF sent as "x.exe" as "x.exe.pdf"."""
    extensions = EXTENSIONS[content_type]
    stem, dot, suffix = name.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix in extensions:
        return name
    ours = any(suffix in others for others in EXTENSIONS.values())
    base = stem if ours else name
    return clean_name(f"{base[:95]}{extensions[0]}")


def evidence_check(upload) -> tuple[bytes, str, str]:
    """Read and judge one uploaded file; returns (bytes, content type, display name)."""
    name = clean_name(getattr(upload, "name", "") or "")
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise EvidenceError(TOO_LARGE % {"name": name}, status=413, code="file_too_large")
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise EvidenceError(TOO_LARGE % {"name": name}, status=413, code="file_too_large")
    if not data:
        raise EvidenceError(EMPTY % {"name": name}, code="file_empty")
    content_type = sniff(data)
    if content_type is None:
        raise EvidenceError(WRONG_TYPE % {"name": name}, status=415, code="file_type")
    if content_type == "application/pdf":
        pdf_check(data, name)
    return data, content_type, display_name(name, content_type)


# The files stored inside `evidence_files_removed_on_failure`, to delete if it fails.
_stored_files: ContextVar[list[str] | None] = ContextVar("evidence_stored_files", default=None)


@contextmanager
def evidence_files_removed_on_failure() -> Iterator[None]:
    """Delete again the evidence files stored inside this block if it ends with an exception.

    Files are written before the transaction commits; wrapped around a service's outermost
    transaction, this makes a rolled-back submission (or answer, or upload) leave no bytes
    on disk, as it leaves no rows. A nested use joins the outer one. Also usable as a
    decorator (put it above @transaction.atomic, so a failed commit is covered too)."""
    if _stored_files.get() is not None:
        yield
        return
    stored: list[str] = []
    token = _stored_files.set(stored)
    try:
        yield
    except BaseException:
        storage = Evidence._meta.get_field("file").storage
        for name in stored:
            storage.delete(name)
        raise
    finally:
        _stored_files.reset(token)


def evidence_store(
    *, application: ReliefApplication, checked: tuple[bytes, str, str], uploaded_by
) -> Evidence:
    from django.core.files.base import ContentFile

    data, content_type, name = checked
    evidence = Evidence(
        application=application,
        original_name=name,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=uploaded_by,
    )
    evidence.file.save(f"upload{EXTENSIONS[content_type][0]}", ContentFile(data), save=False)
    stored = _stored_files.get()
    if stored is not None:
        stored.append(evidence.file.name)
    evidence.save()
    return evidence


def evidence_add_many(*, application: ReliefApplication, uploads, uploaded_by) -> list[Evidence]:
    """Check every file first, then store them all: one bad file stores none."""
    uploads = list(uploads or [])
    if not uploads:
        return []
    if application.status not in UNDECIDED_STATUSES:
        raise EvidenceError(CLOSED, status=409, code="transition_not_allowed")
    if application.evidence.count() + len(uploads) > MAX_FILES:
        raise EvidenceError(TOO_MANY, code="too_many_files")
    checked = [evidence_check(upload) for upload in uploads]
    return [
        evidence_store(application=application, checked=item, uploaded_by=uploaded_by)
        for item in checked
    ]


def evidence_set_verified(*, evidence: Evidence, verified: bool, reviewer) -> Evidence:
    evidence.verified_by = reviewer if verified else None
    evidence.verified_at = timezone.now() if verified else None
    evidence.save(update_fields=["verified_by", "verified_at"])
    return evidence
