"""Articles: Markdown rendered and sanitized at save, read in the reader's language, picked
for a topic, reads counted, written by ops in the admin."""

import pytest
from django.urls import reverse

from learn import selectors, services
from learn.models import Article, Tag
from learn.rendering import render_markdown
from tests.factories import UserFactory
from tests.learn.helpers import article


@pytest.mark.parametrize(
    ("markdown", "absent"),
    [
        ("Hello <script>alert('x')</script>", "<script"),
        ("[call us](javascript:alert(1))", "javascript:"),
        ('<a href="#" onclick="steal()">x</a>', "onclick"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ("![pixel](https://tracker.example/p.png)", "<img"),
        ('<p style="color:red">styled</p>', "style="),
    ],
)
def test_markdown_keeps_no_script_or_active_html(markdown, absent):
    assert absent not in render_markdown(markdown)


def test_markdown_renders_lists_emphasis_and_safe_links():
    html = render_markdown(
        "## Steps\n\n- **Pay** what you can\n- Ask [us](https://relief.example/help)\n"
    )
    assert "<h2>Steps</h2>" in html
    assert "<strong>Pay</strong>" in html
    assert 'href="https://relief.example/help"' in html
    assert 'rel="nofollow noopener"' in html


@pytest.mark.django_db
def test_body_is_rendered_when_saved():
    saved = article(body_en="**Grace** days <script>x()</script>")
    saved.refresh_from_db()
    assert saved.body_html_en == "<p><strong>Grace</strong> days </p>"


@pytest.mark.django_db
def test_reader_gets_her_language_and_the_other_when_hers_is_missing():
    article(slug="both")
    article(slug="only-chinese", title_en="", body_en="")
    both = selectors.article_text("both", "en")
    assert (both.title, both.is_fallback) == ("How penalty works", False)
    fallback = selectors.article_text("only-chinese", "en")
    assert (fallback.title, fallback.language, fallback.is_fallback) == (
        "罚息怎么算",
        "zh-hans",
        True,
    )


@pytest.mark.django_db
def test_lists_by_tag_show_published_articles_only():
    article(slug="penalty-one", position=2)
    article(slug="penalty-first", position=1)
    article(slug="draft", published=False)
    article(slug="budget", tags=(Tag.BUDGETING,))
    slugs = [text.slug for text in selectors.articles_for(Tag.PENALTY, "en")]
    assert slugs == ["penalty-first", "penalty-one"]
    assert selectors.pick_article(Tag.PENALTY).slug == "penalty-first"
    assert selectors.pick_article(Tag.CREDIT_RECORD) is None
    with pytest.raises(Article.DoesNotExist):
        selectors.article_text("draft", "en")


@pytest.mark.django_db
def test_reads_are_counted_for_published_articles():
    article(slug="counted")
    article(slug="draft", published=False)
    services.article_read_count(slug="counted")
    services.article_read_count(slug="counted")
    services.article_read_count(slug="draft")
    assert Article.objects.get(slug="counted").reads == 2
    assert Article.objects.get(slug="draft").reads == 0


@pytest.mark.django_db
def test_ops_write_an_article_in_the_admin_and_see_its_preview(client, ops):
    ops.is_staff = True
    ops.save()
    client.force_login(ops)
    response = client.post(
        reverse("admin:learn_article_add"),
        {
            "slug": "ask-early",
            "tags": [Tag.HARDSHIP_HELP, Tag.ARRANGEMENTS],
            "published": "on",
            "position": "5",
            "title_zh_hans": "尽早求助",
            "summary_zh_hans": "",
            "body_zh_hans": "越早联系我们，选择越多。<script>x()</script>",
            "title_en": "Ask for help early",
            "summary_en": "",
            "body_en": "The earlier you ask, the more options you have.",
        },
    )
    assert response.status_code == 302, response.content
    saved = Article.objects.get(slug="ask-early")
    assert saved.tags == (Tag.HARDSHIP_HELP, Tag.ARRANGEMENTS)  # in the topics' order
    page = client.get(reverse("admin:learn_article_change", args=[saved.pk]))
    assert "<p>越早联系我们，选择越多。</p>" in page.content.decode()
    assert "<script>x()" not in page.content.decode()


@pytest.mark.django_db
def test_a_reviewer_cannot_write_articles(client):
    reviewer = UserFactory(username="reviewer", is_staff=True, groups=["Reviewer"])
    client.force_login(reviewer)
    assert client.get(reverse("admin:learn_article_add")).status_code == 403


@pytest.mark.django_db
def test_an_article_needs_each_language_whole(client, ops):
    ops.is_staff = True
    ops.save()
    client.force_login(ops)
    response = client.post(
        reverse("admin:learn_article_add"),
        {"slug": "half", "position": "1", "title_en": "A title alone", "body_en": ""},
    )
    assert response.status_code == 200
    assert not Article.objects.filter(slug="half").exists()
    assert response.context["adminform"].form.errors["body_en"]
