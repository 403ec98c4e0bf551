"""Lost work and double decisions, over HTTP against the real PostgreSQL (and Redis):

- Redis stopped while 100 borrowers apply through the API: each answers 201 within 2 s, and
  every case is triaged once Redis is back (tests/integration/test_faults.py does the same
  at the service level, and kills a worker mid-triage).
- 50 identical submissions at once (same loan): one application; the rest are told of it (409)
  or, with the same Idempotency-Key, get the first answer again.
- 20 decisions at once on one case: one transition.
- The database refusing connections: 503 with the error shape and Retry-After, never a
  traceback; a submission cut off mid-way by the database leaves no row and no file.
"""

from __future__ import annotations

import importlib
import socket
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import psycopg2
import pytest
from django.core.cache import cache
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import IdempotencyKey
from relief import services
from relief.models import (
    ApplicationEvent,
    ApplicationStatus,
    Evidence,
    Notification,
    ReliefApplication,
)
from relief.services.sweeper import sweep_lost_work
from tests.factories import BorrowerFactory, overdue_loan
from tests.relief.helpers import restore_seeded_data, staff_user, submitted_application
from tests.relief.page_helpers import PDF, pdf
from tests.security.conftest import files_under

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks and connections of PostgreSQL"
    ),
]
UNLIMITED = {"login": "100000/min", "applications": "100000/min"}


@pytest.fixture(autouse=True)
def seeded(settings):
    """The migrations' rows (policy v1, the roles) after other tests' flushes; throttles
    out of the way (the burst is the point here, not the rate limit)."""
    restore_seeded_data()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": UNLIMITED}
    cache.clear()
    yield
    cache.clear()


