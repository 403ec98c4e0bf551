"""Reading articles: lists by topic, one for a place on a page, one by its address.

Other apps call these: `suggested_article(tag)` gives the article to show beside a quote or
on a dashboard (cached), `pick_article(tag)` the article itself (to render in each language
of a message, `article.text_in(language)`), `articles_for(tag, language)` a page's list.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet, Subquery
from django.utils.translation import get_language

from learn.models import LANGUAGES, Article, ArticleTag, ArticleText, Tag, in_tag_order


def reader_language(language: str | None = None) -> str:
    """One of the site's languages for a language code (default: the active one)."""
    code = (language or get_language() or settings.LANGUAGE_CODE).lower()
    return "en" if code.startswith("en") else "zh-hans"


def published_articles() -> QuerySet[Article]:
    return Article.objects.filter(published=True).prefetch_related("tag_rows")


def articles_for(tag: str | None = None, language: str | None = None) -> list[ArticleText]:
    """The published articles (with `tag`, when given), in the reader's language, in order."""
    articles = published_articles()
    if tag:
        articles = articles.filter(tag_rows__tag=tag)
    shown = reader_language(language)
    return [article.text_in(shown) for article in articles]


def pick_article(tag: str) -> Article | None:
    """The published article to show for a topic (the first in order), or None. Render it in
    a reader's language with `article.text_in(language)`."""
    return published_articles().filter(tag_rows__tag=tag).first()


def article_text(slug: str, language: str | None = None) -> ArticleText:
    """A published article by its slug, in the reader's language (or the other one when
    hers is missing). Raises Article.DoesNotExist."""
    article = published_articles().get(slug=slug)
    return article.text_in(reader_language(language))


def known_tag(tag: str | None) -> bool:
    return tag in Tag.values


def tag_choices() -> list[tuple[str, str]]:
    """Every tag with its label in the active language, in the fixed order."""
    return [(tag, str(label)) for tag, label in Tag.choices]


# The article a page suggests for a topic, per language, in the shared cache: the quote page
# and the dashboard show one on every view, and articles change only when ops edit them
# (`learn.signals` and `article_tags_set` forget them then). "No article" is cached too.
SUGGESTED_KEY = "learn:suggested:{tag}:{language}"
SUGGESTED_TIMEOUT = 3600
NOT_CACHED = object()


def suggested_article(tag: str, language: str | None = None) -> ArticleText | None:
    """The article to show beside a page for a topic, in the reader's language, or None."""
    shown = reader_language(language)
    key = SUGGESTED_KEY.format(tag=tag, language=shown)
    text = cache.get(key, NOT_CACHED)
    if text is NOT_CACHED:
        text = first_article_text(tag, shown)
        cache.set(key, text, SUGGESTED_TIMEOUT)
    return text


def first_article_text(tag: str, language: str) -> ArticleText | None:
    """`pick_article(tag)` in `language`, read in one query: the tag rows of the first
    published article with the tag, each joined to the article."""
    first = (
        Article.objects.filter(published=True, tag_rows__tag=tag)
        .order_by("position", "id")
        .values("pk")[:1]
    )
    rows = list(ArticleTag.objects.filter(article_id=Subquery(first)).select_related("article"))
    if not rows:
        return None
    return rows[0].article.text_in(language, tags=in_tag_order(row.tag for row in rows))


def suggestions_forget() -> None:
    """Drop the cached suggestions: now, and again when the transaction that changed an
    article commits (a page read in between may have cached the text being replaced)."""
    keys = [
        SUGGESTED_KEY.format(tag=tag, language=lang) for tag in Tag.values for lang in LANGUAGES
    ]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
