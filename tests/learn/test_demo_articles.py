"""seed_demo's starter articles: at least six, both languages, every topic, idempotent, and
rendered as the pages show them."""

import io

import pytest
from django.core.management import call_command

from learn.demo import ARTICLES
from learn.models import LANGUAGES, Article, Tag

pytestmark = pytest.mark.django_db


def seed(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--borrowers", "0", stdout=io.StringIO())


def test_seed_demo_loads_the_starter_articles_in_both_languages(settings):
    seed(settings)
    articles = list(Article.objects.filter(published=True).prefetch_related("tag_rows"))
    assert len(articles) >= 6
    for article in articles:
        assert article.languages == list(LANGUAGES), article.slug
        assert article.body_html_en.startswith("<p>") and article.body_html_zh_hans
    topics = {tag for article in articles for tag in article.tags}
    assert topics == set(Tag.values)


def test_seed_demo_twice_adds_no_article_and_keeps_an_edit(settings):
    seed(settings)
    edited = Article.objects.get(slug="budgeting-basics")
    edited.title_en = "Budgeting, edited by ops"
    edited.save()
    seed(settings)
    assert Article.objects.count() == len(ARTICLES)
    assert Article.objects.get(slug="budgeting-basics").title_en == "Budgeting, edited by ops"


def test_the_penalty_article_carries_the_worked_example(settings):
    seed(settings)
    penalty = Article.objects.get(slug="how-penalty-works")
    for figure in ("24%", "1.33", "26.60"):
        assert figure in penalty.body_html_en and figure in penalty.body_html_zh_hans


def test_the_scam_article_says_relief_is_free(settings):
    seed(settings)
    scams = Article.objects.get(slug="debt-relief-agent-scams")
    assert "<strong>Relief and repayment arrangements are free.</strong>" in scams.body_html_en
    assert "代理退息" in scams.body_html_zh_hans
