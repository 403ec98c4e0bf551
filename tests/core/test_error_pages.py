"""The error pages a person sees with DEBUG off (as in production): the site's look, the
reader's language (Chinese by default, English on request) and a way back."""

import pytest
from django.template import loader
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def assert_site_page(response, status: int, *texts: str) -> str:
    """The site's page (its header and stylesheet), with a link home and the given texts."""
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'class="site-header"' in page and "css/relief" in page
    assert f'href="{reverse("dashboard")}"' in page
    for text in texts:
        assert text in page, text
    assert "DEBUG" not in page
    return page


@pytest.fixture(autouse=True)
def debug_off(settings):
    settings.DEBUG = False


def test_404_is_the_sites_page_in_chinese_by_default(client):
    page = assert_site_page(client.get("/no-such-page/"), 404, "页面未找到", "返回首页")
    assert '<html lang="zh-hans">' in page


def test_404_in_english_for_an_english_reader(client):
    page = assert_site_page(client.get("/no-such-page/", **ENGLISH), 404, "Page not found")
    assert '<html lang="en">' in page
    assert "Back to the home page" in page


def test_403_for_a_borrower_on_the_ops_pages_in_both_languages(client, alice):
    client.force_login(alice.user)
    assert_site_page(client.get("/ops/"), 403, "无权访问", f'href="{reverse("login")}"')
    assert_site_page(client.get("/ops/", **ENGLISH), 403, "Not allowed", "Sign in again")


def test_400_for_a_request_to_an_unknown_host_in_both_languages(client):
    assert_site_page(client.get("/", HTTP_HOST="elsewhere.example"), 400, "请求无法处理")
    response = client.get("/", HTTP_HOST="elsewhere.example", **ENGLISH)
    assert_site_page(response, 400, "The request could not be read")


@pytest.mark.urls("tests.core.error_urls")
def test_500_is_the_sites_page_in_both_languages(alice):
    client = Client(raise_request_exception=False)
    client.force_login(alice.user)
    response = client.get("/page-with-a-bug/")
    page = assert_site_page(response, 500, "出了点问题", "您提交的内容没有丢失")
    assert "a bug in a page" not in page
    response = client.get("/page-with-a-bug/", **ENGLISH)
    assert_site_page(response, 500, "Something went wrong", "Nothing you sent was lost")


def test_500_page_renders_without_a_request_or_the_database(django_assert_num_queries):
    # Django renders 500.html with no request; the database may be what failed.
    with django_assert_num_queries(0), translation.override("zh-hans"):
        page = loader.render_to_string("500.html")
    assert "css/relief" in page and 'class="site-header"' in page
    assert "出了点问题" in page
    assert "set_language" not in page  # no language form without a CSRF token to post it


def test_csrf_failure_is_the_sites_page_with_a_way_to_sign_in(alice):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert_site_page(response, 403, "表单已过期", "请重新加载页面", "重新登录")
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, **ENGLISH)
    page = assert_site_page(response, 403, "This form has expired", "Sign in again")
    assert f'href="{reverse("login")}"' in page
    assert "Forbidden" not in page


def test_a_nul_byte_in_the_address_gets_the_400_page_saying_why(client):
    response = client.get("/", {"q": "\x00"}, **ENGLISH)
    page = assert_site_page(response, 400, "The request could not be read")
    assert "(NUL)" in page
