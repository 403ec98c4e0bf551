"""Notifications: written in the transaction of the change they report, sent after commit.

In-app messages are visible at once. Email or SMS (the borrower's preference) is sent by a
task with retries, once (relief.services.delivery); a permanent failure marks the row failed
and never blocks the workflow.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from core import publishing
from loans.models import mask_phone
from relief import tasks
from relief.models import ApplicationEvent, Notification

log = logging.getLogger(__name__)


def notification_enqueue(notification_ids: list[int]) -> None:
    """Send the external channels after the transaction commits (never before: a rolled
    back change must not be announced). A broker outage only delays: the sweeper re-sends."""
    for notification_id in notification_ids:
        publishing.publish_on_commit(
            tasks.send_notification, notification_id, what=f"notification {notification_id}"
        )


def notify(
    *,
    recipient,
    kind: str,
    language: str,
    channel_preference: str | None,
    context: dict,
    application=None,
    event: ApplicationEvent | None = None,
    dedup_key: str = "",
    link: str = "",
    event_is_new: bool = False,
) -> list[Notification]:
    """Write one in-app row and one row on the preferred external channel, once.

    Title and body are rendered now from `templates/notifications/<kind>.txt` (first line the
    title, the rest the body): in the recipient's language for the email or SMS, and in every
    language of the site for the app, which shows the reader's (`Notification.shown_title`).
    The figures are those of the moment it is sent, whatever the language.
    `event_is_new`: the event was written in this transaction, so nothing can have been
    written for it yet (the rows are inserted without a savepoint to fall back on).
    """
    texts = {code: notification_text(kind, context, code) for code, _name in settings.LANGUAGES}
    sent = texts.get(language) or notification_text(kind, context, language)
    title, body = sent["title"], sent["body"]
    channels = [Notification.Channel.IN_APP]
    if channel_preference in (Notification.Channel.EMAIL, Notification.Channel.SMS):
        channels.append(channel_preference)
    now = timezone.now()
    rows = [
        Notification(
            recipient=recipient,
            application=application,
            event=event,
            kind=kind,
            channel=channel,
            title=title,
            body=body,
            texts=texts,
            link=link,
            dedup_key=dedup_key,
            status=Notification.Status.SENT
            if channel == Notification.Channel.IN_APP
            else Notification.Status.PENDING,
            sent_at=now if channel == Notification.Channel.IN_APP else None,
        )
        for channel in channels
    ]
    created = notifications_insert(rows, may_exist=not event_is_new or bool(dedup_key))
    notification_enqueue([n.pk for n in created if n.channel != Notification.Channel.IN_APP])
    return created


def notification_text(kind: str, context: dict, language: str) -> dict[str, str]:
    """A notification's title and body in one language."""
    with translation.override(language):
        text = render_to_string(f"notifications/{kind}.txt", context).strip()
    title, _, body = text.partition("\n")
    return {"title": title.strip()[:200], "body": body.strip()}


def notifications_insert(rows: list[Notification], *, may_exist: bool) -> list[Notification]:
    """Insert the rows not written yet for their event or key (exactly once).

    All in one INSERT, the usual case. When some may exist already (`may_exist`), in a
    savepoint so that a duplicate never breaks the caller's transaction, and on a duplicate
    each on its own, skipping the ones written before."""
    if connection.features.can_return_rows_from_bulk_insert:
        if not may_exist:
            return Notification.objects.bulk_create(rows)
        try:
            with transaction.atomic():
                return Notification.objects.bulk_create(rows)
        except IntegrityError:
            for row in rows:
                row.pk = None
    created = []
    for row in rows:
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            # Already written for this event or key: exactly once.
            row.pk = None
            continue
        created.append(row)
    return created


class SmsBackend:
    """The interface an SMS provider implements: `send(phone, text, client_reference=...)`;
    raise on failure, `PermanentSmsError` for failures a retry cannot fix (a bad number).

    `client_reference` is the message's idempotency key, the same on every attempt. A backend
    whose provider sends a reference it has seen only once says so with `deduplicates = True`:
    a send interrupted before its outcome was recorded is then tried again with the same
    reference; otherwise a person decides (relief.services.delivery)."""

    deduplicates = False

    def send(self, phone: str, text: str, *, client_reference: str) -> None:  # pragma: no cover
        raise NotImplementedError


class PermanentSmsError(Exception):
    pass


class LogSmsBackend(SmsBackend):
    """Writes messages to the log: the default until a provider is configured."""

    def send(self, phone: str, text: str, *, client_reference: str) -> None:
        if not phone:
            raise PermanentSmsError("no phone number on file")
        # The log is read by more people than the borrower's file: no full phone number.
        log.info("SMS to %s [%s]: %s", mask_phone(phone), client_reference, text)


def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def notification_mark_read(*, user, notification_id: int) -> Notification:
    notification = Notification.objects.get(
        pk=notification_id, recipient=user, channel=Notification.Channel.IN_APP
    )
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, user) -> int:
    """Mark every unread in-app message of `user` read; returns how many were."""
    return Notification.objects.filter(
        recipient=user, channel=Notification.Channel.IN_APP, read_at__isnull=True
    ).update(read_at=timezone.now())
