"""Shared bits of the page tests: valid file bytes and applications in a given state."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override

from relief import services
from relief.models import ReliefApplication
from tests.pdf_samples import SCAN_PDF

PDF = SCAN_PDF
PNG = (
    b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 13 + b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9"


def pdf(name: str = "certificate.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def submitted(borrower, loan, *, reason: str = "serious_illness", uploads=()) -> ReliefApplication:
    with override("en"):
        return services.relief_application_submit(
            loan=loan,
            reason=reason,
            description="I was in hospital.",
            uploads=uploads,
            submitted_by=borrower.user,
        )


def in_review(borrower, loan, **kwargs) -> ReliefApplication:
    """The worked example: 80% for 20 days overdue goes to a reviewer, not auto-approval."""
    application = submitted(borrower, loan, **kwargs)
    application = services.relief_application_triage(application_id=application.pk)
    assert application.status == "in_review", application.status
    return application


def approved(borrower, loan, reviewer, *, percent: int = 80) -> ReliefApplication:
    application = in_review(borrower, loan)
    return services.relief_application_approve(
        application_id=application.pk, reviewer=reviewer, percent=percent, note="Get well soon."
    )


def needs_info(borrower, loan, reviewer, *, question="Please send the hospital bill."):
    application = in_review(borrower, loan)
    return services.relief_application_request_info(
        application_id=application.pk, reviewer=reviewer, question=question
    )


def fresh(application: ReliefApplication) -> ReliefApplication:
    return ReliefApplication.objects.get(pk=application.pk)
