"""Signing in on the site's form: each person lands on the page of their work.

A safe `next` (Django's LoginView checks it is on this host) still wins; without one, ops go
to their dashboard, reviewers and other staff to the admin, borrowers to their loans. A `next`
of the site's front page counts as none: it is where anyone who opens the bare address is sent
back to, not a page they chose.
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.shortcuts import resolve_url

from core import permissions
from core.signin import SignInForm


def home_of(user) -> str:
    """The page a person's work starts on."""
    if permissions.can_decide_cases(user) or user.is_superuser:
        return resolve_url("admin:index")
    if permissions.can_view_ops_reports(user):
        return resolve_url("ops-dashboard")
    if user.is_staff:
        return resolve_url("admin:index")
    return resolve_url("dashboard")


class LoginView(auth_views.LoginView):
    authentication_form = SignInForm  # rate-limited (core.throttles)

    def get_redirect_url(self) -> str:
        # "" when `next` is absent or unsafe; then get_default_redirect_url answers.
        wanted = super().get_redirect_url()
        return "" if wanted == resolve_url("dashboard") else wanted

    def get_default_redirect_url(self) -> str:
        return home_of(self.request.user)
