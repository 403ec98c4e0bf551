"""Education articles in the REST API (api.md): a list by tag and one article, in the
reader's language; reading one counts a read, as its page does."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import Pagination, error_responses
from learn import selectors, services
from learn.models import Article
from learn.serializers import ArticleDetailSerializer, ArticleQuerySerializer, ArticleSerializer


def reader_language(request: Request) -> str:
    """The language the client asked for (Accept-Language or the language cookie, as the
    site reads them), else the borrower's own (`loans.Borrower.language`, read as an
    attribute of the user: learn knows no app), else the site's default."""
    if "HTTP_ACCEPT_LANGUAGE" in request.META or settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return selectors.reader_language()
    borrower = getattr(request.user, "borrower", None)
    return selectors.reader_language(getattr(borrower, "language", None))


class ArticleListApi(generics.ListAPIView):
    """Published education articles, in order, optionally of one tag."""

    permission_classes = [IsAuthenticated]
    serializer_class = ArticleSerializer
    filter_backends = []
    pagination_class = Pagination

    def get_queryset(self):
        query = ArticleQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.articles_for(
            query.validated_data.get("tag"), reader_language(self.request)
        )

    @extend_schema(
        operation_id="articles_list",
        tags=["articles"],
        parameters=[ArticleQuerySerializer],
        responses={200: ArticleSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)


class ArticleDetailApi(APIView):
    """One published article with its text as sanitized HTML; counts a read."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="articles_retrieve",
        tags=["articles"],
        responses={200: ArticleDetailSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        try:
            article = selectors.article_text(slug, reader_language(request))
        except Article.DoesNotExist:
            raise Http404 from None
        services.article_read_count(slug=slug)
        return Response(ArticleDetailSerializer(article).data)
