"""The life of an application (domain.md §7) in one table, and the one way to move along it.

Every transition: the row locked, the move checked against the table, the version bumped,
an event written, the borrower told (when they should be) — all in the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.transaction import TransactionManagementError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ConflictError
from loans.services import arrangement_cancel
from relief.models import ActorKind, ApplicationEvent, ApplicationStatus, ReliefApplication
from relief.services.notifications import notify
from relief.services.outcomes import applications_repaid_on_settle

S = ApplicationStatus

# action: (allowed from, to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": ((), S.SUBMITTED),
    "auto_approve": ((S.SUBMITTED,), S.APPROVED),
    "send_to_review": ((S.SUBMITTED,), S.IN_REVIEW),
    "withdraw": ((S.SUBMITTED, S.IN_REVIEW, S.NEEDS_INFO), S.WITHDRAWN),
    "request_info": ((S.IN_REVIEW,), S.NEEDS_INFO),
    "answer": ((S.NEEDS_INFO,), S.IN_REVIEW),
    "approve": ((S.IN_REVIEW,), S.APPROVED),
    "approve_pending_second": ((S.IN_REVIEW,), S.PENDING_SECOND_APPROVAL),
    "reject": ((S.IN_REVIEW,), S.REJECTED),
    "second_approve": ((S.PENDING_SECOND_APPROVAL,), S.APPROVED),
    "second_return": ((S.PENDING_SECOND_APPROVAL,), S.IN_REVIEW),
    "accept": ((S.APPROVED,), S.ACCEPTED),
    "decline": ((S.APPROVED,), S.DECLINED),
    "expire": ((S.APPROVED, S.ACCEPTED), S.EXPIRED),
    "fulfil": ((S.APPROVED, S.ACCEPTED), S.FULFILLED),
}
# The actions that decide a case (they set `decided_at`).
DECIDING_ACTIONS = frozenset({"auto_approve", "approve", "second_approve", "reject"})

# Which arrivals the borrower hears about, and with which message template.
BORROWER_MESSAGES = {
    S.SUBMITTED: "submitted",
    S.IN_REVIEW: "in_review",
    S.NEEDS_INFO: "needs_info",
    S.APPROVED: "approved",
    S.ACCEPTED: "accepted",
    S.REJECTED: "rejected",
    S.EXPIRED: "expired",
    S.FULFILLED: "fulfilled",
}

# `transition(message=...)`: the template of the new status (BORROWER_MESSAGES).
BY_STATUS = object()
# Where an application's proposed arrangement will never start.
ENDS_WITHOUT_START = (S.REJECTED, S.WITHDRAWN, S.DECLINED, S.EXPIRED)

NOT_ALLOWED = _("This cannot be done now: the application is %(status)s.")
STALE_VERSION = _(
    "The application changed since you opened it (now %(status)s). Reload it and try again."
)


def allowed_actions(status: str) -> set[str]:
    return {action for action, (sources, _to) in TRANSITIONS.items() if status in sources}


def application_lock(application_id: int, *, version: int | None = None) -> ReliefApplication:
    """Lock an application row for a change; a stale `version` is a conflict."""
    application = (
        # The arrangement (nullable: an outer join) is read, not locked.
        ReliefApplication.objects.select_for_update(
            of=("self", "borrower", "borrower__user", "loan")
        )
        .select_related("borrower", "borrower__user", "loan", "arrangement")
        .get(pk=application_id)
    )
    if version is not None and application.version != version:
        raise ConflictError(
            STALE_VERSION % {"status": application.get_status_display()},
            code="stale_version",
            extra={"version": application.version, "status": application.status},
        )
    return application


def transition_check(application: ReliefApplication, action: str) -> None:
    """Refuse an action the current status does not allow (the table is the only judge)."""
    sources, _target = TRANSITIONS[action]
    if application.pk and application.status not in sources:
        raise ConflictError(
            NOT_ALLOWED % {"status": application.get_status_display()},
            code="transition_not_allowed",
            extra={"status": application.status, "action": action},
        )


def transition(
    application: ReliefApplication,
    action: str,
    *,
    actor_kind: str,
    actor=None,
    note: str = "",
    data: dict[str, Any] | None = None,
    update_fields: tuple[str, ...] = (),
    message: str | object | None = BY_STATUS,
) -> ApplicationEvent:
    """Move a locked application by `action`; write the event and tell the borrower (with
    `message`'s template instead of the new status's when given; None: not told of this
    move). A proposed arrangement of an application that ends without it is cancelled."""
    if not transaction.get_connection().in_atomic_block:
        # The lock, the row, the event and the notification stand or fall together; outside
        # a transaction the lock would be gone before the row is written.
        raise TransactionManagementError("An application's transition must run in a transaction.")
    transition_check(application, action)
    _sources, target = TRANSITIONS[action]
    source = application.status if application.pk else ""
    application.status = target
    if application.pk:
        application.version += 1
        application.save(update_fields=["status", "version", "updated_at", *update_fields])
    else:
        application.save()
    if action in DECIDING_ACTIONS:
        # Whether the installments due at the decision are repaid already (the effectiveness
        # report's figure; later repayments complete it).
        applications_repaid_on_settle(loan_id=application.loan_id)
    event = ApplicationEvent.objects.create(
        application=application,
        actor_kind=actor_kind,
        actor=actor,
        from_status=source,
        to_status=target,
        note=note,
        data=data or {},
    )
    if application.arrangement_id is not None and target in ENDS_WITHOUT_START:
        arrangement_cancel(arrangement=application.arrangement, on=timezone.localdate())
    if message is BY_STATUS:
        message = BORROWER_MESSAGES.get(target)
    if message:
        borrower = application.borrower
        notify(
            recipient=borrower.user,
            kind=message,
            language=borrower.language,
            channel_preference=borrower.notification_channel,
            context={"application": application, "event": event, "note": note},
            application=application,
            event=event,
            link=reverse("application-detail", args=[application.pk]),
            event_is_new=True,
        )
    return event


__all__ = [
    "TRANSITIONS",
    "ActorKind",
    "allowed_actions",
    "application_lock",
    "transition",
    "transition_check",
]
