"""Records the site keeps for itself: idempotency keys of retried POST requests; and the
fields every versioned rule document shares (the relief policy, the risk model)."""

from django.conf import settings
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


class VersionedDocument(models.Model):
    """One version of a rule document kept as data (a JSON document checked whole by its
    app): drafts are edited, one version is active, active and retired versions never change.
    The apps' own models add their constraint of one active version and their permissions."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    version = models.PositiveIntegerField(_("version"), unique=True)
    document = models.JSONField(_("document"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} ({self.get_status_display()})"
