"""After signing in on the site's form, each person lands on the page of their work; a safe
`next` still wins."""

import pytest
from django.test import Client

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(username: str, next_path: str | None = None):
    data = {"username": username, "password": PASSWORD}
    if next_path is not None:
        data["next"] = next_path
    return Client().post("/accounts/login/", data)


def test_ops_lands_on_the_ops_dashboard_not_the_borrower_page(ops):
    response = sign_in("ops")
    assert response.status_code == 302
    assert response["Location"] == "/ops/"


def test_ops_who_opened_the_front_page_still_lands_on_the_ops_dashboard(ops):
    assert sign_in("ops", "/")["Location"] == "/ops/"


def test_reviewer_lands_on_the_admin(reviewer):
    assert sign_in("reviewer")["Location"] == "/admin/"


def test_other_staff_and_superusers_land_on_the_admin(db):
    UserFactory(username="policy", is_staff=True, groups=["Policy admin"])
    UserFactory(username="root", is_staff=True, is_superuser=True)
    assert sign_in("policy")["Location"] == "/admin/"
    assert sign_in("root")["Location"] == "/admin/"


def test_borrower_lands_on_her_loans(alice):
    assert sign_in("alice")["Location"] == "/"


def test_a_safe_next_is_respected(ops, alice):
    assert sign_in("ops", "/ops/exports/")["Location"] == "/ops/exports/"
    assert sign_in("alice", "/notifications/")["Location"] == "/notifications/"


def test_a_next_on_another_site_is_ignored(ops):
    assert sign_in("ops", "https://evil.example/ops/")["Location"] == "/ops/"
