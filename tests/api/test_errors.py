"""One error shape for everything; sign-in by token; throttles; schema, docs and health."""

from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from rest_framework.test import APIClient

from tests.api.conftest import error_of

pytestmark = pytest.mark.django_db


# --- sign-in --------------------------------------------------------------------------------


def test_token_for_username_and_password(anon_client, alice, alice_loan):
    response = anon_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "relief-demo"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/loans/").json()["count"] == 1


def test_wrong_password_is_401(anon_client, alice):
    response = anon_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "nope"}, format="json"
    )
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_credentials"


def test_missing_credentials_are_400(anon_client):
    response = anon_client.post("/api/v1/auth/token/", {"username": "alice"}, format="json")
    assert response.status_code == 400
    assert error_of(response)["fields"]["password"]


def test_a_bad_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/v1/loans/")
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_failed"


def test_login_burst_is_throttled(anon_client, alice):
    # Other usernames each time: one username's failures are django-axes's business
    # (tests/security/test_lockout.py); the throttle counts every try from the address.
    for attempt in range(10):
        response = anon_client.post(
            "/api/v1/auth/token/", {"username": f"guess{attempt}", "password": "x"}, format="json"
        )
        assert response.status_code == 401
    response = anon_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "relief-demo"}, format="json"
    )
    assert response.status_code == 429
    assert error_of(response)["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_application_burst_is_throttled_but_reading_is_not(alice_client, alice):
    for _ in range(20):
        assert alice_client.post("/api/v1/relief-applications/", {}).status_code == 400
    response = alice_client.post("/api/v1/relief-applications/", {})
    assert response.status_code == 429
    assert error_of(response)["code"] == "throttled"
    assert alice_client.get("/api/v1/relief-applications/").status_code == 200


# --- bad input and unknown places -----------------------------------------------------------


def test_malformed_json_is_400(alice_client, alice):
    response = alice_client.post(
        "/api/v1/relief-applications/", b'{"loan": 1,', content_type="application/json"
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "parse_error"


@pytest.mark.parametrize("raw", [b'{"loan": NaN, "reason": "other"}', b'{"loan": 1e999}'])
def test_non_finite_numbers_are_400(alice_client, alice, raw):
    response = alice_client.post(
        "/api/v1/relief-applications/", raw, content_type="application/json"
    )
    assert response.status_code == 400


def test_huge_amount_is_400(servicing_client):
    response = servicing_client.post(
        "/api/v1/servicing/repayments/",
        b'{"loan_external_id": "L", "amount": 1e999, "paid_on": "2024-01-01", "reference": "r"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "amount" in error_of(response)["fields"]


def test_form_data_is_415(alice_client, alice):
    response = alice_client.post(
        "/api/v1/relief-applications/", "loan=1", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"


def test_wrong_method_is_405(alice_client, alice):
    response = alice_client.delete("/api/v1/loans/")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


@pytest.mark.parametrize("debug", [False, True])
def test_unknown_api_path_is_json_404(alice_client, settings, debug):
    settings.DEBUG = debug
    for path in ("/api/v1/nothing/", "/api/v2/loans/", "/api/v1/loans/abc/"):
        response = alice_client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert error_of(response)["code"] == "not_found"


def test_an_unexpected_error_under_api_is_json_500(alice, alice_loan):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(alice.user)
    with mock.patch("loans.selectors.loan_state", side_effect=RuntimeError("boom")):
        response = client.get("/api/v1/loans/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert error_of(response)["code"] == "server_error"


def test_errors_are_not_html_for_browsers(alice_client, alice):
    response = alice_client.get("/api/v1/loans/999/", HTTP_ACCEPT="text/html")
    assert response.status_code in (404, 406)
    assert "html" not in response["Content-Type"]


# --- schema, docs, health -------------------------------------------------------------------


def test_openapi_schema_lists_every_endpoint(anon_client):
    response = anon_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {
        "/api/v1/auth/token/",
        "/api/v1/loans/",
        "/api/v1/loans/{loan_id}/",
        "/api/v1/loans/{loan_id}/relief-quote/",
        "/api/v1/relief-applications/",
        "/api/v1/relief-applications/{application_id}/",
        "/api/v1/relief-applications/{application_id}/evidence/",
        "/api/v1/relief-applications/{application_id}/withdraw/",
        "/api/v1/relief-applications/{application_id}/accept/",
        "/api/v1/relief-applications/{application_id}/decline/",
        "/api/v1/relief-applications/{application_id}/answer/",
        "/api/v1/notifications/",
        "/api/v1/notifications/{notification_id}/read/",
        "/api/v1/review/queue/",
        "/api/v1/review/applications/{application_id}/decide/",
        "/api/v1/servicing/loans/{external_id}/",
        "/api/v1/servicing/repayments/",
    }
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            success = [code for code in operation["responses"] if code.startswith("2")]
            assert success, (method, path)
            for code in success:
                assert operation["responses"][code].get("content"), (method, path, code)
            if method in ("post", "put") and not path.endswith("/read/"):
                assert operation.get("requestBody"), (method, path)


def test_docs_are_served_without_a_cdn(anon_client):
    response = anon_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "drf_spectacular_sidecar" in html
    assert "cdn" not in html.lower()


def expected_broker() -> str:
    # "eager" without Redis (make run), "ok" when the suite runs against a live Redis.
    return "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"


def test_healthz_ok(anon_client):
    response = anon_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": expected_broker()}


def test_healthz_is_503_when_the_database_is_down(anon_client):
    with mock.patch(
        "core.views.connection.cursor", side_effect=OperationalError("connection refused")
    ):
        response = anon_client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "down", "broker": expected_broker()}


# --- rate limits across processes, and without their cache ----------------------------------

THROTTLE_IN_ANOTHER_PROCESS = """
import django
django.setup()
from django.test import RequestFactory
from rest_framework.request import Request
from core.throttles import LoginThrottle
request = Request(RequestFactory().post("/api/v1/auth/token/", REMOTE_ADDR="127.0.0.1"))
print(sum(LoginThrottle().allow_request(request, None) for _ in range(10)))
"""


@pytest.mark.skipif(not settings.CACHE_URL, reason="the shared cache is Redis (CACHE_URL)")
def test_sign_in_attempts_in_another_web_process_count_toward_the_limit(anon_client, alice):
    import os
    import subprocess
    import sys

    other = subprocess.run(
        [sys.executable, "-c", THROTTLE_IN_ANOTHER_PROCESS],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert other.stdout.strip() == "10"  # the other process let its ten through
    response = anon_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "relief-demo"}, format="json"
    )
    assert response.status_code == 429


def test_with_the_rate_limit_cache_away_sign_in_still_answers(anon_client, alice, settings):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    wrong = anon_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "nope"}, format="json"
    )
    assert wrong.status_code == 401
    right = anon_client.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "relief-demo"}, format="json"
    )
    assert right.status_code == 200 and right.json()["token"]
