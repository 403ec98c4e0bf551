"""Articles in the REST API, in the reader's language (`learn.models.ArticleText`)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from learn.models import Tag


class ArticleQuerySerializer(serializers.Serializer):
    tag = serializers.ChoiceField(
        choices=Tag.choices, required=False, help_text="Only the articles with this tag."
    )


class ArticleSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    summary = serializers.CharField()
    tags = serializers.ListField(
        child=serializers.ChoiceField(choices=Tag.choices), help_text="Tag codes."
    )
    language = serializers.CharField(help_text="The language the article is shown in.")
    fallback = serializers.BooleanField(
        source="is_fallback",
        help_text="true when the article is not written in the reader's language and is "
        "shown in the other one.",
    )
    url = serializers.SerializerMethodField(help_text="The article's page on the site.")
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField())
    def get_url(self, article) -> str:
        return reverse("article-detail", args=[article.slug])


class ArticleDetailSerializer(ArticleSerializer):
    body_html = serializers.CharField(
        help_text="The text as HTML, rendered from Markdown and sanitized by an allow-list "
        '(no scripts, styles or event handlers; links get rel="nofollow noopener").'
    )
