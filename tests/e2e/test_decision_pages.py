"""What a borrower reads at the turns of her case, in both languages, on a phone and a
desktop: a loan in its grace days, an offer's terms, a rejection with the reviewer's note.
With SCREENSHOTS set, each page is saved as <page>-<language>-<phone|desktop>.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import alice_case, log_in, screenshot, t

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

READERS = [
    ("zh-hans", "zh-CN", False),
    ("zh-hans", "zh-CN", True),
    ("en", "en-US", False),
    ("en", "en-US", True),
]
NOTE = "The certificate covers a stay after the installment fell due."


def each_reader(open_page, path: str):
    """(language, page, shot suffix) for each reader, signed in as alice at `path`."""
    for language, locale, phone in READERS:
        page = open_page(locale=locale, phone=phone)
        page.goto(path)
        log_in(page, "alice", language=language)
        page.wait_for_url(f"**{path.split('?')[0]}*")
        yield (
            language,
            page,
            f"{'zh' if language == 'zh-hans' else 'en'}-{'phone' if phone else 'desktop'}",
        )


def test_a_loan_in_its_grace_days_says_when_penalty_starts(open_page, site):
    from tests.factories import overdue_loan

    loan = overdue_loan(site.alice, today=site.today, days=2)
    for language, page, shot in each_reader(open_page, f"/loans/{loan.pk}/quote/"):
        notice = page.get_by_test_id("grace-notice")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text(t("Why there is nothing to relieve yet", language))
        expect(notice).to_contain_text("¥2,000.00")
        expect(notice).to_contain_text("¥5.32")
        screenshot(page, f"quote-grace-days-{shot}")


def test_the_offer_says_how_to_pay_what_accepting_changes_and_the_credit_record(open_page, site):
    application = alice_case(site, approve_percent=80)
    for language, page, shot in each_reader(open_page, f"/applications/{application.pk}/"):
        offer = page.get_by_role("region", name=t("Your offer", language))
        for heading in (
            "How to pay",
            "What accepting changes",
            "What your credit record (征信) will show",
        ):
            expect(offer.get_by_role("heading", name=t(heading, language))).to_be_visible()
        screenshot(page, f"offer-terms-{shot}")


def test_a_rejection_shows_the_reviewers_note_and_how_to_reach_a_person(open_page, site):
    from relief.services import relief_application_reject

    application = alice_case(site)
    relief_application_reject(
        application_id=application.pk,
        reviewer=site.reviewer,
        reason_code="ability_to_pay",
        note=NOTE,
    )
    for language, page, shot in each_reader(open_page, f"/applications/{application.pk}/"):
        card = page.get_by_test_id("rejection")
        expect(card.locator("blockquote")).to_have_text(NOTE)
        expect(card.locator("blockquote")).to_be_in_viewport()
        expect(card.get_by_role("heading", name=t("If you disagree", language))).to_be_visible()
        screenshot(page, f"rejection-{shot}")


def test_the_loan_page_in_both_languages_and_widths(open_page, site):
    for language, page, shot in each_reader(open_page, f"/loans/{site.alice_loan.pk}/"):
        row = page.locator("table.stack tbody tr.overdue").first
        accrued = row.locator(f"td[data-label='{t('Penalty accrued', language)}']")
        expect(accrued).to_have_text("¥26.60")
        expect(page.get_by_text("¥15,000.00")).to_be_visible()  # the principal, grouped
        screenshot(page, f"loan-{shot}")
