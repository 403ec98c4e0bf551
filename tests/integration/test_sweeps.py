"""The sweeper during a long outage: each stuck case is sent at most once per triage lease,
not once per sweep, and is triaged once when a worker is back."""

import json
from collections import Counter
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from relief.models import ApplicationStatus, ReliefApplication
from relief.services import relief_application_submit
from relief.services.sweeper import sweep_lost_work
from tests.conftest import celery_app, use_broker
from tests.factories import BorrowerFactory, overdue_loan
from tests.support import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SWEEP = timedelta(seconds=60)  # beat's period


def queued_triages(broker: str) -> Counter:
    """How many triage messages wait in the broker's queue, by application id."""
    counts = Counter()
    for raw in redis.Redis.from_url(broker).lrange("celery", 0, -1):
        headers = json.loads(raw)["headers"]
        if headers["task"] == "relief.triage_application":
            counts[int(headers["argsrepr"].strip("(,)"))] += 1
    return counts


def test_sweeps_during_a_long_outage_send_each_case_once_per_lease_then_triage_it_once(
    broker_url, today, reviewer
):
    from celery.contrib.testing.worker import start_worker

    use_broker("redis://127.0.0.1:1/0")  # Redis is away: nothing listens there
    loans = [overdue_loan(BorrowerFactory(), today=today, days=20) for _ in range(5)]
    cases = [
        relief_application_submit(loan=loan, reason="other", submitted_by=loan.borrower.user).pk
        for loan in loans
    ]
    start = timezone.now()
    # Three sweeps while Redis is away: each fails to send, and leaves the cases unclaimed.
    for period in range(3, 6):
        with pytest.raises(Exception):  # noqa: B017 - whatever kombu raises for a dead broker
            sweep_lost_work(now=start + period * SWEEP)
        assert not ReliefApplication.objects.filter(
            triage_claimed_until__gt=start + period * SWEEP
        ).exists()

    # Redis is back but the worker is still down: ten more sweeps, one a minute.
    use_broker(broker_url)
    for period in range(6, 16):
        sweep_lost_work(now=start + period * SWEEP)
    lease = timedelta(seconds=settings.RELIEF_TRIAGE_LEASE_SECONDS)
    most = 1 + (9 * SWEEP) // lease  # the sweeps span 9 minutes
    sent = queued_triages(broker_url)
    assert set(sent) == set(cases)
    assert max(sent.values()) <= most < 10, sent  # not once per sweep (10)

    # A worker comes back: every case is triaged once, whatever number of copies waited.
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        assert wait_for(
            lambda: not ReliefApplication.objects.filter(status="submitted").exists(), timeout=60
        )
        assert wait_for(lambda: not queued_triages(broker_url), timeout=30)
    for application in ReliefApplication.objects.filter(pk__in=cases):
        assert application.status == ApplicationStatus.IN_REVIEW
        assert application.events.filter(from_status=ApplicationStatus.SUBMITTED).count() == 1
