"""Evidence files: PDF, JPEG or PNG judged by their bytes, at most 10 MB and 10 per case."""

from __future__ import annotations

import hashlib
import re
import unicodedata

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

# Markers of content that a browser or viewer might run, which has no place in a scan.
_ACTIVE_CONTENT = (b"<script", b"<html", b"<!doctype", b"<svg", b"<?php", b"<iframe")


class EvidenceError(DomainError):
    def __init__(self, message, *, status: int = 400, code: str = "invalid_file"):
        super().__init__(message, code=code, status=status, fields={"file": [str(message)]})


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, or None.

    Checks the start *and* the end of the file, and refuses active content anywhere, so a
    renamed text file, a truncated upload or an HTML/PDF polyglot is not taken for a scan.
    """
    head = data[:1024].lower()
    if any(marker in head for marker in _ACTIVE_CONTENT):
        return None
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]:
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff") and data.rstrip(b"\x00\r\n ").endswith(b"\xff\xd9"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" in data[-16:]:
        return "image/png"
    return None


def clean_name(name: str) -> str:
    """A safe display name: the last path part, no control characters, at most 100 chars."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > 100:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: 95 - len(suffix)] + dot + suffix) if dot and len(suffix) <= 5 else name[:100]
    return name or "file"


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
    return data, content_type, name


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
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
    evidence.file.save(f"upload{extension[content_type]}", ContentFile(data), save=False)
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
