"""The submission limit: counted atomically across concurrent requests, and a retry with an
Idempotency-Key already answered is never refused."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from tests.api.conftest import client_for, error_of
from tests.api.test_applications import apply

LIMIT = 20  # THROTTLE_APPLICATIONS' default, 20/min


@pytest.mark.skipif(not settings.CACHE_URL, reason="the shared cache is Redis (CACHE_URL)")
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_submissions_under_a_limit_of_twenty_let_exactly_twenty_through(alice):
    client = client_for(alice.user)
    start = threading.Barrier(50)
    statuses: list[int] = []
    lock = threading.Lock()

    def submit():
        try:
            start.wait(timeout=30)
            status = client.post("/api/v1/relief-applications/", {}, format="json").status_code
            with lock:
                statuses.append(status)
        finally:
            connection.close()  # each thread's own database connection

    threads = [threading.Thread(target=submit) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == 50
    # An empty body is a 400 when let through: exactly the limit get that far.
    assert statuses.count(400) == LIMIT
    assert statuses.count(429) == 50 - LIMIT


def test_a_retried_submission_with_the_same_key_answers_the_same_past_the_limit(
    alice_client, alice_loan
):
    first = apply(alice_client, alice_loan, key="retry-1")
    assert first.status_code == 201
    for _ in range(LIMIT - 1):  # the rest of the minute's allowance
        assert alice_client.post("/api/v1/relief-applications/", {}).status_code == 400
    assert alice_client.post("/api/v1/relief-applications/", {}).status_code == 429

    retried = apply(alice_client, alice_loan, key="retry-1")
    assert retried.status_code == 201
    assert retried.json() == first.json()
    assert retried["Idempotent-Replayed"] == "true"
    # A new request is still refused: the retry did not open the limit for others.
    refused = apply(alice_client, alice_loan, key="retry-2")
    assert refused.status_code == 429
    assert error_of(refused)["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
