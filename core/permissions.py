"""What a person may do: the one place pages, the API, the admin and the services ask.

Each capability is a Django permission (`Meta.permissions` on the model it is about), so the
question is always `user.has_perm(...)`: superusers hold every permission, inactive accounts
none, and groups only bundle permissions (relief's roles migrations). No code outside those
migrations knows a group's name.

The permissions are named here as strings, not imported from the apps that declare them:
core imports no app.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.db.models import QuerySet

DECIDE_CASES = "relief.decide_reliefapplication"
SECOND_APPROVAL = "relief.second_approve_reliefapplication"
EXPORT_UNMASKED = "relief.export_unmasked"
DRAFT_POLICIES = ("relief.add_reliefpolicy", "relief.change_reliefpolicy")
ACTIVATE_POLICY = "relief.activate_reliefpolicy"
VIEW_OPS_REPORTS = "reports.view_ops_reports"
POST_SERVICING_DATA = "loans.post_servicing_data"
# Whoever may change a borrower sees the full phone number; everyone else sees it masked.
SEE_FULL_PHONES = "loans.change_borrower"
SETTLE_MESSAGES = "relief.settle_notification"
DRAFT_RISK_MODELS = ("risk.add_riskmodel", "risk.change_riskmodel")
ACTIVATE_RISK_MODEL = "risk.activate_riskmodel"

# The permissions that make a role (each one held by one group): the demo data and the
# benchmarks find a role's groups by these.
ROLE_PERMISSIONS = (
    DECIDE_CASES,
    SECOND_APPROVAL,
    ACTIVATE_POLICY,
    VIEW_OPS_REPORTS,
    POST_SERVICING_DATA,
)

# with_perm() needs the backend named when several are configured (django-axes is another).
PERMISSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _has(user, permission: str) -> bool:
    return bool(user is not None and user.has_perm(permission))


def can_decide_cases(user) -> bool:
    """Work the review queue: read cases and their evidence, claim, assign, verify evidence,
    approve, reject, ask the borrower for information (the review API and the admin)."""
    return _has(user, DECIDE_CASES)


def can_give_second_approval(user) -> bool:
    """Confirm or return a large or out-of-policy approval (four eyes)."""
    return _has(user, SECOND_APPROVAL)


def can_read_any_evidence(user) -> bool:
    """Download any borrower's evidence from the site: staff who decide cases. The staff flag
    is asked too because these are files of identity and illness; a decider's account that is
    not staff (never made by the roles) is kept to its own files."""
    return can_decide_cases(user) and (user.is_staff or user.is_superuser)


def can_draft_policies(user) -> bool:
    return bool(user is not None and user.has_perms(DRAFT_POLICIES))


def can_activate_policy(user) -> bool:
    return _has(user, ACTIVATE_POLICY)


def can_draft_risk_models(user) -> bool:
    """Write a new version of the early-warning risk model (a draft)."""
    return bool(user is not None and user.has_perms(DRAFT_RISK_MODELS))


def can_activate_risk_model(user) -> bool:
    return _has(user, ACTIVATE_RISK_MODEL)


def can_view_ops_reports(user) -> bool:
    """The ops dashboard, reports and exports (masked unless `can_export_unmasked`)."""
    return _has(user, VIEW_OPS_REPORTS)


def can_export_unmasked(user) -> bool:
    return _has(user, EXPORT_UNMASKED)


def can_see_full_phones(user) -> bool:
    """See borrowers' phone numbers unmasked, and search by part of one. Others see
    138****5678 and find a borrower by the whole number only: a part-number search would
    give the hidden digits away one at a time."""
    return _has(user, SEE_FULL_PHONES)


def can_post_servicing_data(user) -> bool:
    """The lender's core system: loans, borrowers and repayments through the servicing API."""
    return _has(user, POST_SERVICING_DATA)


def can_settle_messages(user) -> bool:
    """Mark an email or SMS whose delivery is in doubt sent, or send it again, after asking
    the provider (the admin's notification list; Ops)."""
    return _has(user, SETTLE_MESSAGES)


def users_with(permission: str) -> QuerySet:
    """Active accounts holding `permission` through a group or directly. Superusers are not
    counted in: they may do everything but are not given cases or told of breaches."""
    return get_user_model().objects.with_perm(
        permission, include_superusers=False, backend=PERMISSION_BACKEND
    )


def role_groups(capabilities: Iterable[str]) -> models.QuerySet[Group]:
    """The groups of the roles that give exactly these capabilities: every group granting one
    of them and none of the other roles' (ROLE_PERMISSIONS). So a reviewer joins the
    reviewers' group but not the seniors' (which also grants deciding), a senior both."""
    wanted = set(capabilities)
    withheld = set(ROLE_PERMISSIONS) - wanted
    return (
        Group.objects.filter(permissions__in=permission_rows(wanted))
        .exclude(permissions__in=permission_rows(withheld))
        .distinct()
    )


def permission_rows(codes: Iterable[str]) -> models.QuerySet[Permission]:
    """The permissions named "app_label.codename"."""
    matches = models.Q(pk__in=[])
    for code in codes:
        app_label, codename = code.split(".")
        matches |= models.Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(matches)
