"""The sweeper: a broker outage delays work, never loses it."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from relief import tasks
from relief.models import ApplicationStatus, Notification, ReliefApplication

TRIAGE_GRACE = timedelta(minutes=2)
RETRY_GIVE_UP = timedelta(hours=1)
# A send whose outcome is not recorded this long after its attempt began died with its
# worker (a live one takes at most the task time limit); its task may be lost with it.
SEND_LEASE = timedelta(minutes=5)


def sweep_lost_work(*, now=None) -> dict:
    """Re-enqueue submitted cases not triaged within 2 minutes and email/SMS not sent.

    Safe to run any time: the tasks it sends are idempotent."""
    now = now or timezone.now()
    untriaged = list(
        ReliefApplication.objects.filter(
            status=ApplicationStatus.SUBMITTED, created_at__lt=now - TRIAGE_GRACE
        ).values_list("pk", flat=True)[:1000]
    )
    for application_id in untriaged:
        tasks.triage_application.delay(application_id)
    unsent = list(
        Notification.objects.filter(status=Notification.Status.PENDING)
        .exclude(channel=Notification.Channel.IN_APP)
        .filter(
            Q(attempts=0, created_at__lt=now - TRIAGE_GRACE) | Q(created_at__lt=now - RETRY_GIVE_UP)
        )
        .values_list("pk", flat=True)[:1000]
    )
    # Sends interrupted between the provider and the outcome's commit: the task decides,
    # with the same provider key, or hands them to a person (relief.services.delivery).
    unsent += list(
        Notification.objects.filter(
            status=Notification.Status.SENDING, attempted_at__lt=now - SEND_LEASE
        ).values_list("pk", flat=True)[:1000]
    )
    for notification_id in unsent:
        tasks.send_notification.delay(notification_id)
    return {"triage": len(untriaged), "notifications": len(unsent)}
