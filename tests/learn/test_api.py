"""Articles through the API: by tag, in the reader's language, reads counted."""

import pytest

from learn.models import Article, Tag
from tests.api.conftest import client_for
from tests.learn.helpers import article

pytestmark = pytest.mark.django_db

LIST = "/api/v1/articles/"


def test_list_by_tag_in_the_language_asked_for(alice):
    article(slug="penalty")
    article(slug="budget", tags=(Tag.BUDGETING,), title_en="Budgeting basics")
    api = client_for(alice.user)
    response = api.get(LIST, {"tag": "budgeting"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    [only] = response.json()["results"]
    assert only["slug"] == "budget" and only["title"] == "Budgeting basics"
    assert only["tags"] == ["budgeting"] and only["url"] == "/learn/budget/"
    assert "body_html" not in only
    everything = api.get(LIST, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"]
    assert [item["title"] for item in everything] == ["罚息怎么算", "罚息怎么算"]


def test_without_a_language_asked_for_the_borrowers_own_is_used(alice):
    article()
    alice.language = "en"
    alice.save()
    detail = client_for(alice.user).get(f"{LIST}penalty-here/").json()
    assert (detail["title"], detail["language"], detail["fallback"]) == (
        "How penalty works",
        "en",
        False,
    )


def test_detail_gives_sanitized_html_and_counts_a_read(alice):
    article(body_en="**Pay early** <script>alert(1)</script> [x](javascript:alert(1))")
    response = client_for(alice.user).get(f"{LIST}penalty-here/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.json()["body_html"]
    assert "<strong>Pay early</strong>" in html
    assert "<script" not in html and "javascript:" not in html
    assert Article.objects.get(slug="penalty-here").reads == 1


def test_a_missing_translation_is_marked_as_a_fallback(alice):
    article(slug="chinese-only", title_en="", body_en="")
    detail = client_for(alice.user).get(f"{LIST}chinese-only/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (detail["language"], detail["fallback"]) == ("zh-hans", True)


def test_unknown_tag_is_a_400_and_a_draft_a_404(alice):
    article(slug="draft", published=False)
    api = client_for(alice.user)
    response = api.get(LIST, {"tag": "lottery"})
    assert response.status_code == 400 and "tag" in response.json()["error"]["fields"]
    assert api.get(f"{LIST}draft/").status_code == 404
    assert api.get(f"{LIST}nothing/").json()["error"]["code"] == "not_found"


def test_signing_in_comes_first(db):
    assert client_for(None).get(LIST).status_code == 401
