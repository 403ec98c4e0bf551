"""Celery tasks: each takes ids and calls a service; running one twice changes nothing more.

The services enqueue these tasks and these tasks call the services: the modules import each
other as modules (never names from a half-loaded module), and a function's name is looked
up only when the task runs, so either side may be imported first.
"""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from core.errors import TemporaryFailure
from relief.services import arrangements, deadlines, delivery, reminders, review, sweeper

log = logging.getLogger(__name__)

# A database connection cut off under a task (a restarted or failed-over PostgreSQL, a
# terminated backend) passes like a broker outage: Celery's Django fixup closes the broken
# connection after the task, and the retry opens a new one. Both tasks are idempotent.
CONNECTION_LOST = (OperationalError, InterfaceError)


@shared_task(
    bind=True,
    name="relief.triage_application",
    # A case another transaction holds past the lock timeout (TemporaryFailure), or a triage
    # cut short by the soft time limit, tries again after about 1, 2, 4, … 60 s (jittered so
    # the retries of many cases spread out), 8 times; then the sweeper sends it again once its
    # lease has passed.
    autoretry_for=(TemporaryFailure, SoftTimeLimitExceeded, *CONNECTION_LOST),
    max_retries=8,
    retry_backoff=1,
    retry_backoff_max=60,
    retry_jitter=True,
)
def triage_application(self, application_id: int) -> str:
    return review.relief_application_triage(application_id=application_id).status


@shared_task(
    bind=True,
    name="relief.send_notification",
    # A provider's outage passes: try again after 30 s, 60 s, 120 s, 240 s, 480 s. The last
    # attempt marks the notification failed rather than raising. A send cut off by a lost
    # database connection after the provider took it is found "sending" by the retry, which
    # asks the provider again with the same key (relief.services.delivery).
    autoretry_for=(TemporaryFailure, *CONNECTION_LOST),
    max_retries=5,
    retry_backoff=30,
    retry_backoff_max=480,
    retry_jitter=False,
)
def send_notification(self, notification_id: int) -> str:
    final = self.request.retries >= self.max_retries
    return delivery.notification_send(notification_id=notification_id, final_attempt=final)


@shared_task(name="relief.sweep")
def sweep() -> dict:
    """Every minute: re-send work a broker outage may have lost."""
    return sweeper.sweep_lost_work()


@shared_task(name="relief.escalate_sla")
def escalate_sla() -> int:
    return deadlines.sla_escalate_breached()


@shared_task(name="relief.expire_offers")
def expire_offers() -> int:
    return deadlines.offers_expire()


@shared_task(name="relief.remind_due_installments")
def remind_due_installments() -> int:
    return reminders.installment_reminders_send()


@shared_task(name="relief.arrangements_nightly")
def arrangements_nightly() -> dict:
    """Break the arrangements left unpaid too long, complete the paid ones, tell borrowers."""
    return arrangements.arrangements_nightly()
