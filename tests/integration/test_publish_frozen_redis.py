"""Redis frozen (SIGSTOP: it takes connections and answers nothing) while borrowers apply
over the API: each answer comes in under a second, and once Redis is back a real worker
triages every case exactly once."""

import signal
import subprocess
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from relief.models import ApplicationEvent, ApplicationStatus, ReliefApplication
from relief.services.sweeper import sweep_lost_work
from tests.conftest import use_broker
from tests.factories import BorrowerFactory, overdue_loan
from tests.integration.test_faults import OwnRedis, worker_process
from tests.support import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def apply(user, loan):
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
    started = time.monotonic()
    response = client.post(
        "/api/v1/relief-applications/",
        {"loan": loan.pk, "reason": "serious_illness", "description": "I was in hospital."},
        format="json",
    )
    return response, time.monotonic() - started


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a worker process on PostgreSQL"
)
def test_with_redis_frozen_a_submission_answers_in_under_a_second_and_is_triaged_later(
    broker_url, today, reviewer
):
    loans = [overdue_loan(BorrowerFactory(), today=today, days=20) for _ in range(6)]
    redis = OwnRedis()
    redis.start()
    use_broker(redis.url)
    worker = None
    try:
        # The site was publishing when Redis froze: its connection is open.
        response, _took = apply(loans[0].borrower.user, loans[0])
        assert response.status_code == 201, response.content
        redis.freeze()
        answers = [apply(loan.borrower.user, loan) for loan in loans[1:]]
        for response, _took in answers:
            assert response.status_code == 201, response.content
            assert response.json()["status"] == ApplicationStatus.SUBMITTED
        took = sorted(seconds for _response, seconds in answers)
        assert took[-1] < 1.0, f"answers took {took} s"

        redis.thaw()
        worker = worker_process(redis.url)
        # Beat's next sweep once Redis is back: what could not be published is sent now.
        sweep_lost_work(now=timezone.now() + timedelta(minutes=3))
        assert wait_for(
            lambda: not ReliefApplication.objects.filter(status="submitted").exists(), 60
        ), list(ReliefApplication.objects.values_list("pk", "status"))
        time.sleep(1.0)  # let any second delivery of a triage run
    finally:
        redis.thaw()
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
        redis.stop()
        use_broker(broker_url)
    assert ReliefApplication.objects.count() == 6
    for application in ReliefApplication.objects.all():
        moves = ApplicationEvent.objects.filter(
            application=application, from_status=ApplicationStatus.SUBMITTED
        )
        assert moves.count() == 1, application.pk
