"""The education pages: the list (by topic) and one article, in the reader's language.

Signed-in readers only, like the rest of the borrower's site. A read is counted when an
article's page is shown.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from learn import selectors, services
from learn.models import Article


@login_required
@require_safe
def article_list(request):
    tag = request.GET.get("tag", "")
    if not selectors.known_tag(tag):
        tag = ""
    return render(
        request,
        "learn/article_list.html",
        {
            "articles": selectors.articles_for(tag or None),
            "tag": tag,
            "tags": selectors.tag_choices(),
        },
    )


@login_required
@require_safe
def article_detail(request, slug: str):
    try:
        article = selectors.article_text(slug)
    except Article.DoesNotExist:
        raise Http404 from None
    services.article_read_count(slug=slug)
    return render(request, "learn/article_detail.html", {"article": article})
