"""Celery tasks: each takes ids and calls a service; running one twice changes nothing more."""

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="relief.triage_application")
def triage_application(application_id: int) -> str:
    from relief.services import relief_application_triage

    return relief_application_triage(application_id=application_id).status


@shared_task(
    bind=True,
    name="relief.send_notification",
    max_retries=5,
    default_retry_delay=30,
)
def send_notification(self, notification_id: int) -> str:
    from relief.services.notifications import RETRY, notification_send

    final = self.request.retries >= self.max_retries
    outcome = notification_send(notification_id=notification_id, final_attempt=final)
    if outcome == RETRY:
        # Exponential backoff: 30 s, 60 s, 120 s, …
        raise self.retry(countdown=30 * 2**self.request.retries)
    return outcome


@shared_task(name="relief.sweep")
def sweep() -> dict:
    """Every minute: re-send work a broker outage may have lost."""
    from relief.services.sweeper import sweep_lost_work

    return sweep_lost_work()


@shared_task(name="relief.escalate_sla")
def escalate_sla() -> int:
    from relief.services import sla_escalate_breached

    return sla_escalate_breached()


@shared_task(name="relief.expire_offers")
def expire_offers() -> int:
    from relief.services import offers_expire

    return offers_expire()


@shared_task(name="relief.remind_due_installments")
def remind_due_installments() -> int:
    from relief.services.reminders import installment_reminders_send

    return installment_reminders_send()
