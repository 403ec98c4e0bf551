"""A case's deadlines, run by beat: decisions past their SLA are escalated, offers past their
deadline expire."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import permissions
from loans import selectors as loan_selectors
from loans.services import loan_lock, penalty_unfreeze
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
    """Offers past their deadline without the waiver posted become `expired`; an accepted
    one's frozen penalty is owed again, as if it had never been frozen (domain.md §7)."""
    today = today or loan_selectors.local_today()
    offers = list(
        ReliefApplication.objects.filter(
            status__in=(ApplicationStatus.APPROVED, ApplicationStatus.ACCEPTED),
            offer_deadline__lt=today,
        ).values_list("pk", "loan_id")
    )
    expired = 0
    for application_id, loan_id in offers:
        with transaction.atomic():
            # The loan first, then the application: the order a repayment locks them in.
            loan, installments = loan_lock(loan_id)
            application = application_lock(application_id)
            if application.status not in OPEN_STATUSES or application.offer_deadline >= today:
                continue
            data = {}
            if application.status == ApplicationStatus.ACCEPTED:
                restored = penalty_unfreeze(loan=loan, installments=installments)
                data["frozen_penalty_owed_again"] = str(restored)
            transition(application, "expire", actor_kind=ActorKind.SYSTEM, data=data)
            expired += 1
    return expired
