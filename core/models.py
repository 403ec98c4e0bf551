"""Records the site keeps for itself: idempotency keys of retried POST requests, sessions,
and the stamps that tell whether a kept page is still current."""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyKey(models.Model):
    """One `Idempotency-Key` a user sent, the request it came with and the answer given.

    Unique per (user, key): a retry with the same key and the same request gets the stored
    answer; the same key with another request is a conflict. The row is written in the same
    transaction as the change it answers for, so a failed request leaves no key behind.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(_("key"), max_length=255)
    request_hash = models.CharField(_("request hash"), max_length=64)
    # Empty only inside the transaction that claims the key and makes the change.
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)
    # The JSON text as first sent (text, not jsonb, so a replay keeps its key order).
    response_body = models.TextField(_("response body"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class Session(AbstractBaseSession):
    """A browser session, with the signed-in user as a column of its own.

    Django's own session table keeps the user only inside the signed session data. With the
    user beside it, a request reads its session, its user and the user's page stamps in one
    query (`core.sessions`), and a user's sessions go with the user.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "core_session"

    @classmethod
    def get_session_store_class(cls):
        from core.sessions import SessionStore

        return SessionStore


class PageStamp(models.Model):
    """A number that changes whenever something a user's pages show changes.

    `key` is a user's id, or 0 (`EVERYONE`) for what every borrower's pages show (loan products,
    the relief policy). PostgreSQL triggers set `version` to a new number from a sequence in
    the same transaction as the change (core migration 0002), so whatever writes the data — a
    service, the admin, the nightly jobs, a fix typed into psql — moves the stamp. Numbers are
    never reused, not even after a rollback: an answer kept under one stamp can only be
    served while that stamp is current (`core.pagecache`).
    """

    EVERYONE = 0

    key = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField()

    class Meta:
        verbose_name = _("page stamp")
        verbose_name_plural = _("page stamps")

    def __str__(self) -> str:
        return f"{self.key}:{self.version}"
