"""Reading articles: lists by topic, one for a place on a page, one by its address.

Other apps call these: `pick_article(tag)` gives the article to show beside a quote, on a
dashboard or in a message; `articles_for(tag, language)` the list a page shows.
"""

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import get_language

from learn.models import Article, ArticleText, Tag


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


def suggested_article(tag: str, language: str | None = None) -> ArticleText | None:
    """The article to show beside a page for a topic, in the reader's language, or None."""
    article = pick_article(tag)
    return article.text_in(reader_language(language)) if article else None


def tag_choices() -> list[tuple[str, str]]:
    """Every tag with its label in the active language, in the fixed order."""
    return [(tag, str(label)) for tag, label in Tag.choices]
