"""What the journeys share: logging in, reading the site in a language, waiting for the worker,
screenshots."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings
from django.utils import translation

from tests.pdf_samples import SCAN_PDF
from tests.support import wait_for

PASSWORD = "relief-demo"  # noqa: S105 - the demo accounts' password
PDF = SCAN_PDF


def t(message: str, language: str = "zh-hans", **params) -> str:
    """A message as the site shows it in `language` (the test asserts what a person reads)."""
    with translation.override(language):
        text = translation.gettext(message)
    return text % params if params else text


def status_label(status: str, language: str = "zh-hans") -> str:
    from relief.models import ApplicationStatus

    with translation.override(language):
        return str(ApplicationStatus(status).label)


def log_in(page, username: str, *, password: str = PASSWORD, language: str = "zh-hans"):
    """Log in on the borrower site's login page (the current page if it is one)."""
    if "/accounts/login/" not in page.url:
        page.goto("/accounts/login/")
    page.get_by_label(t("Username", language)).fill(username)
    page.get_by_label(t("Password", language)).fill(password)
    page.get_by_role("button", name=t("Log in", language)).click()


def admin_log_in(page, username: str, *, next_path: str = "/admin/"):
    page.goto(f"/admin/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def pdf_file(name: str = "hospital-certificate.pdf", data: bytes = PDF) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": data}


def reload_until(page, locator, text: str, *, timeout: float = 20.0) -> None:
    """Reload until `locator` shows `text`: for what the worker does in the background."""
    deadline = time.monotonic() + timeout
    while True:
        if locator.count() and text in locator.first.inner_text():
            return
        if time.monotonic() > deadline:
            shown = locator.first.inner_text() if locator.count() else "(nothing)"
            raise AssertionError(f"waited {timeout}s for {text!r}; the page shows {shown!r}")
        page.wait_for_timeout(250)
        page.reload()


def screenshot(page, name: str, *, height: int | None = None, element=None) -> None:
    """Save a PNG of the page to $SCREENSHOTS/<name>.png when SCREENSHOTS is set: the whole
    page, its top `height` pixels, or one `element` (a locator) of it."""
    target = os.environ.get("SCREENSHOTS")
    if not target:
        return
    folder = Path(target)
    if not folder.is_absolute():
        folder = Path(settings.BASE_DIR) / folder
    folder.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    if element is not None:
        element.screenshot(path=folder / f"{name}.png")
        return
    clip = None
    if height:
        clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": height}
    page.screenshot(path=folder / f"{name}.png", full_page=True, clip=clip)


def alice_case(site, *, approve_percent: int | None = None, with_pdf: bool = False):
    """Alice's application on her overdue loan (serious illness), submitted through the
    service and triaged by the real worker; approved by `reviewer` at `approve_percent`."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from relief.models import ApplicationStatus, ReliefApplication
    from relief.services import relief_application_approve, relief_application_submit

    uploads = [SimpleUploadedFile("hospital-certificate.pdf", PDF, "application/pdf")]
    application = relief_application_submit(
        loan=site.alice_loan,
        reason="serious_illness",
        description="I was in hospital for two weeks.",
        uploads=uploads if with_pdf else (),
        submitted_by=site.alice.user,
    )
    triaged = wait_for(
        lambda: ReliefApplication.objects.filter(
            pk=application.pk, status=ApplicationStatus.IN_REVIEW
        ).exists()
    )
    assert triaged, "the worker did not triage the application"
    if approve_percent is not None:
        relief_application_approve(
            application_id=application.pk,
            reviewer=site.reviewer,
            percent=approve_percent,
            note="Get well soon.",
        )
    return ReliefApplication.objects.get(pk=application.pk)


def alice_plan(site, *, periods: int = 6, approve_periods: int | None = None, accept: bool = True):
    """Alice's application for a plan of `periods` with relief on her worked-example loan
    (serious illness), submitted through the service and triaged by the real worker; approved
    by `reviewer` at 80% (with a plan of `approve_periods` instead, if given) and, with
    `accept`, accepted: the plan has started."""
    from relief.models import ApplicationStatus, ReliefApplication
    from relief.services import (
        relief_application_accept,
        relief_application_approve,
        relief_application_submit,
    )

    application = relief_application_submit(
        loan=site.alice_loan,
        reason="serious_illness",
        description="I was in hospital for two weeks.",
        submitted_by=site.alice.user,
        arrangement={"kind": "plan", "periods": periods},
        monthly_income="1000",
    )
    triaged = wait_for(
        lambda: ReliefApplication.objects.filter(
            pk=application.pk, status=ApplicationStatus.IN_REVIEW
        ).exists()
    )
    assert triaged, "the worker did not triage the application"
    relief_application_approve(
        application_id=application.pk,
        reviewer=site.reviewer,
        percent=80,
        arrangement=(
            None if approve_periods is None else {"kind": "plan", "periods": approve_periods}
        ),
    )
    if accept:
        relief_application_accept(application_id=application.pk, user=site.alice.user)
    return ReliefApplication.objects.get(pk=application.pk)
