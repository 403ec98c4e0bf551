"""Production settings: Django's deployment checklist finds nothing, and the session and CSRF
cookies are as docs/security.md says (HttpOnly, SameSite=Lax, Secure with DEBUG off, a
working day long)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path, **extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS")
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="relief.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        **extra,
    )
    return env


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_under_production_settings(tmp_path):
    env = production_env(tmp_path, STATIC_ROOT=str(tmp_path / "static"))
    assert manage(env, "collectstatic", "--noinput", "-v0").returncode == 0
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_check_deploy_would_catch_a_weakened_setting(tmp_path):
    """The check above can fail: turn off the HTTPS redirect and it says so."""
    env = production_env(tmp_path, SECURE_SSL_REDIRECT="false")
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


def test_production_without_collected_static_files_stops_at_startup(tmp_path):
    """Without the manifest every page would be a server error: `check` (and `migrate`,
    `runserver`) refuse to go on and say what to run; after collectstatic they start."""
    env = production_env(tmp_path, STATIC_ROOT=str(tmp_path / "static"))
    result = manage(env, "check")
    assert result.returncode != 0
    assert "core.E001" in result.stderr
    assert "collectstatic --noinput" in result.stderr
    assert manage(env, "collectstatic", "--noinput", "-v0").returncode == 0
    result = manage(env, "check")
    assert result.returncode == 0, result.stderr


def test_production_cookies_are_secure(tmp_path):
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({name: "
        "getattr(s, name) for name in ('SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', "
        "'CSRF_COOKIE_SAMESITE', 'SESSION_COOKIE_AGE', 'SECURE_SSL_REDIRECT', "
        "'SECURE_HSTS_SECONDS', 'DEBUG')}))"
    )
    result = manage(production_env(tmp_path), "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_AGE": 8 * 60 * 60,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "DEBUG": False,
    }


@pytest.mark.django_db
def test_the_session_cookie_a_sign_in_sets(alice):
    client = Client()
    client.get("/accounts/login/")
    csrf = client.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert int(session["max-age"]) == 8 * 60 * 60


@pytest.mark.django_db
def test_the_password_validators_refuse_a_weak_password(alice):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("12345678", "password", "alice123", "short"):
        with pytest.raises(ValidationError):
            validate_password(weak, user=alice.user)
    validate_password("violet-harbour-lantern-42", user=alice.user)
