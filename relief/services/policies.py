"""Policy versions: drafts are written, checked whole and activated; active and retired
versions never change (domain.md §6: "editing one makes a new version"). Activation takes
two policy admins: one requests it, a different one confirms (four eyes, each step an event).

Only policy admins change policies: the admin checks the model permissions and these services
ask core.permissions (drafting: add and change; activating: `relief.activate_reliefpolicy`).
"""

from __future__ import annotations

import copy
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.errors import ConflictError, DomainError
from relief import rules
from relief.models import PolicyEvent, ReliefPolicy

NOT_A_POLICY_ADMIN = _("Only policy admins can change relief policies.")
INVALID_DOCUMENT = _("The policy document has problems; each is named by its field.")
NOT_A_DRAFT = _("Version %(version)s is %(status)s: only drafts can be changed.")
ALREADY_ACTIVE = _("Version %(version)s is already the active policy.")
NOTE_TOO_LONG = _("Please keep the note under 2,000 characters.")
VERSION_TAKEN = _("Another draft was created at the same moment. Please try again.")
NOT_REQUESTED = _(
    "Activating v%(version)s needs two policy admins: request it first, then another policy "
    "admin confirms."
)
ALREADY_REQUESTED = _(
    "Activation of v%(version)s was already requested by %(who)s; another policy admin must "
    "confirm it."
)
SAME_ADMIN = _(
    "You requested the activation of v%(version)s: a different policy admin must confirm it."
)


def require_policy_admin(user, *, activating: bool = False) -> None:
    allowed = permissions.can_activate_policy if activating else permissions.can_draft_policies
    if not allowed(user):
        raise DomainError(NOT_A_POLICY_ADMIN, code="forbidden", status=403)


def policy_document_check(document: Any) -> rules.Policy:
    """The parsed policy, or a DomainError whose `fields` name every problem by its path
    ("dpd_bands[2].min", "four_eyes.amount_over", …)."""
    try:
        return rules.parse_policy(document)
    except rules.PolicyError as exc:
        raise DomainError(
            INVALID_DOCUMENT,
            code="invalid_policy",
            fields={path: [problem] for path, problem in exc.errors.items()},
        ) from None


def _clean_note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > 2000:
        raise DomainError.for_field("note", NOTE_TOO_LONG)
    return note


@transaction.atomic
def policy_draft_create(
    *,
    based_on: ReliefPolicy | None = None,
    document: dict[str, Any] | None = None,
    created_by,
    note: str = "",
) -> ReliefPolicy:
    """A new draft with the next version number: `document` if given, else a copy of
    `based_on`'s document, else a copy of the active policy's. Checked like any edit.

    `created_by` None is the system (scripts); a person must be a policy admin.
    """
    if created_by is not None:
        require_policy_admin(created_by)
    note = _clean_note(note)
    if document is None:
        source = based_on or ReliefPolicy.objects.get(status=ReliefPolicy.Status.ACTIVE)
        document = source.document
        if not note:
            note = f"Copy of v{source.version}"
    document = copy.deepcopy(document)
    policy_document_check(document)
    # Two drafts created at once would pick the same number: the unique version refuses the
    # second, which then takes the number after (a savepoint keeps the transaction usable).
    for _attempt in range(3):
        version = (ReliefPolicy.objects.aggregate(last=Max("version"))["last"] or 0) + 1
        try:
            with transaction.atomic():
                return ReliefPolicy.objects.create(
                    version=version,
                    document=document,
                    status=ReliefPolicy.Status.DRAFT,
                    note=note,
                    created_by=created_by,
                )
        except IntegrityError:
            continue
    raise ConflictError(VERSION_TAKEN, code="version_taken")


def _lock(policy: ReliefPolicy) -> ReliefPolicy:
    return ReliefPolicy.objects.select_for_update().get(pk=policy.pk)


@transaction.atomic
def policy_draft_update(
    *, policy: ReliefPolicy, document: dict[str, Any], note: str | None = None, user
) -> ReliefPolicy:
    """Replace a draft's document (and note). The whole document is checked; any problem
    rejects it with every problem named by its field path. Active and retired versions are
    refused: copy them to a new draft instead."""
    require_policy_admin(user)
    locked = _lock(policy)
    if locked.status != ReliefPolicy.Status.DRAFT:
        raise ConflictError(
            NOT_A_DRAFT % {"version": locked.version, "status": locked.get_status_display()},
            code="not_a_draft",
        )
    document = copy.deepcopy(document)
    policy_document_check(document)
    locked.document = document
    fields = ["document"]
    if locked.activation_requested_by_id is not None:
        # The confirmation must be of the document that was asked for: an edit withdraws it.
        _request_withdraw(locked, user, note="the draft was edited")
        fields += ["activation_requested_by", "activation_requested_at"]
    if note is not None:
        locked.note = _clean_note(note)
        fields.append("note")
    locked.save(update_fields=fields)
    return locked


