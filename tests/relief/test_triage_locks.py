"""Triage never waits long on a lock and shares no row with other triages: a case held by
another transaction makes its triage give up within the lock timeout (its task retries), and
a triage still open does not hold up the triage of another case for the same reviewer."""

import threading
import time
from contextlib import contextmanager

import pytest
from django.db import connection, transaction

from core.errors import TemporaryFailure
from relief.models import ApplicationStatus, ReliefApplication
from relief.services import relief_application_submit, relief_application_triage
from relief.services.review import application_triage_locked
from tests.factories import BorrowerFactory, overdue_loan

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("policy_v1", "triage_not_sent"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]


def submitted(today):
    loan = overdue_loan(BorrowerFactory(), today=today, days=20)
    return relief_application_submit(loan=loan, reason="other", submitted_by=loan.borrower.user)


@contextmanager
def held_elsewhere(work, seconds: float):
    """Run `work()` in a transaction of another connection and keep that transaction open
    (its locks held) for `seconds`, or until the block ends."""
    started, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                work()
                started.set()
                release.wait(seconds)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert started.wait(10)
    try:
        yield
    finally:
        release.set()
        thread.join()


@pytest.fixture
def triage_not_sent():
    """Submissions queue no triage (the broker is away): the tests triage by hand."""
    from tests.conftest import celery_app, use_broker

    eager, broker = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    use_broker("redis://127.0.0.1:1/0")  # nothing listens there
    yield
    celery_app.conf.task_always_eager = eager
    use_broker(broker)


@pytest.fixture
def short_lock_timeout(settings):
    settings.RELIEF_TRIAGE_LOCK_TIMEOUT_MS = 300


def test_triage_of_a_case_locked_elsewhere_gives_up_within_the_lock_timeout(
    short_lock_timeout, today, reviewer
):
    case = submitted(today)

    def lock_the_case():
        ReliefApplication.objects.select_for_update().get(pk=case.pk)

    with held_elsewhere(lock_the_case, seconds=20):
        started = time.monotonic()
        with pytest.raises(TemporaryFailure):
            relief_application_triage(application_id=case.pk)
        assert time.monotonic() - started < 2
        assert ReliefApplication.objects.get(pk=case.pk).status == ApplicationStatus.SUBMITTED
    # The lock is gone: the retry triages it.
    assert relief_application_triage(application_id=case.pk).status == ApplicationStatus.IN_REVIEW


def test_a_triage_left_open_does_not_hold_up_the_next_case_for_the_same_reviewer(
    short_lock_timeout, today, reviewer
):
    first, second = submitted(today), submitted(today)

    def triage_and_stay_open():
        application = application_triage_locked(first.pk)
        assert application.assigned_to == reviewer

    with held_elsewhere(triage_and_stay_open, seconds=10):
        started = time.monotonic()
        triaged = relief_application_triage(application_id=second.pk)
        assert time.monotonic() - started < 1
        assert triaged.status == ApplicationStatus.IN_REVIEW
        assert triaged.assigned_to == reviewer
    assert ReliefApplication.objects.get(pk=first.pk).status == ApplicationStatus.IN_REVIEW
