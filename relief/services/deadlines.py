"""A case's deadlines, run by beat: decisions past their SLA are escalated, offers past their
deadline expire."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import permissions
from loans import selectors as loan_selectors
from relief.models import OPEN_STATUSES, ActorKind, ApplicationStatus, ReliefApplication
from relief.services.notifications import notify
from relief.services.review import ESCALATION_BOOST, event_write
from relief.services.transitions import application_lock, transition


def sla_escalate_breached(*, now: datetime | None = None) -> int:
    """Cases past their decision time: priority up, an event, senior reviewers told — once."""
    now = now or timezone.now()
    ids = list(
        ReliefApplication.objects.filter(
            status__in=(ApplicationStatus.IN_REVIEW, ApplicationStatus.PENDING_SECOND_APPROVAL),
            sla_due__lt=now,
            sla_escalated_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    escalated = 0
    for application_id in ids:
        with transaction.atomic():
            application = application_lock(application_id)
            if application.sla_escalated_at is not None or application.sla_due >= now:
                continue
            application.priority += ESCALATION_BOOST
            application.sla_escalated_at = now
            application.save(update_fields=["priority", "sla_escalated_at", "updated_at"])
            event = event_write(
                application,
                actor_kind=ActorKind.SYSTEM,
                note="decision time passed: escalated",
                data={"sla_due": application.sla_due.isoformat()},
            )
            for senior in permissions.users_with(permissions.SECOND_APPROVAL):
                notify(
                    recipient=senior,
                    kind="sla_breached",
                    language="zh-hans",
                    channel_preference="email",
                    context={"application": application},
                    application=application,
                    event=event,
                    link=reverse("admin:relief_reliefapplication_change", args=[application.pk]),
                )
            escalated += 1
    return escalated


def offers_expire(*, today=None) -> int:
    """Offers past their deadline without the waiver posted become `expired`."""
    today = today or loan_selectors.local_today()
    ids = list(
        ReliefApplication.objects.filter(
            status__in=(ApplicationStatus.APPROVED, ApplicationStatus.ACCEPTED),
            offer_deadline__lt=today,
        ).values_list("pk", flat=True)
    )
    expired = 0
    for application_id in ids:
        with transaction.atomic():
            application = application_lock(application_id)
            if application.status in OPEN_STATUSES and application.offer_deadline < today:
                transition(application, "expire", actor_kind=ActorKind.SYSTEM)
                expired += 1
    return expired
