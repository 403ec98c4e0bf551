"""axe-core over our own pages: the borrower's pages, the ops pages and the admin's case page
and review queue, each with no violation.

axe.min.js comes from the pinned `axe-playwright-python` (requirements-dev.txt), which ships
it; it is injected with a script tag into a context that bypasses the site's Content Security
Policy (which rightly allows no script but our own).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, TIMEOUT_MS
from tests.e2e.helpers import admin_log_in, alice_case, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


def axe_script() -> Path:
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).with_name("axe.min.js")


def violations(page, *, include: str | None = None) -> list[str]:
    """axe's violations on the page as it stands (or within `include`), one line each."""
    page.wait_for_load_state("load")
    page.add_script_tag(path=axe_script())
    found = page.evaluate(
        """async (include) => {
            const context = include ? {include: [include]} : document;
            const result = await axe.run(context, {resultTypes: ["violations"]});
            return result.violations.map(v => v.id + " (" + v.impact + "): "
                + v.nodes.map(n => n.target.join(" ")).join(", "));
        }""",
        include,
    )
    return [f"{page.url}: {line}" for line in found]


@pytest.fixture
def checked_page(browser, live_server):
    """new(locale=..., viewport=...) → a page whose context lets the axe script in."""
    contexts = []

    def new(*, locale="zh-CN", viewport=DESKTOP):
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport=viewport, bypass_csp=True
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield new
    for context in contexts:
        context.close()


@pytest.mark.parametrize(
    ("locale", "viewport"), [("zh-CN", DESKTOP), ("en-US", PHONE)], ids=["zh-desktop", "en-phone"]
)
def test_the_borrowers_pages_have_no_accessibility_violations(checked_page, site, locale, viewport):
    from learn.demo import articles_load

    articles_load()
    offer = alice_case(site, approve_percent=80)
    language = "en" if locale == "en-US" else "zh-hans"
    page = checked_page(locale=locale, viewport=viewport)
    page.goto("/accounts/login/")
    found = violations(page)
    log_in(page, "alice", language=language)
    page.wait_for_url("**/")
    loan = site.alice_loan.pk
    for path in (
        "/",
        f"/loans/{loan}/",
        f"/loans/{loan}/quote/?reason=serious_illness",
        f"/loans/{loan}/apply/",
        "/applications/",
        f"/applications/{offer.pk}/",
        "/notifications/",
        "/learn/",
        "/learn/how-penalty-works/",
        "/settings/",
    ):
        page.goto(path)
        found += violations(page)
    assert found == [], "\n".join(found)


def test_the_ops_pages_have_no_accessibility_violations(checked_page, site):
    alice_case(site, approve_percent=80)
    page = checked_page()
    page.goto("/ops/")
    log_in(page, "ops")
    page.wait_for_url("**/ops/")
    found = violations(page)
    page.goto("/ops/exports/")
    found += violations(page)
    assert found == [], "\n".join(found)


def test_the_admin_case_page_and_queue_have_no_accessibility_violations(checked_page, site):
    case = alice_case(site)
    page = checked_page(locale="en-US")
    admin_log_in(page, "reviewer", next_path=f"/admin/relief/reliefapplication/{case.pk}/change/")
    page.wait_for_url(f"**/{case.pk}/change/")
    found = violations(page)
    page.goto("/admin/relief/reliefapplication/")
    found += violations(page)
    assert found == [], "\n".join(found)


def test_a_rejection_a_request_for_information_and_a_quote_in_grace_days_have_no_violations(
    checked_page, site
):
    from relief.services import relief_application_reject, relief_application_request_info
    from tests.factories import overdue_loan

    rejected = alice_case(site)
    relief_application_reject(
        application_id=rejected.pk, reviewer=site.reviewer, reason_code="ability_to_pay",
        note="The certificate covers a stay after the installment fell due.",
    )  # fmt: skip
    asked = alice_case(site)
    relief_application_request_info(
        application_id=asked.pk, reviewer=site.reviewer, question="Please send the bill."
    )
    in_grace = overdue_loan(site.alice, today=site.today, days=2)
    page = checked_page(viewport=PHONE)
    page.goto("/accounts/login/")
    log_in(page, "alice")
    page.wait_for_url("**/")
    found = []
    for path in (
        f"/applications/{rejected.pk}/",
        f"/applications/{asked.pk}/",
        f"/loans/{in_grace.pk}/quote/",
    ):
        page.goto(path)
        found += violations(page)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("locale", "viewport"), [("zh-CN", DESKTOP), ("en-US", PHONE)], ids=["zh-desktop", "en-phone"]
)
def test_the_arrangement_pages_have_no_accessibility_violations(
    checked_page, site, locale, viewport
):
    """The options page with what an income affords and not, and with an error next to the
    options; a plan's application page with its schedule; the loan with plan installments."""
    from loans.models import Loan
    from tests.e2e.helpers import alice_plan, t

    plan = alice_plan(site)
    behind = Loan.objects.get(external_id="L-ALICE-3")
    language = "en" if locale == "en-US" else "zh-hans"
    page = checked_page(locale=locale, viewport=viewport)
    page.goto("/accounts/login/")
    log_in(page, "alice", language=language)
    page.wait_for_url("**/")
    found = []
    for path in (
        f"/loans/{behind.pk}/options/",
        f"/loans/{behind.pk}/options/?reason=income_drop&monthly_income=3000",
        f"/applications/{plan.pk}/",
        f"/loans/{plan.loan_id}/",
    ):
        page.goto(path)
        found += violations(page)
    page.goto(f"/loans/{behind.pk}/options/?reason=income_drop&monthly_income=3000")
    page.get_by_role("button", name=t("Apply for this option", language)).click()
    page.wait_for_load_state("load")
    assert page.locator("#option-error").count() == 1
    found += violations(page)
    assert found == [], "\n".join(found)