def _lock_draft(policy: ReliefPolicy) -> ReliefPolicy:
    locked = _lock(policy)
    if locked.status == ReliefPolicy.Status.ACTIVE:
        raise ConflictError(ALREADY_ACTIVE % {"version": locked.version}, code="already_active")
    if locked.status != ReliefPolicy.Status.DRAFT:
        raise ConflictError(
            NOT_A_DRAFT % {"version": locked.version, "status": locked.get_status_display()},
            code="not_a_draft",
        )
    return locked


def _request_withdraw(locked: ReliefPolicy, user, *, note: str) -> None:
    locked.activation_requested_by = None
    locked.activation_requested_at = None
    PolicyEvent.objects.create(
        policy=locked, action=PolicyEvent.Action.ACTIVATION_WITHDRAWN, actor=user, note=note
    )


@transaction.atomic
def policy_activation_request(*, policy: ReliefPolicy, user, note: str = "") -> ReliefPolicy:
    """The first of the four eyes: a policy admin asks for a checked draft to be activated.
    Nothing changes for applications until a different policy admin confirms
    (`policy_activate`)."""
    require_policy_admin(user, activating=True)
    note = _clean_note(note)
    locked = _lock_draft(policy)
    if locked.activation_requested_by_id is not None:
        who = locked.activation_requested_by.get_username()
        raise ConflictError(
            ALREADY_REQUESTED % {"version": locked.version, "who": who},
            code="activation_already_requested",
        )
    policy_document_check(locked.document)
    locked.activation_requested_by = user
    locked.activation_requested_at = timezone.now()
    locked.save(update_fields=["activation_requested_by", "activation_requested_at"])
    PolicyEvent.objects.create(
        policy=locked, action=PolicyEvent.Action.ACTIVATION_REQUESTED, actor=user, note=note
    )
    return locked


@transaction.atomic
def policy_activation_withdraw(*, policy: ReliefPolicy, user) -> ReliefPolicy:
    """Take back a pending request (any policy admin may)."""
    require_policy_admin(user, activating=True)
    locked = _lock_draft(policy)
    if locked.activation_requested_by_id is None:
        raise ConflictError(
            NOT_REQUESTED % {"version": locked.version}, code="activation_not_requested"
        )
    _request_withdraw(locked, user, note="")
    locked.save(update_fields=["activation_requested_by", "activation_requested_at"])
    return locked


@transaction.atomic
def policy_activate(*, policy: ReliefPolicy, user) -> ReliefPolicy:
    """The second of the four eyes: a policy admin other than the one who asked confirms, and
    the draft becomes the active policy, the one before it retired, in one transaction.

    New applications are scored under it from the commit on; every application keeps the
    version it was scored with. Two activations at once queue on the lock (the later one
    wins, retiring the earlier); the `one_active_policy` constraint backs that up.
    """
    require_policy_admin(user, activating=True)
    # Lock every policy row in one order, so two activations queue instead of deadlocking.
    list(ReliefPolicy.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    locked = _lock_draft(policy)
    if locked.activation_requested_by_id is None:
        raise ConflictError(
            NOT_REQUESTED % {"version": locked.version}, code="activation_not_requested"
        )
    if locked.activation_requested_by_id == user.pk:
        raise ConflictError(SAME_ADMIN % {"version": locked.version}, code="same_policy_admin")
    policy_document_check(locked.document)
    # Retire first: the partial unique index is checked statement by statement.
    ReliefPolicy.objects.filter(status=ReliefPolicy.Status.ACTIVE).update(
        status=ReliefPolicy.Status.RETIRED
    )
    locked.status = ReliefPolicy.Status.ACTIVE
    locked.activated_by = user
    locked.activated_at = timezone.now()
    locked.save(update_fields=["status", "activated_by", "activated_at"])
    PolicyEvent.objects.create(
        policy=locked,
        action=PolicyEvent.Action.ACTIVATED,
        actor=user,
        note=f"requested by {locked.activation_requested_by.get_username()}",
    )
    return locked


__all__ = [
    "policy_activate",
    "policy_activation_request",
    "policy_activation_withdraw",
    "policy_document_check",
    "policy_draft_create",
    "policy_draft_update",
]
