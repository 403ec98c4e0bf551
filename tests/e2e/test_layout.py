"""Layout in the browser: the loan's installments on a phone, the details' markers, the
favicon, where each role lands after signing in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.helpers import log_in, pdf_file, screenshot, t

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


@pytest.mark.parametrize(("locale", "language"), [("zh-CN", ZH), ("en-US", "en")])
def test_on_a_desktop_the_installments_stay_a_table_with_its_header(
    open_page, site, locale, language
):
    page = open_page(locale=locale)
    page.goto(f"/loans/{site.alice_loan.pk}/")
    log_in(page, "alice", language=language)
    page.wait_for_url(f"**/loans/{site.alice_loan.pk}/")
    table = page.locator("table.stack")
    assert table.evaluate("table => getComputedStyle(table).display") == "table"
    expect(table.get_by_role("columnheader", name=t("Penalty accrued", language))).to_be_visible()
    expect(overdue_installment(page).get_by_role("cell", name="¥26.60")).to_be_visible()
    # All nine columns fit: the last one is on screen without scrolling the table.
    waived = overdue_installment(page).locator(f"td[data-label='{t('Penalty waived', language)}']")
    region = page.get_by_role("region", name=t("Installments", language))
    assert region.evaluate("el => el.scrollWidth <= el.clientWidth"), "the table scrolls"
    expect(waived).to_be_in_viewport(ratio=1)
    icon = page.locator("link[rel=icon]").get_attribute("href")
    answer = page.request.get(icon)
    assert answer.ok and answer.headers["content-type"].startswith("image/svg+xml")


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


def fill_the_application(page, site, language: str = ZH) -> None:
    page.goto(f"/loans/{site.alice_loan.pk}/apply/")
    if "/accounts/login/" in page.url:
        log_in(page, "alice", language=language)
        page.wait_for_url("**/apply/")
    page.wait_for_load_state("load")
    form = page.locator("form[data-upload]")
    form.get_by_label(t("Why could you not pay on time?", language)).select_option(
        "serious_illness"
    )
    form.get_by_label(t("Tell us what happened", language)).fill("I was in hospital.")
    form.get_by_label(t("Evidence files", language)).set_input_files(
        [pdf_file(), pdf_file("discharge-note.pdf")]
    )


def test_while_files_go_up_the_button_is_disabled_and_progress_shows(open_page, site):
    page = open_page()
    fill_the_application(page, site)
    held = []  # the upload, held on its way until the test lets it through
    page.route(
        re.compile(r"/loans/\d+/apply/$"),
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )
    send = page.get_by_role("button", name=t("Send my application"))
    send.click()
    page.wait_for_function("() => !document.querySelector('[data-upload-status]').hidden")
    expect(send).to_be_disabled()
    status = page.locator("[data-upload-status]")
    expect(status).to_be_visible()
    expect(status).to_contain_text(t("Sending your files…"))
    expect(status.locator("progress")).to_be_visible()
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_url("**/applications/*/")
    expect(page.get_by_role("status").first).to_contain_text(
        t("We received your application #%(id)s. We will tell you when it is decided.")
        % {"id": page.url.rstrip("/").rsplit("/", 1)[1]}
    )
    expect(page.get_by_role("link", name="discharge-note.pdf")).to_be_visible()


def test_the_application_form_works_without_javascript(browser, live_server, site):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", java_script_enabled=False
    )
    try:
        page = context.new_page()
        fill_the_application(page, site)
        page.get_by_role("button", name=t("Send my application")).click()
        page.wait_for_url("**/applications/*/")
        expect(page.get_by_role("link", name="discharge-note.pdf")).to_be_visible()
    finally:
        context.close()


def test_a_form_sent_with_a_mistake_puts_the_focus_on_the_first_wrong_field(open_page, site):
    page = open_page()
    page.goto(f"/loans/{site.alice_loan.pk}/apply/")
    log_in(page, "alice")
    page.wait_for_url("**/apply/")
    page.get_by_role("button", name=t("Send my application")).click()  # no reason chosen
    page.wait_for_load_state("load")
    reason = page.get_by_label(t("Why could you not pay on time?"))
    expect(reason).to_be_focused()
    expect(reason).to_have_attribute("aria-invalid", "true")


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_ops_charts_legends_never_overlap_and_recent_cases_are_counted(open_page, site, locale):
    from tests.e2e.test_ops_journey import a_month_of_cases

    a_month_of_cases(site)
    language = "en" if locale == "en-US" else ZH
    page = open_page(locale=locale)
    page.goto("/ops/")
    log_in(page, "ops", language=language)
    page.wait_for_url("**/ops/")
    # Each legend label, as the browser draws it, ends before the next colour box begins.
    overlaps = page.evaluate(
        """() => {
            const found = [];
            for (const svg of document.querySelectorAll("svg.chart")) {
                const boxes = [...svg.querySelectorAll("rect[width='12'][height='12']")];
                boxes.forEach((box, i) => {
                    const label = box.nextElementSibling, next = boxes[i + 1];
                    if (!next || next.getAttribute("y") !== box.getAttribute("y")) return;
                    const end = label.getBBox().x + label.getBBox().width;
                    if (end >= parseFloat(next.getAttribute("x")))
                        found.push(svg.id + ": " + label.textContent);
                });
            }
            return found;
        }"""
    )
    assert overlaps == []
    # Every decision is under 30 days old: the chart counts them instead of saying none.
    effectiveness = page.locator("#chart-effectiveness")
    expect(effectiveness).not_to_contain_text(t("No decided cases in this range", language))
    expect(effectiveness).to_contain_text("30")
    if language == ZH:
        screenshot(page, "ops-dashboard-zh", height=1500)


def test_a_refused_file_sent_with_progress_shows_the_error_with_the_focus_on_the_files(
    open_page, site
):
    page = open_page()
    fill_the_application(page, site)
    page.locator("form[data-upload]").get_by_label(t("Evidence files")).set_input_files(
        [pdf_file("not-really.pdf", b"MZ this is a program, not a PDF")]
    )
    page.get_by_role("button", name=t("Send my application")).click()
    files = page.get_by_label(t("Evidence files"))
    expect(files).to_have_attribute("aria-invalid", "true")
    expect(files).to_be_focused()
    # What was typed is kept, and the form can be sent again.
    expect(page.get_by_label(t("Tell us what happened"))).to_have_value("I was in hospital.")
    expect(page.get_by_role("button", name=t("Send my application"))).to_be_enabled()
