"""XSS and clickjacking: every page carries a Content Security Policy that allows only our own
scripts and styles, and our pages need nothing more (no inline script, no inline event
handler, no inline style). Also frame denial, the referrer policy and nosniff."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from core.middleware import CONTENT_SECURITY_POLICY
from tests.security.conftest import World, page_client

pytestmark = pytest.mark.django_db

TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"] + [
    Path(settings.BASE_DIR) / app / "templates" for app in ("core", "loans", "relief", "reports")
]


def directives(policy: str) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def assert_secure_headers(response) -> None:
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


# Inline code a strict policy would block: a <script> without src (JSON data blocks are not
# run), an on…= event handler, a style attribute or a <style> block, a javascript: URL.
INLINE = [
    (
        "inline script",
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    ),
    ("event handler", re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)),
    ("style attribute", re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)),
    ("style block", re.compile(r"<style[\s>]", re.I)),
    ("javascript: URL", re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)),
]


def inline_code(html: str) -> list[str]:
    return [name for name, pattern in INLINE if pattern.search(html)]


def test_the_policy_allows_only_our_own_files():
    policy = directives(CONTENT_SECURITY_POLICY)
    everything = " ".join(" ".join(values) for values in policy.values())
    assert "'unsafe-inline'" not in everything and "'unsafe-eval'" not in everything
    assert "*" not in everything and "http:" not in everything and "https:" not in everything
    assert "core.middleware.SecurityHeadersMiddleware" in settings.MIDDLEWARE


def test_a_borrower_page_has_the_headers(world: World, people):
    response = page_client(people["owner"]).get(f"/loans/{world.loan.pk}/")
    assert response.status_code == 200
    assert_secure_headers(response)


def test_the_login_page_and_an_error_page_have_the_headers(world: World, people):
    assert_secure_headers(Client().get("/accounts/login/"))
    response = page_client(people["other"]).get(f"/loans/{world.loan.pk}/")
    assert response.status_code == 404
    assert_secure_headers(response)


def test_the_admin_has_the_headers(world: World, people):
    client = page_client(people["reviewer"])
    assert_secure_headers(client.get("/admin/"))
    case = client.get(f"/admin/relief/reliefapplication/{world.application.pk}/change/")
    assert case.status_code == 200
    assert_secure_headers(case)


def test_the_api_docs_have_the_headers_and_load_their_script_from_a_file():
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    assert_secure_headers(response)
    html = response.content.decode()
    assert inline_code(html) == []
    script = re.search(r'<script src="([^"]*\?[^"]*script[^"]*)"', html).group(1)
    init = Client().get(script.replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in init.content.decode()


def test_the_api_answers_with_the_headers_too(world: World, people):
    from tests.security.conftest import api_client

    response = api_client(people["owner"]).get("/api/v1/loans/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert directives(response["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]


def test_evidence_keeps_its_own_sandbox_policy(world: World, people):
    url = f"/applications/{world.application.pk}/evidence/{world.evidence.pk}/"
    response = page_client(people["owner"]).get(url)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("attachment")


def test_our_templates_have_no_inline_script_handler_or_style():
    found = {}
    for directory in TEMPLATE_DIRS:
        for template in directory.rglob("*.html") if directory.is_dir() else []:
            kinds = inline_code(template.read_text(encoding="utf-8"))
            if kinds:
                found[str(template.relative_to(settings.BASE_DIR))] = kinds
    assert found == {}


def test_the_pages_as_rendered_have_no_inline_code(world: World, people, alice):
    """What the browser gets, our templates and Django's admin together: the policy blocks
    nothing the pages need."""
    owner = page_client(people["owner"])
    reviewer = page_client(people["reviewer"])
    policy = page_client(people["policy"])
    pages = {
        "login": Client().get("/accounts/login/"),
        "dashboard": owner.get("/"),
        "loan": owner.get(f"/loans/{world.loan.pk}/"),
        "quote": owner.get(f"/loans/{world.free_loan.pk}/quote/", {"reason": "accident"}),
        "apply": owner.get(f"/loans/{world.free_loan.pk}/apply/"),
        "application": owner.get(f"/applications/{world.application.pk}/"),
        "notifications": owner.get("/notifications/"),
        "articles": owner.get("/learn/"),
        "article": owner.get(f"/learn/{world.article.slug}/"),
        "settings": owner.get("/settings/"),
        "ops": page_client(people["ops"]).get("/ops/"),
        "admin index": reviewer.get("/admin/"),
        "queue": reviewer.get("/admin/relief/reliefapplication/"),
        "case": reviewer.get(f"/admin/relief/reliefapplication/{world.application.pk}/change/"),
        "loan in admin": reviewer.get(f"/admin/loans/loan/{world.loan.pk}/change/"),
        "draft policy": policy.get(f"/admin/relief/reliefpolicy/{world.draft.pk}/change/"),
        "new draft": policy.get("/admin/relief/reliefpolicy/add/"),
        "api docs": Client().get("/api/docs/"),
    }
    found = {}
    for name, response in pages.items():
        assert response.status_code == 200, name
        kinds = inline_code(response.content.decode())
        if kinds:
            found[name] = kinds
    assert found == {}
    case = pages["case"].content.decode()
    assert "/static/js/case-approve.js" in case  # the reviewer's amount preview, from a file
    assert "data-confirm=" in pages["draft policy"].content.decode()
