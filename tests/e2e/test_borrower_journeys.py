"""A borrower's journeys in the browser: apply (in Chinese, and on a phone in English), then
see the offer, accept it and have the penalty waived when the rest is repaid.

The demo's alice has the worked example (domain.md §8): 2,000.00 due 20 days ago at 18%,
26.60 of penalty, 86% on time, so "other" quotes 60% and serious illness 80% (¥21.28).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from relief.models import ApplicationStatus, ReliefApplication
from tests.e2e.helpers import (
    PASSWORD,
    alice_case,
    log_in,
    pdf_file,
    reload_until,
    screenshot,
    status_label,
    t,
)

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ZH = "zh-hans"
EN = "en"


def apply_for_relief(page, site, *, language: str, files=(), shots: str = "") -> int:
    """From the dashboard: the overdue loan, its quote (changing the reason changes it), the
    application form; returns the new application's id once the page shows it."""
    loan = page.get_by_role("article").filter(has_text=site.alice_loan.external_id)
    expect(loan).to_contain_text(t("1–30 days overdue", language))  # the bucket, M1, in words
    expect(loan).to_contain_text("¥2,000.00")  # overdue
    expect(loan).to_contain_text("¥26.60")  # penalty outstanding
    if shots:
        screenshot(page, f"{shots}dashboard")

    loan.get_by_role("link", name=t("See how much penalty could be waived", language)).click()
    percent = page.get_by_test_id("quote-percent")
    expect(percent).to_have_text("60%")  # no reason chosen counts as "other"
    estimate = page.get_by_role("region", name=t("Your estimate", language))
    expect(estimate).to_contain_text("¥15.96")

    # Choosing a reason sends the form by itself (static/js/autosubmit.js, deferred): wait
    # for the page's scripts, as a person would see the page settle before choosing.
    page.wait_for_load_state("load")
    reason = page.get_by_label(t("Why could you not pay on time?", language))
    reason.select_option(label=t("Serious illness", language))
    page.wait_for_url("**reason=serious_illness**")
    expect(percent).to_have_text("80%")
    expect(estimate).to_contain_text("¥21.28")
    history = t("Repayment history %(points)s: %(ratio)s paid on time", language)
    expect(estimate).to_contain_text(history % {"points": "+10", "ratio": "86%"})
    if shots:
        screenshot(page, f"{shots}quote")

    page.get_by_role("link", name=t("Apply for relief", language), exact=True).click()
    form = page.locator("form[enctype='multipart/form-data']")
    expect(form.get_by_label(t("Why could you not pay on time?", language))).to_have_value(
        "serious_illness"
    )
    form.get_by_label(t("Tell us what happened", language)).fill("I was in hospital for two weeks.")
    if files:
        form.get_by_label(t("Evidence files", language)).set_input_files(list(files))
    page.get_by_role("button", name=t("Send my application", language)).click()

    page.wait_for_url("**/applications/*/")
    application_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    received = t(
        "We received your application #%(id)s. We will tell you when it is decided.", language
    )
    expect(page.get_by_role("status")).to_contain_text(received % {"id": application_id})
    return application_id


def test_alice_applies_in_chinese_with_a_pdf_and_the_worker_sends_it_to_review(open_page, site):
    page = open_page(locale="zh-CN")
    page.goto("/")
    log_in(page, "alice", language=ZH)

    application_id = apply_for_relief(
        page, site, language=ZH, files=[pdf_file("诊断证明.pdf")], shots="borrower-"
    )

    # The worker triages in the background: the page shows the case in review once it has.
    status = page.get_by_test_id("application-status")
    reload_until(page, status, status_label(ApplicationStatus.IN_REVIEW, ZH))
    evidence = page.get_by_role("region", name=t("Evidence", ZH))
    expect(evidence).to_contain_text("诊断证明.pdf")
    timeline = page.get_by_role("region", name=t("Timeline", ZH))
    expect(timeline).to_contain_text(status_label(ApplicationStatus.SUBMITTED, ZH))
    expect(timeline).to_contain_text(status_label(ApplicationStatus.IN_REVIEW, ZH))
    screenshot(page, "borrower-application-in-review")

    application = ReliefApplication.objects.get(pk=application_id)
    assert application.assigned_to == site.reviewer
    assert application.suggested_percent == 80
    assert application.evidence.count() == 1


