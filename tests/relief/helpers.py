"""Helpers for relief tests: a submitted (and triaged) application in one call, staff
accounts in the roles' groups, and restoring what the migrations seed after a flush."""

from __future__ import annotations

import importlib
from datetime import date

from django.apps import apps as django_apps

from loans.models import Borrower
from loans.selectors import local_today
from relief.models import ReliefApplication, ReliefPolicy
from relief.services import relief_application_submit, relief_application_triage
from tests.factories import BorrowerFactory, UserFactory, overdue_loan

_UNSET = object()


def submitted_application(
    borrower: Borrower | None = None,
    *,
    today: date | None = None,
    days: int = 20,
    reason: str = "serious_illness",
    description: str = "",
    triage: bool = True,
    assign_to=_UNSET,
    loan=None,
    **loan_fields,
) -> ReliefApplication:
    """An application on a fresh overdue loan (tests.factories.overdue_loan: 2,000.00 due
    `days` ago), submitted by its borrower and, unless `triage=False`, triaged.

    Triage normally runs after commit; inside a test transaction it is called here directly
    (it is idempotent, so a triage that already ran eagerly changes nothing). Triage assigns
    the case to a reviewer if one exists; `assign_to` (a user or None) overrides that.
    """
    today = today or local_today()
    borrower = borrower or BorrowerFactory()
    loan = loan or overdue_loan(borrower, today=today, days=days, **loan_fields)
    application = relief_application_submit(
        loan=loan, reason=reason, description=description, submitted_by=borrower.user
    )
    if triage:
        relief_application_triage(application_id=application.pk)
    if assign_to is not _UNSET:
        ReliefApplication.objects.filter(pk=application.pk).update(assigned_to=assign_to)
    application.refresh_from_db()
    return application


def staff_user(username: str, *groups: str, is_staff: bool = True, **fields):
    return UserFactory(username=username, is_staff=is_staff, groups=list(groups), **fields)


def restore_seeded_data() -> None:
    """What the migrations seed (policies v1 and v2, risk model v1, the roles' groups and their
    permissions), back after a transactional test's flush emptied the tables."""
    policy_v1 = importlib.import_module("relief.migrations.0002_policy_v1")
    roles = importlib.import_module("relief.migrations.0008_role_permissions")
    if not ReliefPolicy.objects.filter(status=ReliefPolicy.Status.ACTIVE).exists():
        policy_v1.create_v1(django_apps, None)
        # And version 2 with arrangements over it, as the migrations leave them.
        importlib.import_module("relief.migrations.0020_policy_v2_arrangements").create_v2(
            django_apps, None
        )
    importlib.import_module("risk.migrations.0002_risk_model_v1").create_v1(django_apps, None)
    roles.roles_set(django_apps, None)
    settling = importlib.import_module("relief.migrations.0012_notification_send_once")
    settling.settle_permission_give(django_apps, None)
    articles = importlib.import_module("relief.migrations.0016_ops_edit_articles")
    articles.articles_permission_give(django_apps, None)
    risk_roles = importlib.import_module("risk.migrations.0003_role_permissions")
    risk_roles.risk_permissions_give(django_apps, None)
    satisfaction = importlib.import_module("relief.migrations.0023_ops_view_satisfaction")
    satisfaction.satisfaction_view_give(django_apps, None)


def policy_activated(draft, *, requested_by, confirmed_by):
    """Activate a draft the four-eyes way: one policy admin requests, another confirms."""
    from relief.services.policies import policy_activate, policy_activation_request

    policy_activation_request(policy=draft, user=requested_by)
    return policy_activate(policy=draft, user=confirmed_by)
