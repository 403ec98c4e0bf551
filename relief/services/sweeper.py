"""The sweeper: a broker outage delays work, never loses it, and never multiplies it.

A submitted case carries a claim, `triage_claimed_until`: the triage task sent for it counts
as queued or running until then. The sweeper sends another only for a case whose claim has
passed, and claims it again first, so however many sweeps an outage lasts, each case is sent
at most once per lease (RELIEF_TRIAGE_LEASE_SECONDS)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from relief import tasks
from relief.models import ApplicationStatus, Notification, ReliefApplication

TRIAGE_GRACE = timedelta(minutes=2)
RETRY_GIVE_UP = timedelta(hours=1)
# A send whose outcome is not recorded this long after its attempt began died with its
# worker (a live one takes at most the task time limit); its task may be lost with it.
SEND_LEASE = timedelta(minutes=5)
BATCH = 1000


def triage_lease_end(now=None):
    """When a triage task sent now stops counting as queued."""
    return (now or timezone.now()) + timedelta(seconds=settings.RELIEF_TRIAGE_LEASE_SECONDS)


def triage_claim_expired(now) -> list[int]:
    """Claim the submitted cases whose triage lease has passed (cases submitted before leases
    existed: 2 minutes after submission), at most BATCH of them. Rows a triage holds locked
    right now are skipped: that triage is running."""
    with transaction.atomic():
        expired = list(
            ReliefApplication.objects.filter(status=ApplicationStatus.SUBMITTED)
            .filter(
                Q(triage_claimed_until__lt=now)
                | Q(triage_claimed_until__isnull=True, created_at__lt=now - TRIAGE_GRACE)
            )
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:BATCH]
        )
        ReliefApplication.objects.filter(pk__in=expired).update(
            triage_claimed_until=triage_lease_end(now)
        )
    return expired


def sweep_lost_work(*, now=None) -> dict:
    """Re-enqueue the triage of submitted cases whose lease has passed, and email/SMS not sent.

    Safe to run any time: the tasks it sends are idempotent."""
    now = now or timezone.now()
    untriaged = triage_claim_expired(now)
    for position, application_id in enumerate(untriaged):
        try:
            tasks.triage_application.delay(application_id)
        except Exception:
            # The broker went away mid-sweep: the cases not sent are free for the next sweep.
            ReliefApplication.objects.filter(pk__in=untriaged[position:]).update(
                triage_claimed_until=None
            )
            raise
    unsent = list(
        Notification.objects.filter(status=Notification.Status.PENDING)
        .exclude(channel=Notification.Channel.IN_APP)
        .filter(
            Q(attempts=0, created_at__lt=now - TRIAGE_GRACE) | Q(created_at__lt=now - RETRY_GIVE_UP)
        )
        .values_list("pk", flat=True)[:BATCH]
    )
    # Sends interrupted between the provider and the outcome's commit: the task decides,
    # with the same provider key, or hands them to a person (relief.services.delivery).
    unsent += list(
        Notification.objects.filter(
            status=Notification.Status.SENDING, attempted_at__lt=now - SEND_LEASE
        ).values_list("pk", flat=True)[:BATCH]
    )
    for notification_id in unsent:
        tasks.send_notification.delay(notification_id)
    return {"triage": len(untriaged), "notifications": len(unsent)}
