"""Keeping cached articles true to the database."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.signals import demo_data_seeded
from learn import demo, selectors
from learn.models import Article


@receiver(post_save, sender=Article, dispatch_uid="learn.article.saved")
@receiver(post_delete, sender=Article, dispatch_uid="learn.article.deleted")
def article_changed(sender, **kwargs) -> None:
    """An article saved or deleted through the ORM (the admin, the demo data) may change what
    a page suggests: the cached suggestions are forgotten."""
    selectors.suggestions_forget()


@receiver(demo_data_seeded, dispatch_uid="learn.demo_data_seeded")
def starter_articles_load(sender, *, log, **kwargs) -> None:
    """`seed_demo` loads the starter articles too."""
    demo.articles_load(log=log)
