"""Articles in the admin: ops write them in Markdown and see the rendered, sanitized text.

Ops may add and change articles (the permissions their group bundles, learn's migration
0002); an article is taken down by unticking "published", never deleted, so its address
keeps answering with a 404 rather than another text.
"""

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from learn import services
from learn.models import Article, Tag


class ArticleForm(forms.ModelForm):
    tags = forms.MultipleChoiceField(
        label=_("Tags"),
        choices=Tag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Article
        fields = (
            "slug",
            "published",
            "position",
            "title_zh_hans",
            "summary_zh_hans",
            "body_zh_hans",
            "title_en",
            "summary_en",
            "body_en",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tags"].initial = list(self.instance.tags)


def preview(obj: Article, language: str):
    """The saved text of one language as pages show it (rendered and sanitized)."""
    if obj.pk is None or language not in obj.languages:
        return _("Save the article to see its text as borrowers will.")
    return format_html('<div class="article-preview">{}</div>', obj.text_in(language).body_html)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = ("slug", "title_zh_hans", "title_en", "published", "position", "reads")
    list_filter = ("published", "tag_rows__tag")
    search_fields = ("slug", "title_zh_hans", "title_en")
    ordering = ("position", "id")
    prepopulated_fields = {"slug": ("title_en",)}
    readonly_fields = ("reads", "updated_at", "preview_zh_hans", "preview_en")
    fieldsets = (
        (None, {"fields": ("slug", "tags", "published", "position", "reads", "updated_at")}),
        (_("Chinese"), {"fields": ("title_zh_hans", "summary_zh_hans", "body_zh_hans")}),
        (_("English"), {"fields": ("title_en", "summary_en", "body_en")}),
        (_("Preview"), {"fields": ("preview_zh_hans", "preview_en")}),
    )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("Preview (Chinese)"))
    def preview_zh_hans(self, obj: Article):
        return preview(obj, "zh-hans")

    @admin.display(description=_("Preview (English)"))
    def preview_en(self, obj: Article):
        return preview(obj, "en")

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        services.article_tags_set(article=form.instance, tags=form.cleaned_data["tags"])