def token_client(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
    return client


def run_together(calls: list) -> list:
    """Run each call in its own thread, all released at once; their results (or errors)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:  # the outcome under test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def apply(client: APIClient, loan, key: str | None = None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    body = {"loan": loan.pk, "reason": "serious_illness", "description": "I was in hospital."}
    return client.post("/api/v1/relief-applications/", body, format="json", **headers)


# --- Redis stopped while 100 borrowers apply over HTTP ---------------------------------------


@pytest.mark.integration
def test_redis_stopped_while_100_borrowers_apply_over_the_api(broker_url, today, reviewer):
    from celery.contrib.testing.worker import start_worker

    from tests.conftest import celery_app, use_broker
    from tests.integration.test_faults import OwnRedis
    from tests.support import wait_for

    borrowers = [BorrowerFactory() for _ in range(100)]
    loans = [overdue_loan(borrower, today=today, days=20) for borrower in borrowers]
    clients = [token_client(borrower.user) for borrower in borrowers]
    redis = OwnRedis()
    redis.start()
    use_broker(redis.url)
    try:
        redis.stop()  # the broker is gone before the first borrower applies
        slowest = 0.0
        for client, loan in zip(clients, loans, strict=True):
            started = time.monotonic()
            response = apply(client, loan, key=f"apply-{loan.pk}")
            slowest = max(slowest, time.monotonic() - started)
            assert response.status_code == 201, response.content
            assert response.json()["status"] == ApplicationStatus.SUBMITTED
        assert slowest < 2.0, f"the slowest answer took {slowest:.2f} s"
        assert ReliefApplication.objects.filter(status="submitted").count() == 100

        # A phone that did not see its answer sends again: the same 201, no new row.
        again = apply(clients[0], loans[0], key=f"apply-{loans[0].pk}")
        assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
        assert ReliefApplication.objects.count() == 100

        redis.start()  # Redis is back; the sweeper sends what could not be sent
        with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            assert sweep_lost_work(now=timezone.now() + timedelta(minutes=3))["triage"] == 100
            assert wait_for(
                lambda: not ReliefApplication.objects.filter(status="submitted").exists(), 60
            )
    finally:
        redis.stop()
        use_broker(broker_url)
    moves = ApplicationEvent.objects.filter(from_status=ApplicationStatus.SUBMITTED)
    assert moves.count() == 100
    assert set(moves.values_list("application", flat=True).distinct()) == set(
        ReliefApplication.objects.values_list("pk", flat=True)
    )
    assert Notification.objects.filter(kind="in_review", channel="in_app").count() == 100


# --- 50 identical submissions at once -------------------------------------------------------


def test_50_identical_submissions_at_once_make_one_application(today):
    borrower = BorrowerFactory()
    loan = overdue_loan(borrower, today=today, days=20)
    Token.objects.get_or_create(user=borrower.user)
    # Half retry with one Idempotency-Key (a phone resending), half send new keys (taps).
    keys = ["retry"] * 25 + [f"tap-{n}" for n in range(25)]
    results = run_together(
        [lambda key=key: apply(token_client(borrower.user), loan, key) for key in keys]
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    assert ReliefApplication.objects.filter(loan=loan).count() == 1
    application = ReliefApplication.objects.get(loan=loan)
    statuses = Counter(r.status_code for r in results)
    assert set(statuses) <= {201, 409}, statuses
    created = [r for r in results if r.status_code == 201]
    assert {r.json()["id"] for r in created} == {application.pk}
    assert len({r.content for r in created}) == 1  # a replay is the first answer, byte for byte
    for response in (r for r in results if r.status_code == 409):
        error = response.json()["error"]
        assert error["code"] in ("open_application", "idempotency_key_in_use"), error
        if error["code"] == "open_application":
            assert error["open_application"] == application.pk
    assert ApplicationEvent.objects.filter(application=application).count() >= 1
    assert ApplicationEvent.objects.filter(application=application, from_status="").count() == 1


# --- 20 decisions at once on one case -------------------------------------------------------


def decide(reviewer, application, body: dict):
    return token_client(reviewer).post(
        f"/api/v1/review/applications/{application.pk}/decide/", body, format="json"
    )


def test_20_decisions_at_once_on_one_case_make_one_transition(today):
    reviewers = [staff_user(f"reviewer{n}", "Reviewer") for n in range(10)]
    for reviewer in reviewers:
        Token.objects.get_or_create(user=reviewer)
    application = submitted_application(today=today)
    assert application.status == ApplicationStatus.IN_REVIEW
    version = application.version
    events_before = ApplicationEvent.objects.filter(application=application).count()
    choices = [
        {"action": "approve", "percent": 80},
        {"action": "reject", "reason_code": "ability_to_pay"},
        {"action": "request_info", "note": "Please send the hospital bill."},
        {"action": "approve", "percent": 60},
    ]
    calls = [
        lambda n=n: decide(reviewers[n % 10], application, {**choices[n % 4], "version": version})
        for n in range(20)
    ]
    results = run_together(calls)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.status_code for r in results) == [200] + [409] * 19
    application.refresh_from_db()
    assert application.version == version + 1
    assert application.status in ("approved", "rejected", "needs_info")
    events = ApplicationEvent.objects.filter(application=application)
    assert events.count() == events_before + 1
    assert events.filter(from_status=ApplicationStatus.IN_REVIEW).count() == 1


def test_20_decisions_without_a_version_still_make_one_transition(today):
    """The row lock and the state machine alone (a caller that sends no version)."""
    reviewers = [staff_user(f"reviewer{n}", "Reviewer") for n in range(20)]
    application = submitted_application(today=today)
    results = run_together(
        [
            lambda reviewer=reviewer: services.relief_application_approve(
                application_id=application.pk, reviewer=reviewer, percent=70
            )
            for reviewer in reviewers
        ]
    )
    approved = [r for r in results if isinstance(r, ReliefApplication)]
    refused = [r for r in results if not isinstance(r, ReliefApplication)]
    assert len(approved) == 1, results
    assert {getattr(error, "status", None) for error in refused} == {409}, refused
    assert (
        ApplicationEvent.objects.filter(application=application, to_status="approved").count() == 1
    )


# --- the database refusing connections ------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@contextmanager
def database_refusing_connections():
    """New connections go to a port where nothing listens, as when PostgreSQL restarts."""
    connection.close()
    saved = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = str(closed_port())
    try:
        yield
    finally:
        connection.settings_dict["PORT"] = saved
        connection.close()


def test_a_page_answers_503_while_the_database_refuses_connections(today):
    borrower = BorrowerFactory()
    loan = overdue_loan(borrower, today=today, days=20)
    client = Client(raise_request_exception=False)
    client.force_login(borrower.user)
    with database_refusing_connections():
        response = client.get(f"/loans/{loan.pk}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "The service is briefly unavailable" in body
    assert "Traceback" not in body and "OperationalError" not in body and "psycopg" not in body
    assert response["Content-Security-Policy"]  # still our page, with its headers
    assert client.get(f"/loans/{loan.pk}/").status_code == 200  # back when the database is


def test_the_api_answers_503_json_while_the_database_refuses_connections(today):
    borrower = BorrowerFactory()
    client = token_client(borrower.user)
    with database_refusing_connections():
        listing = client.get("/api/v1/loans/")
        submit = client.post(
            "/api/v1/relief-applications/",
            {"loan": 1, "reason": "other"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="k",
        )
        health = Client().get("/healthz")
    for response in (listing, submit):
        assert response.status_code == 503
        assert response["Content-Type"] == "application/json"
        assert response["Retry-After"] == "30"
        error = response.json()["error"]
        assert error["code"] == "unavailable" and error["fields"] == {}
        assert "psycopg" not in response.content.decode()
    assert health.status_code == 503
    assert health.json()["database"] == "down"
    assert client.get("/api/v1/loans/").status_code == 200


@contextmanager
def connection_killed_during(target: str):
    """Terminate this thread's database session (as a PostgreSQL restart or a failover
    would) just before `target` runs, in the middle of the request's transaction."""
    module, name = target.rsplit(".", 1)
    original = getattr(importlib.import_module(module), name)

    def kill_then_call(*args, **kwargs):
        pid = connection.connection.info.backend_pid
        settings = connection.settings_dict
        killer = psycopg2.connect(
            dbname=settings["NAME"],
            user=settings["USER"],
            host=settings["HOST"],
            port=settings["PORT"],
        )
        killer.autocommit = True
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        killer.close()
        return original(*args, **kwargs)

    with mock.patch(target, side_effect=kill_then_call) as patched:
        yield patched
    close_old_connections()
    connection.close()


