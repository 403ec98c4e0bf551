"""Repayment arrangements in the browser: alice, on her phone, opens her options, states her
income, sees what she can afford, applies for a plan of 6 with relief; the reviewer approves
it; she accepts and reads the plan's schedule. The options page on a phone and a desktop, in
both languages (screenshots `options-<zh|en>-<phone|desktop>.png`).

Her worked example (domain.md §9): 2,000.00 overdue, 26.60 of penalty, 80% relief for serious
illness (21.28), so a plan of 6 is six payments of 334.22. At ¥1,000 a month she can afford
¥500.00: the plan of 3 (668.44) and every deferral (over 2,000.00 at once) are beyond her.
"""

from __future__ import annotations

import pytest
from django.utils import translation
from playwright.sync_api import expect

from relief.models import ApplicationStatus, ReliefApplication
from relief.presentation import arrangement_term_label
from relief.services import relief_application_approve
from tests.e2e.conftest import PHONE
from tests.e2e.helpers import alice_plan, log_in, reload_until, screenshot, status_label, t
from tests.e2e.test_decision_pages import each_reader

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ZH = "zh-hans"
AFFORDABLE = "Affordable: %(payment)s a month is within %(limit)s, your limit."
NOT_AFFORDABLE = "Not affordable: %(payment)s a month is more than %(limit)s, your limit."


def show_options(page, language: str, *, income: str = "1000") -> None:
    """On the options page: her reason and income, then the options worked out for them."""
    page.get_by_label(t("Why could you not pay on time?", language)).select_option(
        "serious_illness"
    )
    page.get_by_label(t("Your monthly income (¥)", language)).fill(income)
    page.get_by_role("button", name=t("Show my options", language)).click()
    page.wait_for_url("**monthly_income=*")


def test_alice_applies_for_a_plan_on_her_phone_accepts_it_and_reads_its_schedule(open_page, site):
    page = open_page(phone=True)
    page.goto("/")
    log_in(page, "alice", language=ZH)
    loan = page.get_by_role("article").filter(has_text=site.alice_loan.external_id)
    loan.get_by_role("link", name=site.alice_loan.external_id).click()
    page.get_by_role(
        "link", name=t("See your options: a plan of monthly payments or a deferral", ZH)
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your options to repay", ZH))

    show_options(page, ZH)
    limit = {"limit": "¥500.00"}
    six = page.get_by_test_id("option-plan-6")
    expect(six).to_contain_text(t(AFFORDABLE, ZH) % {"payment": "¥334.22", **limit})
    three = page.get_by_test_id("option-plan-3")
    expect(three).to_contain_text(t(NOT_AFFORDABLE, ZH) % {"payment": "¥668.44", **limit})
    expect(three.get_by_role("radio")).to_have_count(0)  # what she cannot afford, she cannot pick
    expect(page.get_by_test_id("option-deferral-1").get_by_role("radio")).to_have_count(0)
    expect(page.get_by_test_id("relief-first")).to_contain_text("¥21.28")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    six.get_by_role("radio").check()
    page.get_by_label(t("Tell us what happened", ZH)).fill("I was in hospital for two weeks.")
    page.get_by_role("button", name=t("Apply for this option", ZH)).click()
    page.wait_for_url("**/applications/*/")
    application = ReliefApplication.objects.get(loan=site.alice_loan)
    assert (application.arrangement.kind, application.arrangement.periods) == ("plan", 6)
    assert application.asks_relief and application.monthly_income == 1000

    # Relief of 80% for 20 days overdue goes to a reviewer; the worker triages it.
    status = page.get_by_test_id("application-status")
    reload_until(page, status, status_label(ApplicationStatus.IN_REVIEW, ZH))
    relief_application_approve(application_id=application.pk, reviewer=site.reviewer, percent=80)

    page.reload()
    offer = page.get_by_role("region", name=t("The offer approved for you", ZH))
    expect(offer).to_contain_text("¥21.28")
    expect(offer).to_contain_text("¥334.22")
    page.get_by_role("button", name=t("Accept the offer", ZH)).click()
    expect(page.get_by_test_id("application-status")).to_have_text(
        t("Accepted: arrangement started", ZH)
    )
    schedule = page.get_by_role("region", name=t("The plan's payments", ZH))
    rows = schedule.locator("tbody tr")
    expect(rows).to_have_count(6)
    for row in rows.all():
        expect(row).to_contain_text("¥334.22")
        expect(row).to_contain_text(t("Not yet due", ZH))
    expect(page.get_by_test_id("next-payment")).to_contain_text("¥334.22")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "arrangement-zh-phone")

    # The loan now shows the plan's installments and its restructured mark.
    page.get_by_role("link", name=site.alice_loan.external_id).click()
    expect(page.get_by_test_id("restructured")).to_be_visible()
    expect(page.locator("table.stack .badge.plan")).to_have_count(6)


def test_another_option_approved_is_clear_before_she_accepts(open_page, site):
    application = alice_plan(site, periods=6, approve_periods=12, accept=False)
    page = open_page(phone=True)
    page.goto(f"/applications/{application.pk}/")
    log_in(page, "alice", language=ZH)
    other = page.get_by_test_id("other-option")
    expect(other).to_contain_text(
        t("The reviewer approved another option than the one you asked for.", ZH)
    )
    with translation.override(ZH):
        twelve = arrangement_term_label("plan", 12)
    expect(other).to_contain_text(twelve)
    expect(page.get_by_role("button", name=t("Accept the offer", ZH))).to_be_visible()
    expect(page.get_by_text(t("Decline the offer", ZH), exact=True)).to_be_visible()


def test_the_options_page_in_both_languages_and_widths(open_page, site):
    path = f"/loans/{site.alice_loan.pk}/options/"
    for language, page, shot in each_reader(open_page, path):
        show_options(page, language)
        six = page.get_by_test_id("option-plan-6")
        expect(six).to_contain_text("¥334.22")
        expect(six.get_by_role("radio")).to_be_visible()
        if "phone" in shot:
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        else:
            # Side by side: the plans of 3 and 6 share a row on a desktop.
            first = page.get_by_test_id("option-plan-3").bounding_box()
            second = six.bounding_box()
            assert abs(first["y"] - second["y"]) < 1 and second["x"] > first["x"]
        # On a phone the top of the page: her figures, the affordable and the unaffordable.
        screenshot(page, f"options-{shot}", height=2320 if "phone" in shot else None)
