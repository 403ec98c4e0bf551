"""Education articles (domain.md §10, "Education"): short texts in zh-hans and en, tagged by
topic, written by ops in Markdown and shown where they help.

The Markdown is rendered and sanitized when an article is saved (`learn.rendering`); pages
print the stored HTML and never the Markdown's raw HTML.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from learn.rendering import render_markdown

# The site's languages, the reader's first (learn.selectors.reader_language).
LANGUAGES = ("zh-hans", "en")


class Tag(models.TextChoices):
    PENALTY = "penalty", _("Penalty")
    CREDIT_RECORD = "credit_record", _("Credit record")
    BUDGETING = "budgeting", _("Budgeting")
    HARDSHIP_HELP = "hardship_help", _("Hardship help")
    ARRANGEMENTS = "arrangements", _("Deferral and plans")
    DEBT_RELIEF_SCAMS = "debt_relief_scams", _("Debt-relief scams")


@dataclass(frozen=True)
class ArticleText:
    """An article as one reader sees it: in her language, or in the other one when hers is
    missing (`is_fallback`, which the page says)."""

    slug: str
    title: str
    summary: str
    body_html: SafeString
    language: str
    requested_language: str
    tags: tuple[str, ...]
    updated_at: datetime

    @property
    def is_fallback(self) -> bool:
        return self.language != self.requested_language

    @property
    def tag_labels(self) -> list[tuple[str, str]]:
        return [(tag, Tag(tag).label) for tag in self.tags]


def in_tag_order(tags) -> tuple[str, ...]:
    """Tags in the fixed order of `Tag` (the order of the list's topics)."""
    given = set(tags)
    return tuple(tag for tag in Tag.values if tag in given)


def suffix(language: str) -> str:
    """The field suffix of a language: `zh-hans` → `zh_hans`."""
    return language.replace("-", "_")


class Article(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title_zh_hans = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_zh_hans = models.CharField(
        _("summary (Chinese)"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences shown in lists."),
    )
    summary_en = models.CharField(
        _("summary (English)"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences shown in lists."),
    )
    body_zh_hans = models.TextField(
        _("text (Chinese)"), blank=True, help_text=_("Markdown. HTML typed here is removed.")
    )
    body_en = models.TextField(
        _("text (English)"), blank=True, help_text=_("Markdown. HTML typed here is removed.")
    )
    # The bodies rendered and sanitized at save: what pages print.
    body_html_zh_hans = models.TextField(editable=False, blank=True)
    body_html_en = models.TextField(editable=False, blank=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=100, help_text=_("Lower comes first in lists.")
    )
    published = models.BooleanField(_("published"), default=False)
    # Counted with one UPDATE … SET reads = reads + 1 (learn.services.article_read_count).
    reads = models.PositiveBigIntegerField(_("reads"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_zh_hans="") | ~Q(title_en=""),
                name="article_has_a_title",
            ),
        ]

    def __str__(self) -> str:
        return self.title_zh_hans or self.title_en

    def save(self, *args, **kwargs) -> None:
        for language in LANGUAGES:
            body = getattr(self, f"body_{suffix(language)}")
            setattr(self, f"body_html_{suffix(language)}", render_markdown(body))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and any(name.startswith("body_") for name in update_fields):
            kwargs["update_fields"] = {
                *update_fields,
                *(f"body_html_{suffix(language)}" for language in LANGUAGES),
            }
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """Each language is written whole (title and text) or left out; one at least."""
        errors = {}
        for language in LANGUAGES:
            title = getattr(self, f"title_{suffix(language)}").strip()
            body = getattr(self, f"body_{suffix(language)}").strip()
            if title and not body:
                errors[f"body_{suffix(language)}"] = _("Write the text for this title.")
            elif body and not title:
                errors[f"title_{suffix(language)}"] = _("Give this text a title.")
        if not errors and not (self.title_zh_hans.strip() or self.title_en.strip()):
            errors["title_zh_hans"] = _("Write the article in one language at least.")
        if errors:
            raise ValidationError(errors)

    @property
    def languages(self) -> list[str]:
        """The languages this article is written in."""
        return [lang for lang in LANGUAGES if getattr(self, f"title_{suffix(lang)}").strip()]

    @property
    def tags(self) -> tuple[str, ...]:
        """Its tags (read from `tag_rows`: prefetch them for lists)."""
        return in_tag_order(row.tag for row in self.tag_rows.all())

    def text_in(self, language: str, *, tags: tuple[str, ...] | None = None) -> ArticleText:
        """The article for a reader of `language`: in it when written, else in the other.
        `tags`, when the caller read them already, saves reading `tag_rows`."""
        written = self.languages
        shown = language if language in written else (written[0] if written else language)
        end = suffix(shown)
        return ArticleText(
            slug=self.slug,
            title=getattr(self, f"title_{end}"),
            summary=getattr(self, f"summary_{end}"),
            # Sanitized by learn.rendering when saved: the only HTML a page prints as is.
            body_html=mark_safe(getattr(self, f"body_html_{end}")),  # noqa: S308  # nosec B308, B703
            language=shown,
            requested_language=language,
            tags=self.tags if tags is None else tags,
            updated_at=self.updated_at,
        )


class ArticleTag(models.Model):
    """One topic of an article (a table, so lists filter by tag in SQL on any database)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tag_rows")
    tag = models.CharField(_("tag"), max_length=32, choices=Tag.choices)

    class Meta:
        verbose_name = _("article tag")
        verbose_name_plural = _("article tags")
        constraints = [
            models.UniqueConstraint(fields=["article", "tag"], name="articletag_unique"),
            models.CheckConstraint(condition=Q(tag__in=Tag.values), name="articletag_known"),
        ]
        indexes = [models.Index(fields=["tag", "article"], name="articletag_by_tag")]

    def __str__(self) -> str:
        return self.tag
