"""Articles for tests."""

from learn import services
from learn.models import Article, Tag


def article(slug="penalty-here", *, tags=(Tag.PENALTY,), published=True, **fields):
    fields = {
        "title_zh_hans": "罚息怎么算",
        "body_zh_hans": "每天的罚息 = 未还本息 × 罚息利率 ÷ 360。",
        "title_en": "How penalty works",
        "body_en": "Daily penalty = unpaid principal and interest × penalty rate ÷ 360.",
        **fields,
    }
    created = Article.objects.create(slug=slug, published=published, **fields)
    services.article_tags_set(article=created, tags=tags)
    return created