def test_alice_accepts_the_offer_and_a_repayment_through_the_api_waives_the_penalty(
    open_page, site
):
    application = alice_case(site, approve_percent=80)
    page = open_page(locale="zh-CN")
    page.goto("/")
    log_in(page, "alice", language=ZH)

    # The approval is waiting in her notifications.
    page.get_by_role("navigation").get_by_role("link", name=t("Notifications", ZH)).click()
    approved_title = t("Application #%(id)s approved", ZH) % {"id": application.pk}
    notification = page.get_by_role("article").filter(has_text=approved_title)
    expect(notification).to_contain_text("¥21.28")
    notification.get_by_role("link", name=t("Open", ZH)).click()

    expect(page.get_by_test_id("offer-percent")).to_have_text("80%")
    offer = page.get_by_role("region", name=t("Your offer", ZH))
    expect(offer).to_contain_text("¥21.28")
    # Everything overdue less the relief: 2,000.00 + 26.60 − 21.28.
    to_repay = offer.locator("div").filter(has_text=t("Still to repay", ZH)).locator("dd")
    expect(to_repay).to_have_text("¥2,005.32")
    page.get_by_role("button", name=t("Accept the offer", ZH)).click()
    expect(page.get_by_test_id("application-status")).to_have_text(
        status_label(ApplicationStatus.ACCEPTED, ZH)
    )

    # The lender's core system posts her repayment with its service token.
    api = open_page(locale="en-US").request
    token = api.post(
        "/api/v1/auth/token/", data={"username": "servicing", "password": PASSWORD}
    ).json()["token"]
    repayment = api.post(
        "/api/v1/servicing/repayments/",
        headers={"Authorization": f"Token {token}"},
        data={
            "loan_external_id": site.alice_loan.external_id,
            "amount": "2005.32",
            "paid_on": site.today.isoformat(),
            "reference": "E2E-REPAY-1",
        },
    )
    assert repayment.status == 201, repayment.text()

    page.reload()
    expect(page.get_by_test_id("application-status")).to_have_text(
        status_label(ApplicationStatus.FULFILLED, ZH)
    )
    expect(page.get_by_role("main")).to_contain_text(
        t("¥%(amount)s of penalty was waived. Thank you for repaying.", ZH) % {"amount": "21.28"}
    )
    steps = page.get_by_role("region", name=t("Timeline", ZH)).get_by_role("listitem")
    expect(steps).to_have_count(5)
    for step, status in zip(
        steps.all(),
        ["submitted", "in_review", "approved", "accepted", "fulfilled"],
        strict=True,
    ):
        expect(step.locator("strong")).to_contain_text(status_label(status, ZH))
    screenshot(page, "borrower-application-timeline")

    # The loan: nothing overdue, the penalty waived on the installment.
    page.get_by_role("link", name=site.alice_loan.external_id).click()
    missed = page.get_by_role("row").filter(has_text=str(site.today - timedelta(days=20)))
    expect(missed).to_contain_text("¥21.28")  # penalty waived
    figures = page.locator("dl.figures")
    expect(figures.locator("div").filter(has_text=t("Penalty outstanding", ZH))).to_contain_text(
        "¥0.00"
    )


def test_the_same_journey_on_a_phone_in_english(open_page, site):
    page = open_page(locale="zh-CN", phone=True)
    page.goto("/")
    log_in(page, "alice", language=ZH)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("My loans", ZH))

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My loans")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    apply_for_relief(page, site, language=EN, shots="phone-")
    status = page.get_by_test_id("application-status")
    reload_until(page, status, status_label(ApplicationStatus.IN_REVIEW, EN))
    screenshot(page, "phone-application")
    # Nothing is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
