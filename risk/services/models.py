"""Risk model versions (domain.md §10: the model is data, versioned like the policy): drafts
are written and checked whole; activating one retires the one before; active and retired
versions never change, so every score keeps the version it was given under.

Only policy admins change risk models: the admin checks the model permissions and these
services ask core.permissions (drafting: add and change; activating:
`risk.activate_riskmodel`).
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
from risk import rules
from risk.models import RiskModel

NOT_ALLOWED = _("Only policy admins can change the risk model.")
INVALID_DOCUMENT = _("The risk model document has problems; each is named by its field.")
NOT_A_DRAFT = _("Version %(version)s is %(status)s: only drafts can be changed.")
VERSION_TAKEN = _("Another draft was created at the same moment. Please try again.")


def risk_model_document_check(document: Any) -> rules.Scorecard:
    """The parsed model, or a DomainError whose `fields` name every problem by its path."""
    try:
        return rules.parse_scorecard(document)
    except rules.RiskModelError as exc:
        raise DomainError(
            INVALID_DOCUMENT,
            code="invalid_risk_model",
            fields={path: [problem] for path, problem in exc.errors.items()},
        ) from None


def _require(user, *, activating: bool = False) -> None:
    if user is None:
        return  # the system (scripts, migrations)
    allowed = (
        permissions.can_activate_risk_model if activating else permissions.can_draft_risk_models
    )
    if not allowed(user):
        raise DomainError(NOT_ALLOWED, code="forbidden", status=403)


@transaction.atomic
def risk_model_draft_create(
    *, document: dict[str, Any] | None = None, created_by, note: str = ""
) -> RiskModel:
    """A new draft with the next version number: `document`, else a copy of the active
    version's. Checked like any edit; `created_by` None is the system."""
    _require(created_by)
    if document is None:
        active = RiskModel.objects.get(status=RiskModel.Status.ACTIVE)
        document = active.document
        note = note or f"Copy of v{active.version}"
    document = copy.deepcopy(document)
    risk_model_document_check(document)
    # Two drafts at once would pick the same number: the unique version refuses the second,
    # which takes the next one (a savepoint keeps the transaction usable).
    for _attempt in range(3):
        version = (RiskModel.objects.aggregate(last=Max("version"))["last"] or 0) + 1
        try:
            with transaction.atomic():
                return RiskModel.objects.create(
                    version=version,
                    document=document,
                    note=(note or "").strip(),
                    created_by=created_by,
                )
        except IntegrityError:
            continue
    raise ConflictError(VERSION_TAKEN, code="version_taken")


def _locked_draft(model: RiskModel) -> RiskModel:
    locked = RiskModel.objects.select_for_update().get(pk=model.pk)
    if locked.status != RiskModel.Status.DRAFT:
        raise ConflictError(
            NOT_A_DRAFT % {"version": locked.version, "status": locked.get_status_display()},
            code="not_a_draft",
        )
    return locked


@transaction.atomic
def risk_model_draft_update(
    *, model: RiskModel, document: dict[str, Any], note: str | None = None, user
) -> RiskModel:
    """Replace a draft's document (and note), checked whole. Active and retired versions are
    refused: a change to them is a new draft."""
    _require(user)
    locked = _locked_draft(model)
    document = copy.deepcopy(document)
    risk_model_document_check(document)
    locked.document = document
    if note is not None:
        locked.note = note.strip()
    locked.save(update_fields=["document", "note"])
    return locked


@transaction.atomic
def risk_model_activate(*, model: RiskModel, user) -> RiskModel:
    """The draft becomes the active model and the one before it is retired, in one
    transaction. The nightly scoring uses it from then on (a new version also draws a new
    holdout); every stored score keeps the version it was given under."""
    _require(user, activating=True)
    # Lock every version in one order, so two activations queue instead of deadlocking.
    list(RiskModel.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    locked = _locked_draft(model)
    risk_model_document_check(locked.document)
    RiskModel.objects.filter(status=RiskModel.Status.ACTIVE).update(status=RiskModel.Status.RETIRED)
    locked.status = RiskModel.Status.ACTIVE
    locked.activated_by = user
    locked.activated_at = timezone.now()
    locked.save(update_fields=["status", "activated_by", "activated_at"])
    return locked
