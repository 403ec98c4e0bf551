"""What a lost phone or a shared proxy could keep: pages and API answers are never stored
(`Cache-Control: private, no-store`); API tokens expire after API_TOKEN_TTL_DAYS and die with
a password change; the review API shows borrowers' names masked, as the admin does."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD
from tests.security.conftest import World, api_client, page_client

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    parts = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= parts


def test_borrower_pages_are_never_stored(world: World, people):
    client = page_client(people["owner"])
    for path in ("/", f"/loans/{world.loan.pk}/", f"/applications/{world.application.pk}/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert no_store(response), (path, response.get("Cache-Control"))


def test_api_answers_are_never_stored_signed_in_or_not(world: World, people):
    assert no_store(api_client(people["owner"]).get("/api/v1/loans/"))
    assert no_store(api_client(None).get("/api/v1/loans/"))
    assert no_store(api_client(None).get("/api/v1/nothing-here/"))


def sign_in(username: str = "alice") -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    return response.json()["token"]


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_expires_after_30_days_and_signing_in_gives_a_new_one(alice):
    key = sign_in()
    assert with_token(key).get("/api/v1/loans/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=29), tick=False):
        assert with_token(key).get("/api/v1/loans/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        response = with_token(key).get("/api/v1/loans/")
        assert response.status_code == 401
        assert response.json()["error"]["message"] == (
            "This token has expired. Sign in again to get a new one."
        )
        new_key = sign_in()
        assert new_key != key
        assert with_token(new_key).get("/api/v1/loans/").status_code == 200


def test_the_lifetime_is_a_setting(alice, settings):
    settings.API_TOKEN_TTL_DAYS = 1
    key = sign_in()
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        assert with_token(key).get("/api/v1/loans/").status_code == 401


def test_a_new_password_revokes_the_token(alice):
    key = sign_in()
    user = alice.user
    user.set_password("a-new-long-passphrase-42")
    user.save()
    assert not Token.objects.filter(user=user).exists()
    assert with_token(key).get("/api/v1/loans/").status_code == 401


def test_a_password_rehashed_on_sign_in_is_no_change_and_keeps_the_token(alice, settings):
    """Django re-hashes a password stored with an older hasher when it is checked."""
    key = sign_in()
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    alice.user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    alice.user.save(update_fields=["password"])
    assert sign_in() == key  # checks the password: re-hashed and saved
    alice.user.refresh_from_db()
    assert "$1000$" not in alice.user.password
    assert with_token(key).get("/api/v1/loans/").status_code == 200


def test_saving_the_user_without_a_new_password_keeps_the_token(alice):
    key = sign_in()
    alice.user.first_name = "Alice"
    alice.user.save()
    assert with_token(key).get("/api/v1/loans/").status_code == 200


def test_the_review_api_masks_borrower_names_as_the_admin_does(world: World, people):
    world.application.borrower.name = "张三丰"
    world.application.borrower.save(update_fields=["name"])
    client = api_client(people["reviewer"])
    detail = client.get(f"/api/v1/review/applications/{world.application.pk}/").json()
    assert detail["borrower"]["name"] == "张**"
    queue = client.get("/api/v1/review/queue/").json()
    names = [item["borrower_name"] for item in queue["results"]]
    assert "张**" in names and "张三丰" not in str(queue)
