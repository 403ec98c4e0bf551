"""Reviewers in the Django admin: the queue, the case page, the decision; four eyes on a
large case (a reviewer approves, a senior gives the second approval)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from relief.models import ApplicationStatus, ReliefApplication
from relief.services import relief_application_submit
from tests.e2e.helpers import admin_log_in, alice_case, screenshot, status_label
from tests.factories import BorrowerFactory, make_loan, overdue_loan
from tests.support import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

QUEUE = "/admin/relief/reliefapplication/"


def submitted_and_triaged(loan, reason: str = "other") -> ReliefApplication:
    application = relief_application_submit(
        loan=loan, reason=reason, submitted_by=loan.borrower.user
    )
    assert wait_for(
        lambda: ReliefApplication.objects.filter(
            pk=application.pk, status=ApplicationStatus.IN_REVIEW
        ).exists()
    ), "the worker did not triage the application"
    return ReliefApplication.objects.get(pk=application.pk)


def section(page, heading: str):
    """A section of the case page, by its heading."""
    return page.locator("section").filter(has=page.get_by_role("heading", name=heading, exact=True))


def case_status(page):
    return page.locator("dt", has_text="Status").locator("xpath=following-sibling::dd[1]")


def test_reviewer_finds_the_case_at_the_top_of_the_queue_and_approves_the_suggestion(
    open_page, site
):
    # A smaller case waits in the queue too (5 days late: lower priority), unassigned.
    other = submitted_and_triaged(overdue_loan(BorrowerFactory(), today=site.today, days=5))
    ReliefApplication.objects.filter(pk=other.pk).update(assigned_to=None)
    application = alice_case(site, with_pdf=True)
    assert application.assigned_to == site.reviewer
    assert application.priority > other.priority

    page = open_page(locale="en-US")
    admin_log_in(page, "reviewer", next_path=QUEUE)
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    top = rows.first
    expect(top.get_by_role("link").first).to_have_text(str(application.pk))
    expect(top).to_contain_text("80%")
    top.get_by_role("link").first.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(f"#{application.pk}")
    suggestion = section(page, "The rules' suggestion")
    expect(suggestion).to_contain_text("80%")
    for factor in (
        "Base 50: 20 days overdue",
        "Repayment history +10: 86% paid on time",
        "Serious illness +20",
    ):
        expect(suggestion.get_by_role("row").filter(has_text=factor)).to_have_count(1)
    evidence = section(page, "Evidence")
    expect(evidence.get_by_role("link", name="hospital-certificate.pdf")).to_be_visible()
    expect(evidence).to_contain_text("application/pdf")
    decision = page.locator("#decision")
    expect(decision.get_by_label("Approve: percent of the penalty outstanding")).to_have_value("80")
    expect(decision.locator("#approve-amount")).to_have_text("21.28")
    screenshot(page, "admin-case")

    decision.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("Approved at 80%: 21.28")
    expect(case_status(page)).to_have_text(status_label(ApplicationStatus.APPROVED, "en"))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert (application.decided_percent, application.decided_amount) == (80, Decimal("21.28"))
    assert application.decided_by == site.reviewer


def test_a_large_case_needs_a_reviewer_and_then_a_senior_to_approve(open_page, site):
    # 300,000.00 due 40 days ago at 24% a year of penalty: 200.00 a day, 8,000.00 so far;
    # 80% of it is far above the 5,000.00 a single reviewer may approve.
    borrower = BorrowerFactory()
    loan = make_loan(
        borrower,
        schedule=[(site.today - timedelta(days=40), Decimal("300000.00"), Decimal("4500.00"))],
    )
    application = submitted_and_triaged(loan, reason="serious_illness")
    assert application.assigned_to == site.reviewer

    reviewer = open_page(locale="en-US")
    admin_log_in(reviewer, "reviewer", next_path=QUEUE)
    reviewer.locator("#result_list tbody tr").first.get_by_role("link").first.click()
    decision = reviewer.locator("#decision")
    expect(decision.locator("#approve-four-eyes")).to_be_visible()
    expect(decision.locator("#approve-four-eyes")).to_contain_text("second approval")
    decision.get_by_role("button", name="Approve", exact=True).click()
    expect(reviewer.locator(".messagelist .success")).to_contain_text(
        "another senior reviewer must give the second approval"
    )
    waiting = status_label(ApplicationStatus.PENDING_SECOND_APPROVAL, "en")
    expect(case_status(reviewer)).to_have_text(waiting)
    expect(reviewer.locator("#decision")).to_contain_text("Waiting for a senior reviewer")

    # The senior finds it by the loan's id (it is assigned to the reviewer, not to her).
    senior = open_page(locale="en-US")
    admin_log_in(senior, "senior", next_path=QUEUE)
    search = senior.locator("#changelist-search").get_by_role("textbox")
    search.fill(loan.external_id)
    search.press("Enter")
    rows = senior.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(waiting)
    rows.first.get_by_role("link").first.click()
    decision = senior.locator("#decision")
    expect(decision).to_contain_text("reviewer approved 80%")
    screenshot(senior, "admin-second-approval")
    decision.get_by_role("button", name="Give the second approval").click()
    expect(case_status(senior)).to_have_text(status_label(ApplicationStatus.APPROVED, "en"))

    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.first_approver == site.reviewer
    assert application.decided_by == site.senior
    assert application.decided_amount > Decimal("5000.00")
