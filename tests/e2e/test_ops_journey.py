"""Ops: the dashboard's charts, and the applications export as CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import alice_case, log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


REASONS = [
    "serious_illness",
    "unemployment",
    "income_drop",
    "family_emergency",
    "accident",
    "other",
]


def a_month_of_cases(site, *, borrowers: int = 20) -> list[int]:
    """Cases from the demo's generated borrowers, spread over the last four weeks: some
    approved automatically or by the reviewer, some rejected, some still open, so every
    chart has something to draw. Returns the cases' ids."""
    from datetime import timedelta

    from django.utils import timezone

    from core.errors import DomainError
    from loans.demo import Seeder
    from loans.models import Loan
    from relief.models import ApplicationStatus, ReliefApplication
    from relief.services import (
        relief_application_approve,
        relief_application_reject,
        relief_application_submit,
    )
    from tests.support import wait_for

    Seeder(today=site.today).run(borrowers=borrowers)
    loans = Loan.objects.filter(external_id__startswith="L-B").order_by("external_id")
    submitted = []
    for number, loan in enumerate(loans):
        try:
            application = relief_application_submit(
                loan=loan, reason=REASONS[number % len(REASONS)], submitted_by=loan.borrower.user
            )
        except DomainError:  # not eligible: current, or in legal proceedings
            continue
        submitted.append(application.pk)
    cases = ReliefApplication.objects.filter(pk__in=submitted)
    assert wait_for(lambda: not cases.filter(status=ApplicationStatus.SUBMITTED).exists())
    for number, case in enumerate(cases.filter(status=ApplicationStatus.IN_REVIEW)):
        if number % 3 == 0:
            relief_application_reject(
                application_id=case.pk, reviewer=site.senior, reason_code="ability_to_pay"
            )
        elif number % 3 == 1:
            relief_application_approve(
                application_id=case.pk, reviewer=site.reviewer, percent=case.suggested_percent
            )
    now = timezone.now()
    for number, pk in enumerate(submitted):
        ReliefApplication.objects.filter(pk=pk).update(
            created_at=now - timedelta(days=number % 6 * 4 + 1)
        )
    return submitted


def test_ops_sees_the_charts_and_finds_the_case_in_the_applications_csv(open_page, site):
    a_month_of_cases(site)
    application = alice_case(site, approve_percent=80)

    page = open_page(locale="en-US")
    page.goto("/ops/")
    log_in(page, "ops", language="en")
    page.wait_for_url("**/ops/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ops dashboard")
    charts = page.locator("main svg")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 2
    for chart in charts.all():
        expect(chart).to_be_visible()
    screenshot(page, "ops-dashboard", height=1500)

    with page.expect_download() as download:
        page.get_by_role("button", name="Export Applications as CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    case = [row for row in body if row[header.index("application_id")] == str(application.pk)]
    assert len(case) == 1, text
    row = dict(zip(header, case[0], strict=True))
    assert (row["suggested_percent"], row["relief_amount"], row["status"]) == (
        "80",
        "21.28",
        "approved",
    )
    # Ops without the unmasked-export permission get ids, names and phones masked.
    assert row["loan_external_id"].endswith("CE-1")
    assert site.alice_loan.external_id not in text
