"""Delivering an email or SMS once: the attempt is committed before the provider is called.

1. `delivery_claim`, one transaction: the pending row becomes "sending", one more attempt,
   with its provider key (made by the first attempt, the same for every other). Committed
   before anything reaches the provider.
2. `delivery_attempt`, a second transaction: the row locked again, the provider called with
   the key (the email's Message-ID, the SMS's client reference), the outcome recorded.

A live attempt holds its row locked while the provider works, so a task delivered twice
waits for it and then finds the row sent. A task that finds the row "sending" and gets the
lock knows the attempt before it died between the two commits (a worker killed, a machine
lost), the message perhaps at the provider already. If the provider deduplicates by key (the
backend's `deduplicates`), it tries again with the same key and the provider does not send it
twice; otherwise the row becomes "needs_attention" and a person asks the provider, then marks
it sent or sends it again (`delivery_settle`, an action in the admin). It never sends blind.
"""

from __future__ import annotations

import logging
import uuid
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.errors import DomainError, TemporaryFailure
from relief.models import Notification
from relief.services.notifications import (
    PermanentSmsError,
    notification_enqueue,
    sms_backend,
)

log = logging.getLogger(__name__)

IN_DOUBT = (
    "Ask the provider whether it went out, then mark it sent or send it again: the send "
    "was interrupted before its outcome was recorded, and this provider does not "
    "deduplicate."
)


NOT_ALLOWED_TO_SETTLE = _("Only operations staff may settle a message in doubt.")


class PermanentDeliveryError(Exception):
    pass


def provider_deduplicates(channel: str) -> bool:
    """Whether the configured backend of `channel` sends a key it has seen only once (its
    class says so with `deduplicates = True`)."""
    backend = get_connection() if channel == Notification.Channel.EMAIL else sms_backend()
    return bool(getattr(backend, "deduplicates", False))


def message_id(provider_key: str) -> str:
    """The email's Message-ID header: the key at the sender's domain."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "relief.invalid"
    return f"<{provider_key}@{domain}>"


def notification_deliver(notification: Notification) -> None:
    """Hand one email or SMS to its provider with the row's key; raises on failure."""
    recipient = notification.recipient
    if notification.channel == Notification.Channel.EMAIL:
        if not recipient.email:
            raise PermanentDeliveryError("no email address on file")
        EmailMessage(
            notification.title,
            notification.body,
            settings.DEFAULT_FROM_EMAIL,
            [recipient.email],
            headers={"Message-ID": message_id(notification.provider_key)},
        ).send()
    elif notification.channel == Notification.Channel.SMS:
        borrower = getattr(recipient, "borrower", None)
        try:
            sms_backend().send(
                borrower.phone if borrower else "",
                f"{notification.title}: {notification.body}",
                client_reference=notification.provider_key,
            )
        except PermanentSmsError as exc:
            raise PermanentDeliveryError(str(exc)) from exc


def notification_send(*, notification_id: int, final_attempt: bool = False) -> str:
    """Deliver a pending notification once; returns its status afterwards.

    A passing failure (a provider's outage) is recorded and then raised as
    `TemporaryFailure`, for the task to retry; on the `final_attempt` it marks the row
    failed instead. A permanent failure (no address on file) marks it failed at once.
    """
    claim = delivery_claim(notification_id=notification_id)
    if claim.status != Notification.Status.SENDING:
        return claim.status
    status, passing_error = delivery_attempt(claim=claim, final_attempt=final_attempt)
    if passing_error:
        # Raised after the attempt is committed, so a retry sees it counted.
        raise TemporaryFailure(passing_error)
    return status


def locked(notification_id: int) -> Notification:
    # Only the notification row is locked; the recipient and their borrower profile (for an
    # SMS) come in the same query.
    return (
        Notification.objects.select_for_update(of=("self",))
        .select_related("recipient", "recipient__borrower")
        .get(pk=notification_id)
    )


@transaction.atomic
def delivery_claim(*, notification_id: int) -> Notification:
    """Commit the attempt ("sending", its key, one more attempt) before the provider is
    called; returns the row, "sending" when this task is to call the provider."""
    notification = locked(notification_id)
    if notification.status == Notification.Status.SENDING:
        # The attempt before died between its two commits (a live one would have held the
        # row until its outcome was recorded).
        if not provider_deduplicates(notification.channel):
            log.warning("notification %s: send interrupted; a person decides", notification.pk)
            notification.status = Notification.Status.NEEDS_ATTENTION
            notification.last_error = IN_DOUBT
            notification.save(update_fields=["status", "last_error"])
            return notification
        log.info("notification %s: send interrupted; again with the same key", notification.pk)
    elif notification.status != Notification.Status.PENDING:
        return notification
    notification.status = Notification.Status.SENDING
    notification.attempts += 1
    notification.provider_key = notification.provider_key or f"relief-{uuid.uuid4().hex}"
    notification.attempted_at = timezone.now()
    notification.save(update_fields=["status", "attempts", "provider_key", "attempted_at"])
    return notification


@transaction.atomic
def delivery_attempt(*, claim: Notification, final_attempt: bool) -> tuple[str, str]:
    """Call the provider for a committed claim and record the outcome: (the row's status
    after it, the error if it may pass). The row stays locked while the provider works."""
    notification = locked(claim.pk)
    if (
        notification.status != Notification.Status.SENDING
        or notification.attempts != claim.attempts
    ):
        return notification.status, ""  # another delivery of the task took it over
    outcome = Notification.Status.SENT
    passing_error = ""
    try:
        notification_deliver(notification)
    except PermanentDeliveryError as exc:
        outcome = Notification.Status.FAILED
        notification.last_error = str(exc)[:2000]
    except Exception as exc:  # a provider's outage: retried with backoff by the task
        log.warning("notification %s failed: %s", notification.pk, exc)
        notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if final_attempt:
            outcome = Notification.Status.FAILED
        else:
            outcome, passing_error = Notification.Status.PENDING, notification.last_error
    if outcome == Notification.Status.SENT:
        notification.sent_at = timezone.now()
        notification.last_error = ""
    notification.status = outcome
    notification.save(update_fields=["last_error", "status", "sent_at"])
    return outcome, passing_error


@transaction.atomic
def delivery_settle(*, user, notification_id: int, delivered: bool) -> bool:
    """A person's answer for a message in doubt: the provider says it went out (`delivered`:
    marked sent) or that it did not (sent again, with the same key). False when the row no
    longer needs attention. Only who may settle messages may (403 otherwise)."""
    if not permissions.can_settle_messages(user):
        raise DomainError(NOT_ALLOWED_TO_SETTLE, code="forbidden", status=403)
    notification = Notification.objects.select_for_update().get(pk=notification_id)
    if notification.status != Notification.Status.NEEDS_ATTENTION:
        return False
    notification.last_error = ""
    if delivered:
        notification.status = Notification.Status.SENT
        notification.sent_at = timezone.now()
    else:
        notification.status = Notification.Status.PENDING
        notification_enqueue([notification.pk])
    notification.save(update_fields=["status", "sent_at", "last_error"])
    return True
