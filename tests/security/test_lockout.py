"""Brute force: django-axes locks a username out from an address after five failed sign-ins
(the login page, the admin's and the API token count together) for 15 minutes, says so in the
reader's language and logs it."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = 5
LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"


def sign_in(client: Client, password: str, username: str = "alice", path: str = LOGIN):
    return client.post(path, {"username": username, "password": password})


def token(client: APIClient, password: str, username: str = "alice"):
    return client.post(TOKEN, {"username": username, "password": password}, format="json")


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_axes_watches_every_sign_in_first():
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60


def test_the_fifth_wrong_password_locks_the_login_page_with_a_clear_message(alice):
    client = Client()
    for _ in range(LIMIT - 1):
        response = sign_in(client, "wrong")
        assert response.status_code == 200  # the form again, with its error
    response = sign_in(client, "wrong")
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    body = response.content.decode()
    assert "Too many failed sign-in attempts" in body and "15 minutes" in body
    assert '<html lang="en">' in body  # the site's page, not a bare error

    # Now even the right password is refused until the cool-off ends.
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_lockout_page_is_in_chinese_by_default(alice, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client = Client()
    for _ in range(LIMIT):
        response = sign_in(client, "wrong")
    body = response.content.decode()
    assert response.status_code == 429
    assert '<html lang="zh-hans">' in body
    assert "登录失败次数过多" in body and "15 分钟" in body


def test_the_api_token_counts_failures_and_answers_429_json(alice):
    client = APIClient()
    for _ in range(LIMIT - 1):
        assert token(client, "wrong").status_code == 401
    response = token(client, "wrong")
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    error = response.json()["error"]
    assert error["code"] == "locked_out"
    assert "Too many failed sign-in attempts" in error["message"]
    assert token(client, PASSWORD).status_code == 429
    assert not Token.objects.filter(user=alice.user).exists()


def test_failures_on_the_page_and_the_api_add_up(alice):
    page, api = Client(), APIClient()
    for _ in range(3):
        sign_in(page, "wrong")
    assert token(api, "wrong").status_code == 401
    assert token(api, "wrong").status_code == 429
    assert sign_in(page, PASSWORD).status_code == 429


def test_the_admin_login_is_locked_too(reviewer):
    client = Client()
    for _ in range(LIMIT):
        response = sign_in(client, "wrong", username="reviewer", path="/admin/login/")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    response = sign_in(client, PASSWORD, username="reviewer", path="/admin/login/")
    assert response.status_code == 429


def test_the_lock_holds_one_username_from_one_address(alice, bob):
    """Locking the username everywhere would let anyone lock a borrower out; locking the
    address would lock out a whole mobile network behind one NAT address."""
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(LIMIT):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 429
    assert sign_in(Client(REMOTE_ADDR="10.0.0.1"), PASSWORD, username="bob").status_code == 302
    elsewhere = Client(REMOTE_ADDR="10.0.0.2")
    assert sign_in(elsewhere, PASSWORD).status_code == 302
    assert signed_in(elsewhere)


def test_after_the_cool_off_the_right_password_works(alice):
    client = Client()
    for _ in range(LIMIT):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        response = sign_in(client, PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_starts_the_count_again(alice):
    client = Client()
    for _ in range(LIMIT - 1):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(LIMIT - 1):
        assert sign_in(client, "wrong").status_code == 200


def test_a_lockout_is_logged_without_the_password(alice, caplog):
    client = Client()
    with caplog.at_level(logging.WARNING, logger="axes"):
        for _ in range(LIMIT):
            sign_in(client, "s3cret-guess")
    messages = [record.getMessage() for record in caplog.records]
    assert any("Locking out" in message for message in messages), messages
    assert not any("s3cret-guess" in message for message in messages)


def test_a_username_longer_than_any_account_is_a_failed_sign_in_and_counts(db):
    client = Client()
    too_long = "9" * 3000  # no account has more than 150 characters
    for path in (LOGIN, "/admin/login/"):
        response = sign_in(client, "wrong", username=too_long, path=path)
        assert response.status_code == 200  # the form again, with its error
    for _ in range(LIMIT - 2):
        sign_in(client, "wrong", username=too_long)
    assert sign_in(client, "wrong", username=too_long).status_code == 429


# --- rate limits that a changing X-Forwarded-For does not escape (password spraying) -------


def spray(post, count: int) -> list[int]:
    """`count` attempts, each naming another account and another forged address."""
    return [post(f"user{n}", f"203.0.113.{n}").status_code for n in range(count)]


def test_a_forged_forwarded_for_does_not_escape_the_token_limit(db):
    """Password spraying: one password tried on many accounts, a new X-Forwarded-For each."""
    client = APIClient()

    def post(username, address):
        return client.post(
            TOKEN,
            {"username": username, "password": "Spring2026!"},
            format="json",
            HTTP_X_FORWARDED_FOR=address,
        )

    statuses = spray(post, 14)
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429] * 4
    error = post("user99", "198.51.100.7").json()["error"]
    assert error["code"] == "throttled"


def test_the_login_page_limits_attempts_per_address_with_a_clear_message(db):
    client = Client()

    def post(username, address):
        return client.post(
            LOGIN, {"username": username, "password": "x"}, HTTP_X_FORWARDED_FOR=address
        )

    statuses = spray(post, 11)
    assert statuses == [200] * 10 + [429]
    response = post("alice", "192.0.2.1")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    body = response.content.decode()
    assert "Too many sign-in attempts from this address or for this account" in body
    assert 'id="id_username"' in body  # the form itself, with the message on it


def test_the_admin_login_limits_attempts_per_address(db):
    client = Client()

    def post(username, address):
        return client.post(
            "/admin/login/",
            {"username": username, "password": "x"},
            HTTP_X_FORWARDED_FOR=address,
        )

    assert spray(post, 11) == [200] * 10 + [429]
    response = post("reviewer", "192.0.2.1")
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert 'name="username"' in response.content.decode()


def test_one_account_tried_from_many_addresses_is_limited(alice):
    statuses = [
        Client(REMOTE_ADDR=f"10.1.0.{n}").post(
            LOGIN, {"username": "Alice" if n % 2 else "alice", "password": f"guess{n}"}
        )
        for n in range(11)
    ]
    # axes locks alice out from each address after 5; here every address tried once.
    assert [response.status_code for response in statuses] == [200] * 10 + [429]
    # Her own sign-in from yet another address waits too, then goes through.
    assert sign_in(Client(REMOTE_ADDR="10.1.0.200"), PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        assert sign_in(Client(REMOTE_ADDR="10.1.0.200"), PASSWORD).status_code == 302


def test_behind_one_trusted_proxy_the_address_it_saw_counts(db, settings):
    """NUM_PROXIES=1: the last X-Forwarded-For entry is the one our proxy wrote."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = APIClient()

    def post(username, client_address):
        forwarded = f"203.0.113.{len(username)}, {client_address}"  # forged, then real
        return client.post(
            TOKEN,
            {"username": username, "password": "x"},
            format="json",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    # Ten different clients behind the proxy each get their own count.
    assert {post(f"user{n}", f"198.51.100.{n}").status_code for n in range(12)} == {401}
    assert spray(lambda username, _: post(username, "198.51.100.50"), 11)[-1] == 429
