"""A request whose query runs past the web statement_timeout: PostgreSQL cancels it, nothing
keeps running, and the page says the request asks for too much instead of a cut-off answer.
The worker's connections get the longer timeout; JIT compiling is off."""

from __future__ import annotations

import psycopg2
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from core.statement_timeout import use_worker_statement_timeout

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's"
)


def running_on_applications() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'active' AND pid <> pg_backend_pid() "
            "AND query ILIKE '%%relief_reliefapplication%%'"
        )
        return cursor.fetchone()[0]


@pytest.fixture
def ops_client(transactional_db):
    user = get_user_model().objects.create_superuser("ops-timeout", password="x" * 12)
    client = Client(raise_request_exception=False, headers={"accept-language": "en"})
    client.force_login(user)
    return client


def test_a_report_past_the_timeout_says_too_much_and_leaves_no_query_running(ops_client):
    # The dashboard's queries wait on a lock another session holds: past the timeout.
    blocker = psycopg2.connect(**connection.get_connection_params())
    try:
        with blocker.cursor() as cursor:
            cursor.execute("LOCK TABLE relief_reliefapplication IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 300")
        response = ops_client.get("/ops/")
        assert response.status_code == 503
        text = response.content.decode()
        assert "more than can be read in 15 seconds" in text
        assert "shorter range" in text
        assert "Retry-After" not in response
        assert running_on_applications() == 0  # cancelled, not left waiting
    finally:
        blocker.rollback()
        blocker.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")


def test_the_api_answers_the_same_in_json(ops_client):
    blocker = psycopg2.connect(**connection.get_connection_params())
    try:
        with blocker.cursor() as cursor:
            cursor.execute("LOCK TABLE relief_reliefapplication IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 300")
        response = ops_client.get("/api/v1/review/queue/")
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "too_large"
        assert running_on_applications() == 0
    finally:
        blocker.rollback()
        blocker.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")


def setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_web_connections_time_out_at_15_seconds_and_the_workers_later_without_jit():
    assert settings.WEB_STATEMENT_TIMEOUT_MS == 15_000
    assert setting("statement_timeout") == "15s"
    assert setting("jit") == "off"
    options = connection.settings_dict["OPTIONS"]
    before = options["options"]
    try:
        use_worker_statement_timeout()
        assert setting("statement_timeout") == "30min"
        assert setting("jit") == "off"
    finally:
        options["options"] = before
        connection.close()
