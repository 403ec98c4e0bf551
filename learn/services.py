"""Changing articles: their tags, and counting reads."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F

from learn import selectors
from learn.models import Article, ArticleTag


def article_read_count(*, slug: str) -> None:
    """One more read of a published article: a single UPDATE, so concurrent reads all count
    and none waits on another (no row is read first)."""
    Article.objects.filter(slug=slug, published=True).update(reads=F("reads") + 1)


@transaction.atomic
def article_tags_set(*, article: Article, tags: Iterable[str]) -> None:
    """The article's topics become exactly `tags`."""
    wanted = set(tags)
    article.tag_rows.exclude(tag__in=wanted).delete()
    ArticleTag.objects.bulk_create(
        [ArticleTag(article=article, tag=tag) for tag in sorted(wanted)],
        ignore_conflicts=True,
    )
    selectors.suggestions_forget()
