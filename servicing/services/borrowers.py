"""Borrowers sent by the core system: checked by the models' own rules, created or updated."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from core.errors import ConflictError, DomainError
from loans.models import Borrower

USERNAME_TAKEN = _("The username %(username)s belongs to another account.")


@dataclass(frozen=True)
class BorrowerData:
    external_id: str
    username: str
    name: str
    phone: str = ""
    language: str = Borrower.Language.ZH_HANS


def model_clean(instance: models.Model, *, exclude: list[str], prefix: str = "") -> None:
    """Check `instance` by its model's field rules (lengths, choices, validators) and raise
    the domain error naming the input fields. Uniqueness is the upsert's business: an
    existing external id is replaced, a taken username is a conflict, not bad input."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise DomainError.from_validation_error(error, prefix=prefix) from None


def borrower_clean(data: BorrowerData) -> BorrowerData:
    """The borrower's data trimmed, or a `DomainError` naming `borrower.<field>`."""
    cleaned = BorrowerData(
        external_id=(data.external_id or "").strip(),
        username=(data.username or "").strip(),
        name=(data.name or "").strip(),
        phone=(data.phone or "").strip(),
        language=data.language,
    )
    # The account has no password yet: only its username is the core system's to send.
    model_clean(
        get_user_model()(username=cleaned.username), exclude=["password"], prefix="borrower."
    )
    model_clean(
        Borrower(
            external_id=cleaned.external_id,
            name=cleaned.name,
            phone=cleaned.phone,
            language=cleaned.language,
        ),
        exclude=["user"],
        prefix="borrower.",
    )
    return cleaned


def borrower_upsert(data: BorrowerData) -> Borrower:
    """The borrower with this external id, created (with an account that has no usable
    password) when new, else with name, phone and language brought up to date.

    The username is set when the account is made and not changed later: a person's sign-in
    name must not change under them because another system renamed it.
    """
    User = get_user_model()
    borrower = Borrower.objects.select_for_update().filter(external_id=data.external_id).first()
    if borrower is None and User.objects.filter(username=data.username).exists():
        # Either another account holds the name, or the same borrower was just made by the
        # same request sent twice at once (committed between the two reads above).
        borrower = Borrower.objects.select_for_update().filter(external_id=data.external_id).first()
        if borrower is None:
            raise ConflictError.for_field(
                "borrower.username",
                USERNAME_TAKEN % {"username": data.username},
                code="username_taken",
            )
    if borrower is None:
        try:
            with transaction.atomic():
                user = User(username=data.username)
                user.set_unusable_password()
                user.save()
                return Borrower.objects.create(
                    user=user,
                    external_id=data.external_id,
                    name=data.name,
                    phone=data.phone,
                    language=data.language,
                )
        except IntegrityError:
            # The same borrower sent twice at once: the other request made them.
            borrower = (
                Borrower.objects.select_for_update().filter(external_id=data.external_id).first()
            )
            if borrower is None:
                raise ConflictError(
                    USERNAME_TAKEN % {"username": data.username}, code="username_taken"
                ) from None
    changed = {
        field: value
        for field, value in (
            ("name", data.name),
            ("phone", data.phone),
            ("language", data.language),
        )
        if getattr(borrower, field) != value
    }
    if changed:
        for field, value in changed.items():
            setattr(borrower, field, value)
        borrower.save(update_fields=list(changed))
    return borrower
