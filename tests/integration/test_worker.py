"""The review queue on a real Celery worker and Redis, with the PostgreSQL test database."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from relief.models import ApplicationStatus, Notification, ReliefApplication
from relief.services import relief_application_submit
from relief.services.sweeper import sweep_lost_work
from relief.tasks import triage_application
from tests.conftest import celery_app, use_broker
from tests.factories import BorrowerFactory, overdue_loan, paid_history
from tests.support import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def status_of(application_id):
    return ReliefApplication.objects.values_list("status", flat=True).get(pk=application_id)


def sent(application_id, kind):
    return Notification.objects.filter(
        application_id=application_id, kind=kind, status=Notification.Status.SENT
    )


def test_worker_sends_a_submitted_case_to_a_reviewer_and_tells_the_borrower(
    celery_worker, alice, today, reviewer
):
    paid_history(alice, today=today)
    loan = overdue_loan(alice, today=today, days=20)
    application = relief_application_submit(
        loan=loan, reason="serious_illness", submitted_by=alice.user
    )
    assert wait_for(lambda: status_of(application.pk) == ApplicationStatus.IN_REVIEW)
    application.refresh_from_db()
    assert application.assigned_to == reviewer
    assert wait_for(lambda: sent(application.pk, "in_review").count() == 2)


def test_worker_approves_a_small_case_automatically(celery_worker, alice, today):
    loan = overdue_loan(alice, today=today, days=200)
    application = relief_application_submit(loan=loan, reason="other", submitted_by=alice.user)
    assert wait_for(lambda: status_of(application.pk) == ApplicationStatus.APPROVED)
    assert wait_for(lambda: sent(application.pk, "approved").count() == 2)


def test_a_task_delivered_twice_gives_one_outcome_and_one_notification(
    celery_worker, alice, today, reviewer
):
    loan = overdue_loan(alice, today=today, days=20)
    application = relief_application_submit(loan=loan, reason="other", submitted_by=alice.user)
    triage_application.delay(application.pk)
    triage_application.delay(application.pk)
    assert wait_for(lambda: status_of(application.pk) == ApplicationStatus.IN_REVIEW)
    time.sleep(1.0)  # let the duplicates run
    application.refresh_from_db()
    assert application.events.filter(to_status=ApplicationStatus.IN_REVIEW).count() == 1
    assert Notification.objects.filter(application=application, kind="in_review").count() == 2


def test_broker_down_at_submit_saves_the_case_and_the_sweeper_triages_it_later(
    broker_url, transactional_db, alice, today, reviewer
):
    from celery.contrib.testing.worker import start_worker

    loan = overdue_loan(alice, today=today, days=20)
    use_broker("redis://127.0.0.1:1/0")  # nothing listens there
    started = time.monotonic()
    application = relief_application_submit(loan=loan, reason="other", submitted_by=alice.user)
    assert time.monotonic() - started < 2.0
    assert status_of(application.pk) == ApplicationStatus.SUBMITTED

    use_broker(broker_url)  # Redis is back
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        assert sweep_lost_work(now=timezone.now() + timedelta(minutes=3))["triage"] == 1
        assert wait_for(lambda: status_of(application.pk) == ApplicationStatus.IN_REVIEW)
        assert wait_for(lambda: sent(application.pk, "submitted").count() == 2)
    assert application.events.filter(to_status=ApplicationStatus.IN_REVIEW).count() == 1


def test_a_case_locked_elsewhere_is_retried_by_its_task_while_the_next_case_goes_through(
    broker_url, transactional_db, settings, today, reviewer
):
    """The worker does not sit on a locked case: its triage gives up within the lock timeout,
    the task retries with backoff, the next case is triaged meanwhile, and once the lock is
    released the retry triages the first case, once, without the sweeper."""
    import threading

    from celery.contrib.testing.worker import start_worker
    from django.db import connection, transaction

    settings.RELIEF_TRIAGE_LOCK_TIMEOUT_MS = 300
    loans = [overdue_loan(BorrowerFactory(), today=today, days=20) for _ in range(2)]
    first, second = (
        relief_application_submit(loan=loan, reason="other", submitted_by=loan.borrower.user)
        for loan in loans
    )
    locked, release = threading.Event(), threading.Event()

    def hold_the_first_case():
        with transaction.atomic():
            ReliefApplication.objects.select_for_update().get(pk=first.pk)
            locked.set()
            release.wait(30)
        connection.close()

    holder = threading.Thread(target=hold_the_first_case)
    holder.start()
    try:
        assert locked.wait(10)
        with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
            assert wait_for(lambda: status_of(second.pk) == ApplicationStatus.IN_REVIEW, 15)
            assert status_of(first.pk) == ApplicationStatus.SUBMITTED
            release.set()
            holder.join()
            assert wait_for(lambda: status_of(first.pk) == ApplicationStatus.IN_REVIEW, 30)
    finally:
        release.set()
        holder.join()
    for case in (first, second):
        assert case.events.filter(from_status=ApplicationStatus.SUBMITTED).count() == 1
