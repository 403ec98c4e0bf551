"""The education pages: the list by topic, one article in the reader's language, the
article beside the quote and on the dashboard; never a script from an article's text."""

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from learn import selectors
from learn.models import Article, Tag
from tests.factories import overdue_loan
from tests.learn.helpers import article

pytestmark = pytest.mark.django_db

HOSTILE_BODY = (
    "Read this.\n\n<script>alert('stolen')</script>\n\n"
    "[Claim your refund](javascript:alert(document.cookie))\n\n"
    '<img src=x onerror="alert(1)">\n\n<a href="javascript:void(0)" onclick="x()">x</a>'
)


@pytest.fixture
def reader(client, alice):
    client.force_login(alice.user)
    return client


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def assert_no_active_content(body: str) -> None:
    assert "<script>alert" not in body
    assert "javascript:" not in body
    assert "onerror" not in body and "onclick" not in body


def test_the_list_is_in_chinese_by_default_and_in_english_when_chosen(reader):
    article()
    chinese = reader.get(reverse("article-list")).content.decode()
    assert "罚息怎么算" in chinese and "How penalty works" not in chinese
    english = in_english(reader).get(reverse("article-list")).content.decode()
    assert "How penalty works" in english and "罚息怎么算" not in english


def test_the_list_filters_by_topic(reader):
    article(slug="penalty")
    article(slug="budget", tags=(Tag.BUDGETING,), title_en="Budgeting basics")
    body = in_english(reader).get(reverse("article-list"), {"tag": "budgeting"}).content.decode()
    assert "Budgeting basics" in body and "How penalty works" not in body
    everything = reader.get(reverse("article-list"), {"tag": "no-such-topic"}).content.decode()
    assert "Budgeting basics" in everything and "How penalty works" in everything


def test_an_article_in_both_languages(reader):
    article()
    url = reverse("article-detail", args=["penalty-here"])
    chinese = reader.get(url).content.decode()
    assert "<h1>罚息怎么算</h1>" in chinese and "未还本息" in chinese
    english = in_english(reader).get(url).content.decode()
    assert "<h1>How penalty works</h1>" in english and "unpaid principal" in english


def test_a_missing_translation_falls_back_and_says_so(reader):
    article(slug="chinese-only", title_en="", body_en="")
    body = in_english(reader).get(reverse("article-detail", args=["chinese-only"])).content
    body = body.decode()
    assert "This article is not written in English yet. Here it is in Chinese." in body
    assert '<article class="card article" lang="zh-hans">' in body
    assert "<h1>罚息怎么算</h1>" in body


def test_reading_an_article_counts_a_read(reader):
    article()
    reader.get(reverse("article-detail", args=["penalty-here"]))
    reader.get(reverse("article-detail", args=["penalty-here"]))
    assert Article.objects.get(slug="penalty-here").reads == 2


def test_a_draft_or_unknown_article_is_not_found(reader):
    article(slug="draft", published=False)
    assert reader.get(reverse("article-detail", args=["draft"])).status_code == 404
    assert reader.get(reverse("article-detail", args=["nothing-here"])).status_code == 404
    assert Article.objects.get(slug="draft").reads == 0


def test_signing_in_comes_first(client):
    article()
    response = client.get(reverse("article-detail", args=["penalty-here"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_script_in_an_article_never_reaches_a_page(reader, alice, today):
    article(slug="hostile", body_zh_hans=HOSTILE_BODY, body_en=HOSTILE_BODY)
    loan = overdue_loan(alice, today=today, days=20)
    pages = [
        reverse("article-detail", args=["hostile"]),
        reverse("article-list"),
        reverse("loan-quote", args=[loan.pk]),
    ]
    for url in pages:
        for client in (reader, in_english(reader)):
            response = client.get(url)
            assert response.status_code == 200
            assert_no_active_content(response.content.decode())
    body = reader.get(pages[0]).content.decode()
    # The words stay; only what would run is gone.
    assert "Claim your refund" in body and "Read this." in body


def test_the_quote_page_shows_how_penalty_works(reader, alice, today):
    article()
    loan = overdue_loan(alice, today=today, days=20)
    body = in_english(reader).get(reverse("loan-quote", args=[loan.pk])).content.decode()
    assert "Worth reading" in body
    assert f'href="{reverse("article-detail", args=["penalty-here"])}"' in body


def test_the_quote_page_without_articles_shows_no_empty_slot(reader, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    body = in_english(reader).get(reverse("loan-quote", args=[loan.pk])).content.decode()
    assert "Worth reading" not in body


def test_the_dashboard_shows_an_article_when_its_view_passes_one(rf, alice):
    article(slug="budget", tags=(Tag.BUDGETING,), title_en="Budgeting basics")
    request = rf.get("/")
    request.user = alice.user
    suggested = selectors.suggested_article(Tag.BUDGETING, "en")
    shown = render_to_string(
        "loans/dashboard.html", {"cards": [], "suggested_article": suggested}, request
    )
    assert "Budgeting basics" in shown and "/learn/budget/" in shown
    plain = render_to_string("loans/dashboard.html", {"cards": []}, request)
    assert "/learn/budget/" not in plain


def test_the_suggested_article_is_read_once_then_cached_until_an_article_changes(
    django_assert_num_queries,
):
    penalty = article()
    with django_assert_num_queries(1):
        first = selectors.suggested_article(Tag.PENALTY, "en")
    with django_assert_num_queries(0):
        again = selectors.suggested_article(Tag.PENALTY, "en")
    assert first == again and first.tags == (Tag.PENALTY,)
    penalty.published = False
    penalty.save()
    assert selectors.suggested_article(Tag.PENALTY, "en") is None
    article(slug="newer", tags=(Tag.PENALTY, Tag.BUDGETING), title_en="Penalty, newly")
    assert selectors.suggested_article(Tag.PENALTY, "en").title == "Penalty, newly"
