"""CSRF: a form posted from another site (no token) is refused on the pages, the admin and the
API under a session; the API's token clients carry no cookie to ride on. XSS: what a
borrower types is shown as text, in the borrower's pages and the reviewer's case page."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from relief import services
from tests.security.conftest import World, api_client

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("role", "path", "data"),
    [
        ("owner", "/loans/{free_loan}/apply/", {"reason": "accident"}),
        ("owner", "/applications/{application}/withdraw/", {"version": "1"}),
        ("owner", "/notifications/read-all/", {}),
        ("owner", "/accounts/logout/", {}),
        ("reviewer", "/admin/relief/reliefapplication/{application}/decide/", {"action": "reject"}),
        ("policy", "/admin/relief/reliefpolicy/{draft}/activate/", {}),
        ("ops", "/ops/exports/", {"report": "applications", "format": "csv"}),
    ],
)
def test_a_form_posted_without_the_csrf_token_is_refused(role, path, data, world: World, people):
    url = path.format(
        free_loan=world.free_loan.pk, application=world.application.pk, draft=world.draft.pk
    )
    version = world.application.version
    response = csrf_client(people[role]).post(url, data)
    assert response.status_code == 403
    world.application.refresh_from_db()
    assert world.application.version == version  # nothing changed


def test_the_form_with_its_token_goes_through(world: World, people):
    client = csrf_client(people["owner"])
    page = client.get("/notifications/")
    token = page.cookies["csrftoken"].value
    response = client.post("/notifications/read-all/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_the_api_under_a_session_needs_the_csrf_token(world: World, people):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(people["owner"])
    url = f"/api/v1/notifications/{world.notification.pk}/read/"
    refused = client.post(url, {}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    # A token client (the mobile app) sends no cookie a forged page could use.
    assert api_client(people["owner"]).post(url, {}, format="json").status_code == 200


def test_a_borrowers_text_is_shown_as_text_everywhere(world: World, people, alice, reviewer):
    application = services.relief_application_submit(
        loan=world.free_loan, reason="other", description=SCRIPT, submitted_by=alice.user
    )
    services.relief_application_triage(application_id=application.pk)
    owner = Client()
    owner.force_login(people["owner"])
    staff = Client()
    staff.force_login(people["reviewer"])
    pages = [
        owner.get(f"/applications/{application.pk}/"),
        staff.get(f"/admin/relief/reliefapplication/{application.pk}/change/"),
    ]
    for response in pages:
        body = response.content.decode()
        assert response.status_code == 200
        assert SCRIPT not in body
        assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in body
    detail = api_client(people["owner"]).get(f"/api/v1/relief-applications/{application.pk}/")
    assert detail["Content-Type"] == "application/json"
    assert detail.json()["description"] == SCRIPT  # data, for the app to show as text
