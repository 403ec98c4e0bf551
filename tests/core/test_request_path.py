"""The request path is Django's own: its session engines and database backend, its auth and
CSRF, DRF's tokens. A NUL byte, which no session key, token or parameter of the site has and
PostgreSQL refuses in any text, is answered 400 before anything looks it up."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

ROOT = Path(__file__).resolve().parents[2]


def settings_under(**env) -> dict:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CACHE_URL", "DEBUG", "DJANGO_SETTINGS_MODULE")
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'session': s.SESSION_ENGINE, 'engine': s.DATABASES['default']"
        "['ENGINE'], 'cache': s.CACHES['default']['BACKEND'], 'auth': s.AUTHENTICATION_BACKENDS,"
        " 'middleware': s.MIDDLEWARE, 'drf': s.REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES'],"
        " 'age': s.DATABASES['default']['CONN_MAX_AGE'],"
        " 'checks': s.DATABASES['default']['CONN_HEALTH_CHECKS']}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_settings_use_djangos_own_sessions_database_backend_auth_and_tokens():
    values = settings_under(
        DATABASE_URL="postgres://relief@db.internal:5432/relief",
        CACHE_URL="redis://cache.internal:6379/1",
    )
    assert values["session"] == "django.contrib.sessions.backends.cached_db"
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["age"] > 0 and values["checks"] is True
    assert values["cache"] == "django_redis.cache.RedisCache"
    assert values["auth"][-1] == "django.contrib.auth.backends.ModelBackend"
    assert "django.contrib.auth.middleware.AuthenticationMiddleware" in values["middleware"]
    assert "django.middleware.csrf.CsrfViewMiddleware" in values["middleware"]
    # DRF's own tokens, extended through its documented hook (expiry: core.authentication).
    from django.utils.module_loading import import_string
    from rest_framework.authentication import TokenAuthentication

    assert issubclass(import_string(values["drf"][0]), TokenAuthentication)


def test_without_a_shared_cache_sessions_live_in_the_database():
    values = settings_under()
    assert values["session"] == "django.contrib.sessions.backends.db"
    assert values["engine"] == "django.db.backends.sqlite3"


@pytest.mark.django_db
def test_a_session_cookie_with_a_nul_byte_is_a_clear_400_page(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    response = client.get("/")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.django_db
def test_an_api_token_with_a_nul_byte_is_a_400_with_the_json_error(client, alice):
    key = Token.objects.create(user=alice.user).key
    response = client.get("/api/v1/loans/", HTTP_AUTHORIZATION=f"Token {key[:20]}\x00")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "NUL" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_a_query_parameter_with_a_nul_byte_is_refused_and_the_borrowers_session_kept(client, alice):
    client.force_login(alice.user)
    assert client.get("/?page=%00").status_code == 400
    assert client.get("/api/v1/loans/?status=%00").json()["error"]["code"] == "invalid"
    assert client.get("/").status_code == 200  # still signed in


@pytest.mark.django_db
def test_a_loan_moved_to_another_borrower_leaves_the_old_owners_pages_at_once(
    client, alice, bob, today
):
    from loans.models import Loan
    from tests.factories import overdue_loan

    loan = overdue_loan(alice, today=today)
    client.force_login(alice.user)
    assert f"/loans/{loan.pk}/" in client.get("/").content.decode()
    Loan.objects.filter(pk=loan.pk).update(borrower=bob)  # as an operator's UPDATE would

    assert f"/loans/{loan.pk}/" not in client.get("/").content.decode()
    assert client.get(f"/loans/{loan.pk}/").status_code == 404
    client.force_login(bob.user)
    assert f"/loans/{loan.pk}/" in client.get("/").content.decode()
