"""Layout in the browser: the loan's installments on a phone, the details' markers, the
favicon, where each role lands after signing in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.helpers import log_in, screenshot, t

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

ZH = "zh-hans"


def within_the_screen(box: dict, width: int) -> bool:
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def overdue_installment(page):
    return page.locator("table.stack tbody tr.overdue").first


def test_on_a_phone_each_installments_penalty_is_visible_without_scrolling_sideways(
    open_page, site
):
    page = open_page(phone=True)
    page.goto(f"/loans/{site.alice_loan.pk}/")
    log_in(page, "alice")
    page.wait_for_url(f"**/loans/{site.alice_loan.pk}/")
    row = overdue_installment(page)
    for label, value in (
        ("Daily penalty", "¥1.33"),
        ("Penalty accrued", "¥26.60"),
        ("Penalty paid", "¥0.00"),
        ("Penalty waived", "¥0.00"),
    ):
        cell = row.locator(f"td[data-label='{t(label)}']")
        # Scrolled to as a person scrolls a phone's page: down, never sideways.
        cell.evaluate("cell => window.scrollBy(0, cell.getBoundingClientRect().top - 100)")
        assert within_the_screen(cell.bounding_box(), PHONE["width"]), label
        expect(cell).to_be_in_viewport()
        expect(cell).to_have_text(value)
        # The column's name is read beside the value, the table's header being off screen.
        name = cell.evaluate("cell => getComputedStyle(cell, '::before').content")
        assert t(label) in name
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= PHONE["width"], "the page scrolls sideways"
    screenshot(page, "phone-loan")


def test_on_a_desktop_the_installments_stay_a_table_with_its_header(open_page, site):
    page = open_page()
    page.goto(f"/loans/{site.alice_loan.pk}/")
    log_in(page, "alice")
    page.wait_for_url(f"**/loans/{site.alice_loan.pk}/")
    table = page.locator("table.stack")
    assert table.evaluate("table => getComputedStyle(table).display") == "table"
    expect(table.get_by_role("columnheader", name=t("Penalty accrued"))).to_be_visible()
    expect(overdue_installment(page).get_by_role("cell", name="¥26.60")).to_be_visible()
    icon = page.locator("link[rel=icon]").get_attribute("href")
    answer = page.request.get(icon)
    assert answer.ok and answer.headers["content-type"].startswith("image/svg+xml")
    screenshot(page, "borrower-loan")


def test_a_details_summary_shows_a_marker_that_turns_when_opened(open_page, site):
    page = open_page(phone=True)
    page.goto(f"/loans/{site.alice_loan.pk}/quote/")
    log_in(page, "alice")
    page.wait_for_url("**/quote/")
    summary = page.get_by_text(t("What evidence helps, reason by reason"), exact=True)
    expect(summary).to_be_visible()

    def marker():
        return summary.evaluate(
            "el => { const s = getComputedStyle(el, '::before');"
            " return {content: s.content, width: parseFloat(s.width), transform: s.transform}; }"
        )

    closed = marker()
    assert closed["content"] not in ("none", "normal", '""'), closed
    assert closed["transform"] == "none"
    summary.click()
    expect(page.get_by_role("group")).to_have_attribute("open", "")
    page.wait_for_timeout(300)  # the marker turns in 0.15 s
    opened = marker()
    assert opened["content"] == closed["content"] and opened["transform"] != "none", opened


@pytest.mark.parametrize(
    ("username", "home", "heading"),
    [("ops", "/ops/", "Ops dashboard"), ("alice", "/", "My loans")],
)
def test_who_opens_the_site_and_signs_in_lands_on_the_page_of_their_work(
    open_page, site, username, home, heading
):
    page = open_page(locale="en-US")
    page.goto("/")
    log_in(page, username, language="en")
    page.wait_for_url(f"**{home}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_text("You have no loans with us.")).to_have_count(0)
