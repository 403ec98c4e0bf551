"""The borrower's own choices: the language and channel of her messages, and whether she
hears from us before an installment falls due (domain.md §10, "Outreach")."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from loans.models import Borrower

UNKNOWN_LANGUAGE = _("Choose Chinese or English.")
UNKNOWN_CHANNEL = _("Choose SMS or email.")
NO_PHONE = _("We have no mobile number for you, so we cannot send SMS. Choose email.")
NO_EMAIL = _("We have no email address for you, so we cannot send email. Choose SMS.")


@transaction.atomic
def borrower_preferences_update(
    *,
    borrower_id: int,
    language: str | None = None,
    channel: str | None = None,
    outreach_opt_out: bool | None = None,
) -> Borrower:
    """Change the given preferences (None leaves one as it is) and return the borrower.

    A channel is accepted only when we hold the address it needs (a phone for SMS, an email
    address for email): a choice we cannot honour would silently lose her messages.
    """
    borrower = Borrower.objects.select_for_update().select_related("user").get(pk=borrower_id)
    if language is not None and language not in Borrower.Language.values:
        raise DomainError.for_field("language", UNKNOWN_LANGUAGE)
    if channel is not None:
        if channel not in Borrower.Channel.values:
            raise DomainError.for_field("channel", UNKNOWN_CHANNEL)
        if channel == Borrower.Channel.SMS and not borrower.phone.strip():
            raise DomainError.for_field("channel", NO_PHONE)
        if channel == Borrower.Channel.EMAIL and not borrower.user.email.strip():
            raise DomainError.for_field("channel", NO_EMAIL)
    changed = []
    for field, value in (
        ("language", language),
        ("notification_channel", channel),
        ("outreach_opt_out", outreach_opt_out),
    ):
        if value is not None and getattr(borrower, field) != value:
            setattr(borrower, field, value)
            changed.append(field)
    if changed:
        borrower.save(update_fields=changed)
    return borrower
