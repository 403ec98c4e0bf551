"""The one error type services raise. Interfaces turn it into a page message or a JSON error."""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class DomainError(Exception):
    """A rule of the product refused an action; `message` is shown to the user as is.

    `code` is stable for programs, `status` is the HTTP status an API answers with,
    `fields` maps input fields to their problems.
    """

    default_code = "invalid"
    default_status = 400

    def __init__(
        self,
        message: Any,
        *,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
        status: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}
        self.status = status or self.default_status
        self.extra = extra or {}

    @classmethod
    def for_field(cls, field: str, message: Any, **kwargs: Any) -> "DomainError":
        """The error of one input field: the message is both the error's and the field's."""
        return cls(message, fields={field: [str(message)]}, **kwargs)

    @classmethod
    def from_validation_error(
        cls, error: ValidationError, *, prefix: str = "", **kwargs: Any
    ) -> "DomainError":
        """Django's `ValidationError` (from a model's `full_clean()`) as the domain error, so
        that one handler answers both. Field names get `prefix` (`borrower.` for the fields
        of a nested object); the first message is the error's message."""
        if hasattr(error, "error_dict"):
            fields = {
                (prefix.rstrip(".") or NON_FIELD_ERRORS)
                if name == NON_FIELD_ERRORS
                else f"{prefix}{name}": [str(message) for message in messages]
                for name, messages in error.message_dict.items()
            }
        else:
            fields = {prefix.rstrip(".") or NON_FIELD_ERRORS: [str(m) for m in error.messages]}
        first = next(iter(fields.values()))[0]
        return cls(first, fields=fields, **kwargs)


class TemporaryFailure(Exception):
    """An outside system failed in a way that may pass (a mail server away). The service has
    recorded the attempt; the task that called it retries (`autoretry_for`)."""


class ConflictError(DomainError):
    """The action clashes with the current state (a stale version, a duplicate, a transition)."""

    default_code = "conflict"
    default_status = 409