def test_an_api_submission_cut_off_by_the_database_leaves_nothing_and_can_be_retried(today):
    borrower = BorrowerFactory()
    loan = overdue_loan(borrower, today=today, days=20)
    client = token_client(borrower.user)
    with connection_killed_during("relief.services.applications.triage_enqueue") as cut:
        response = apply(client, loan, key="first-try")
    assert cut.called
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert not ReliefApplication.objects.filter(loan=loan).exists()
    assert not ApplicationEvent.objects.filter(application__loan=loan).exists()
    assert not IdempotencyKey.objects.filter(key="first-try").exists()

    retry = apply(client, loan, key="first-try")  # the key was not used up
    assert retry.status_code == 201
    assert ReliefApplication.objects.filter(loan=loan).count() == 1


def test_a_page_submission_with_files_cut_off_by_the_database_leaves_nothing(
    today, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    borrower = BorrowerFactory()
    loan = overdue_loan(borrower, today=today, days=20)
    client = Client(raise_request_exception=False)
    client.force_login(borrower.user)
    with connection_killed_during("relief.services.applications.triage_enqueue") as cut:
        response = client.post(
            f"/loans/{loan.pk}/apply/",
            {"reason": "serious_illness", "files": [pdf("a.pdf", PDF), pdf("b.pdf", PDF)]},
        )
    assert cut.called
    assert response.status_code == 503
    assert "The service is briefly unavailable" in response.content.decode()
    assert not ReliefApplication.objects.filter(loan=loan).exists()
    assert not Evidence.objects.exists()
    assert files_under(tmp_path) == []
