"""The education pages, the borrower's settings and the satisfaction question in a browser,
in both languages, on a phone and a desktop. With SCREENSHOTS set, each is saved as
<page>-<zh|en>-<phone|desktop>.png."""

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


@pytest.fixture
def articles(site):
    from learn.demo import articles_load

    articles_load()


def test_the_articles_by_topic_and_one_article(open_page, site, articles):
    for language, page, shot in each_reader(open_page, "/learn/"):
        expect(page.get_by_role("heading", level=1)).to_have_text(t("Learn", language))
        title = "罚息是怎么算的" if language == "zh-hans" else "How penalty is worked out"
        expect(page.get_by_role("link", name=title)).to_be_visible()
        screenshot(page, f"learn-{shot}")
        page.get_by_role("link", name=t("Debt-relief scams", language), exact=True).click()
        scams = "代理退息骗局：怎样识别" if language == "zh-hans" else "Debt-relief agents"
        expect(page.get_by_role("link", name=scams)).to_be_visible()
        expect(page.get_by_role("link", name=title)).to_have_count(0)
        page.goto("/learn/how-penalty-works/")
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page.locator(".article-body")).to_contain_text("26.60")
        screenshot(page, f"learn-article-{shot}")


def test_the_quote_page_links_to_how_penalty_works(open_page, site, articles):
    path = f"/loans/{site.alice_loan.pk}/quote/"
    for language, page, _shot in each_reader(open_page, path):
        title = "罚息是怎么算的" if language == "zh-hans" else "How penalty is worked out"
        page.get_by_role("link", name=title).click()
        page.wait_for_url("**/learn/how-penalty-works/")
        break


def test_settings_opt_out_of_early_help_and_back(open_page, site):
    from loans.models import Borrower

    for language, page, shot in each_reader(open_page, "/settings/"):
        early = page.get_by_label(
            t("Tell me early when an installment may be hard to pay", language)
        )
        expect(early).to_be_checked()
        screenshot(page, f"settings-{shot}")
    page.get_by_label(t("Tell me early when an installment may be hard to pay", "en")).uncheck()
    page.get_by_role("button", name=t("Save settings", "en")).click()
    expect(page.get_by_role("status")).to_contain_text(t("Your settings are saved.", "en"))
    assert Borrower.objects.get(pk=site.alice.pk).outreach_opt_out is True
    expect(
        page.get_by_label(t("Tell me early when an installment may be hard to pay", "en"))
    ).not_to_be_checked()


def test_the_satisfaction_question_after_a_decision(open_page, site):
    from relief.models import SatisfactionAnswer

    application = alice_case(site, approve_percent=80)
    path = f"/applications/{application.pk}/"
    for language, page, shot in each_reader(open_page, path):
        question = page.get_by_role(
            "region", name=t("Your application is decided: how did we do?", language)
        )
        expect(question).to_be_visible()
        question.scroll_into_view_if_needed()
        screenshot(page, f"satisfaction-{shot}")
    question.get_by_text(t("Satisfied", "en"), exact=True).click()
    question.get_by_label(t("Anything you want to tell us? (optional)", "en")).fill(
        "Clear and fast."
    )
    question.get_by_role("button", name=t("Send", "en")).click()
    expect(page.get_by_role("status")).to_contain_text(t("Thank you for telling us.", "en"))
    answer = SatisfactionAnswer.objects.get(application=application)
    assert (answer.score, answer.comment) == (4, "Clear and fast.")
