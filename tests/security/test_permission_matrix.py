"""Who gets what from every URL of the project: each role against each page, API endpoint and
admin view, with real objects in the path (alice's loan, case, evidence, notification; a draft
policy; the ops user's export).

The URLs are read from the resolver, so a new URL without a row here fails
`test_every_url_has_a_row`. The admin's many model URLs are a table per model (who may open
the list, the add form, an object's history, delete and change pages), checked against the
models registered with the admin; its site views and our custom views have rows of their own.

Columns, in order: anonymous, owner (alice), other borrower (bob), reviewer, senior, ops,
policy admin, servicing. `LOGIN` is a redirect to the sign-in page, `ADMIN_LOGIN` to the
admin's, `REDIRECT` any other redirect (a page done with its work). A borrower's object is a
404 for everybody else (never a 403 that would confirm it exists).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from rest_framework.authtoken.models import Token

from relief.models import ReliefApplication
from tests.security.conftest import ROLES, World, api_client, page_client

pytestmark = pytest.mark.django_db

LOGIN = "login"
ADMIN_LOGIN = "admin login"
REDIRECT = "redirect"


def row(anonymous, owner, other, reviewer, senior, ops, policy, servicing) -> dict:
    return dict(
        zip(ROLES, (anonymous, owner, other, reviewer, senior, ops, policy, servicing), strict=True)
    )


@dataclass(frozen=True)
class Call:
    method: str
    expected: dict
    url: str | None = None  # when the route is a regular expression
    data: dict | None = None


# --- pages and API: every route of config/urls.py outside the admin -------------------------

#                     anonymous  owner other reviewer senior ops  policy servicing
BORROWER_PAGE = row(LOGIN, 200, 404, 404, 404, 404, 404, 404)
SIGNED_IN_PAGE = row(LOGIN, 200, 200, 200, 200, 200, 200, 200)
OPS_PAGE = row(LOGIN, 403, 403, 403, 403, 200, 403, 403)
EVERYONE = row(200, 200, 200, 200, 200, 200, 200, 200)
BORROWER_API = row(401, 200, 404, 403, 403, 403, 403, 403)
BORROWER_LIST_API = row(401, 200, 200, 403, 403, 403, 403, 403)
# A borrower's move sent with version 0: the owner reaches the input check (400).
BORROWER_MOVE_API = row(401, 400, 404, 403, 403, 403, 403, 403)
REVIEWER_API = row(401, 403, 403, 200, 200, 403, 403, 403)
OPS_API = row(401, 403, 403, 403, 403, 200, 403, 403)
SERVICING_API = row(401, 403, 403, 403, 403, 403, 403, 400)
BAD_VERSION = {"version": 0}
# A borrower's own settings (bob has his); anyone without a borrower profile has none.
OWN_SETTINGS_PAGE = row(LOGIN, 200, 200, 404, 404, 404, 404, 404)
OWN_SETTINGS_API = row(401, 200, 200, 403, 403, 403, 403, 403)
SIGNED_IN_API = row(401, 200, 200, 200, 200, 200, 200, 200)

ROUTES: dict[str, list[Call]] = {
    "accounts/login/": [Call("GET", EVERYONE)],
    "accounts/logout/": [
        Call("GET", row(405, 405, 405, 405, 405, 405, 405, 405)),
        Call("POST", row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)),
    ],
    "i18n/setlang/": [Call("POST", row(*[REDIRECT] * 8), data={"language": "en"})],
    "healthz": [Call("GET", EVERYONE)],
    "": [Call("GET", SIGNED_IN_PAGE)],
    "loans/<int:loan_id>/": [Call("GET", BORROWER_PAGE)],
    "loans/<int:loan_id>/quote/": [Call("GET", BORROWER_PAGE)],
    "loans/<int:loan_id>/apply/": [
        Call("GET", BORROWER_PAGE),
        # No reason chosen: the owner's form comes back with the error, nothing made.
        Call("POST", BORROWER_PAGE, data={"reason": ""}),
    ],
    "loans/<int:loan_id>/options/": [
        Call("GET", BORROWER_PAGE),
        # No option chosen: the owner's page comes back with the error, nothing made.
        Call("POST", BORROWER_PAGE, data={"reason": "accident"}),
    ],
    "applications/": [Call("GET", SIGNED_IN_PAGE)],
    "applications/<int:application_id>/": [Call("GET", BORROWER_PAGE)],
    "applications/<int:application_id>/evidence/<int:evidence_id>/": [
        # Reviewers read any case's files (the admin links them); nobody else's but the owner.
        Call("GET", row(LOGIN, 200, 404, 200, 200, 404, 404, 404)),
    ],
    "applications/<int:application_id>/<slug:action>/": [
        Call("GET", row(LOGIN, 405, 405, 405, 405, 405, 405, 405)),
        # Without the page's version: the owner is sent back to the case, nothing changed.
        Call("POST", row(LOGIN, REDIRECT, 404, 404, 404, 404, 404, 404)),
    ],
    "applications/<int:application_id>/satisfaction/": [
        Call("GET", row(LOGIN, 405, 405, 405, 405, 405, 405, 405)),
        # No score: the owner gets her case back with the error (it is not decided yet).
        Call("POST", row(LOGIN, 200, 404, 404, 404, 404, 404, 404)),
    ],
    "notifications/": [Call("GET", SIGNED_IN_PAGE)],
    "learn/": [Call("GET", SIGNED_IN_PAGE)],
    "learn/<slug:slug>/": [Call("GET", SIGNED_IN_PAGE)],
    "settings/": [
        Call("GET", OWN_SETTINGS_PAGE),
        # Nothing chosen: the form comes back with the errors, nothing saved.
        Call("POST", OWN_SETTINGS_PAGE),
    ],
    "notifications/read-all/": [
        Call(
            "POST", row(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
        )
    ],
    "notifications/<int:notification_id>/read/": [
        Call("POST", row(LOGIN, REDIRECT, 404, 404, 404, 404, 404, 404))
    ],
    "ops/": [Call("GET", OPS_PAGE)],
    "ops/exports/": [Call("GET", OPS_PAGE)],
    "ops/exports/<int:export_id>/": [Call("GET", OPS_PAGE)],
    "ops/exports/<int:export_id>/download/<str:token>/": [Call("GET", OPS_PAGE)],
    # The API: JSON errors; 401 when not signed in (WWW-Authenticate: Token).
    "api/v1/auth/token/": [Call("POST", row(*[400] * 8), data={})],
    "api/v1/loans/": [Call("GET", BORROWER_LIST_API)],
    "api/v1/loans/<int:loan_id>/": [Call("GET", BORROWER_API)],
    "api/v1/loans/<int:loan_id>/relief-quote/": [
        Call("GET", BORROWER_API, data={"reason": "other"})
    ],
    "api/v1/loans/<int:loan_id>/arrangement-quote/": [
        Call("GET", BORROWER_API, data={"reason": "other"})
    ],
    "api/v1/relief-applications/": [
        Call("GET", BORROWER_LIST_API),
        Call("POST", row(401, 400, 400, 403, 403, 403, 403, 403), data={}),
    ],
    "api/v1/relief-applications/<int:application_id>/": [Call("GET", BORROWER_API)],
    "api/v1/relief-applications/<int:application_id>/evidence/": [
        Call("POST", BORROWER_MOVE_API, data={})
    ],
    "api/v1/relief-applications/<int:application_id>/withdraw/": [
        Call("POST", BORROWER_MOVE_API, data=BAD_VERSION)
    ],
    "api/v1/relief-applications/<int:application_id>/accept/": [
        Call("POST", BORROWER_MOVE_API, data=BAD_VERSION)
    ],
    "api/v1/relief-applications/<int:application_id>/decline/": [
        Call("POST", BORROWER_MOVE_API, data=BAD_VERSION)
    ],
    "api/v1/relief-applications/<int:application_id>/answer/": [
        Call("POST", BORROWER_MOVE_API, data=BAD_VERSION)
    ],
    "api/v1/relief-applications/<int:application_id>/satisfaction/": [
        Call("POST", BORROWER_MOVE_API, data={})
    ],
    "api/v1/notifications/": [Call("GET", SIGNED_IN_API)],
    "api/v1/me/preferences/": [
        Call("GET", OWN_SETTINGS_API),
        Call("PATCH", row(401, 400, 400, 403, 403, 403, 403, 403), data={"language": "fr"}),
    ],
    "api/v1/articles/": [Call("GET", SIGNED_IN_API)],
    "api/v1/articles/<slug:slug>/": [Call("GET", SIGNED_IN_API)],
    "api/v1/notifications/<int:notification_id>/read/": [
        Call("POST", row(401, 200, 404, 404, 404, 404, 404, 404), data={})
    ],
    "api/v1/review/queue/": [Call("GET", REVIEWER_API)],
    "api/v1/review/applications/<int:application_id>/": [Call("GET", REVIEWER_API)],
    "api/v1/review/applications/<int:application_id>/decide/": [
        Call("POST", row(401, 403, 403, 400, 400, 403, 403, 403), data={})
    ],
    "api/v1/servicing/loans/<str:external_id>/": [Call("PUT", SERVICING_API, data={})],
    "api/v1/servicing/repayments/": [Call("POST", SERVICING_API, data={})],
    "api/v1/reports/<str:name>/": [Call("GET", OPS_API)],
    "api/v1/reports/exports/<int:export_id>/": [Call("GET", OPS_API)],
    "api/v1/reports/exports/<int:export_id>/file/": [Call("GET", OPS_API)],
    "api/v1/risk/loans/": [Call("GET", OPS_API)],
    "api/schema/": [Call("GET", EVERYONE)],
    "api/docs/": [Call("GET", EVERYONE)],
    "api/^.*$": [Call("GET", row(*[404] * 8), url="/api/v1/no-such-endpoint/")],
}


def routes(patterns, prefix: str = "") -> list[str]:
    """Every route below `patterns` as one string, the admin's left out (tables below)."""
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            found += routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            found.append(prefix + str(pattern.pattern))
    return found


def fill(route: str, values: dict) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), route)


def outcome(response) -> int | str:
    """The status, or what kind of redirect it is."""
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith("/admin/login/"):
        return ADMIN_LOGIN
    if location.startswith("/accounts/login/"):
        return LOGIN
    return REDIRECT


def send(user, call: Call, url: str):
    if url.startswith("/api/"):
        client = api_client(user)
        fmt = "multipart" if url.endswith("/evidence/") else "json"
        if call.method == "GET":
            return client.get(url, call.data or {})
        return getattr(client, call.method.lower())(url, call.data or {}, format=fmt)
    client = page_client(user)
    return getattr(client, call.method.lower())(url, call.data or {})


def check(people: dict, call: Call, url: str) -> dict:
    """{role: (expected, got)} for the roles that did not get what the table says."""
    wrong = {}
    for role in ROLES:
        got = outcome(send(people[role], call, url))
        if got != call.expected[role]:
            wrong[role] = (call.expected[role], got)
    return wrong


def test_every_url_has_a_row():
    found = set(routes(get_resolver().url_patterns))
    assert found - set(ROUTES) == set(), "URLs without a row in the permission matrix"
    assert set(ROUTES) - found == set(), "rows for URLs that no longer exist"


@pytest.mark.parametrize("route", ROUTES)
def test_each_role_gets_what_the_matrix_says(route, world: World, people):
    for call in ROUTES[route]:
        url = call.url or fill(route, world.kwargs())
        # (The resolver reports a regular expression without its "^".)
        assert resolve(url).route == route.replace("^", ""), url
        assert check(people, call, url) == {}, f"{call.method} {url}"


def test_the_owner_really_gets_her_things_and_only_hers(world: World, people):
    """The 200s above are the owner's own objects: her loan page shows her loan, the API
    lists only her applications."""
    owner = api_client(people["owner"])
    loans = owner.get("/api/v1/loans/").json()["results"]
    assert {loan["id"] for loan in loans} == {world.loan.pk, world.free_loan.pk}
    other = api_client(people["other"]).get("/api/v1/relief-applications/").json()
    assert other["results"] == []
    page = page_client(people["owner"]).get(f"/loans/{world.loan.pk}/")
    assert world.loan.external_id in page.content.decode()


# --- the admin: its own views and ours ------------------------------------------------------

STAFF_ONLY = row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, 200, ADMIN_LOGIN, 200, ADMIN_LOGIN)


def staff(reviewer, senior, policy) -> dict:
    """Borrowers, ops and servicing are not staff: the admin sends them to its login."""
    return row(
        ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, reviewer, senior, ADMIN_LOGIN, policy, ADMIN_LOGIN
    )


# name (or route, when unnamed) → how to call it; {application}, {evidence}, {draft} and
# {content_type} are filled in.
ADMIN_VIEWS: dict[str, tuple[str, Call]] = {
    "index": ("/admin/", Call("GET", STAFF_ONLY)),
    "login": (
        "/admin/login/",
        # Staff are sent on to the index; others see the form (and cannot get further).
        Call("GET", row(200, 200, 200, REDIRECT, REDIRECT, 200, REDIRECT, 200)),
    ),
    # Staff are signed out to the sign-in page; the admin sends anyone else to its index.
    "logout": (
        "/admin/logout/",
        Call("POST", row(REDIRECT, REDIRECT, REDIRECT, LOGIN, LOGIN, REDIRECT, LOGIN, REDIRECT)),
    ),
    "password_change": ("/admin/password_change/", Call("GET", STAFF_ONLY)),
    "password_change_done": ("/admin/password_change/done/", Call("GET", STAFF_ONLY)),
    "autocomplete": ("/admin/autocomplete/", Call("GET", staff(403, 403, 403))),
    "jsi18n": ("/admin/jsi18n/", Call("GET", STAFF_ONLY)),
    "view_on_site": (
        "/admin/r/{content_type}/{application}/",
        Call("GET", staff(404, 404, 404)),  # no model has a public page
    ),
    "app_list": ("/admin/relief/", Call("GET", STAFF_ONLY)),
    # Setting someone's password is a superuser's job.
    "auth_user_password_change": (
        "/admin/auth/user/{user}/password/",
        Call("GET", staff(403, 403, 403)),
    ),
    "(?P<url>.*)$": ("/admin/no-such-page/", Call("GET", staff(404, 404, 404))),
    # The reviewer's workspace (relief/admin/applications.py).
    "relief_reliefapplication_decide": (
        "/admin/relief/reliefapplication/{application}/decide/",
        # No action chosen: a reviewer gets the case back with the error.
        Call("POST", staff(400, 400, 403)),
    ),
    "relief_reliefapplication_assign": (
        "/admin/relief/reliefapplication/{application}/assign/",
        Call("POST", staff(REDIRECT, REDIRECT, 403)),
    ),
    "relief_reliefapplication_verify_evidence": (
        "/admin/relief/reliefapplication/{application}/evidence/{evidence}/verify/",
        Call("POST", staff(REDIRECT, REDIRECT, 403)),
    ),
    "relief_reliefapplication_evidence_file": (
        "/admin/relief/reliefapplication/{application}/evidence/{evidence}/file/",
        Call("GET", staff(200, 200, 403)),
    ),
    # Policy versions (relief/admin/policies.py): the policy admin's alone.
    "relief_reliefpolicy_copy": (
        "/admin/relief/reliefpolicy/{draft}/copy/",
        Call("POST", staff(403, 403, REDIRECT)),
    ),
    "relief_reliefpolicy_simulate": (
        "/admin/relief/reliefpolicy/{draft}/simulate/",
        Call("GET", staff(403, 403, 200)),
    ),
    "relief_reliefpolicy_activate": (
        "/admin/relief/reliefpolicy/{draft}/activate/",
        Call("POST", staff(403, 403, REDIRECT)),
    ),
}
STANDARD_MODEL_VIEWS = ("changelist", "add", "history", "delete", "change")


def admin_view_names() -> set[str]:
    """The admin site's own views and every custom view of a registered ModelAdmin."""
    names = set()
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLPattern):
            names.add(pattern.name or str(pattern.pattern))
    for model, model_admin in admin.site._registry.items():
        standard = {
            f"{model._meta.app_label}_{model._meta.model_name}_{view}"
            for view in STANDARD_MODEL_VIEWS
        }
        for pattern in model_admin.get_urls():
            if pattern.name is None:  # the old "<id>/" address that redirects to change
                continue
            if pattern.name not in standard:
                names.add(pattern.name)
    return names


def test_every_admin_view_has_a_row():
    found = admin_view_names()
    assert found - set(ADMIN_VIEWS) == set(), "admin views without a row"
    assert set(ADMIN_VIEWS) - found == set(), "rows for admin views that no longer exist"


@pytest.mark.parametrize("name", ADMIN_VIEWS)
def test_each_role_gets_what_the_admin_matrix_says(name, world: World, people):
    template, call = ADMIN_VIEWS[name]
    url = template.format(
        application=world.application.pk,
        evidence=world.evidence.pk,
        draft=world.draft.pk,
        content_type=ContentType.objects.get_for_model(ReliefApplication).pk,
        user=people["owner"].pk,
    )
    match = resolve(url)
    assert match.url_name == name or str(match.route).endswith(name), url
    assert check(people, call, url) == {}, f"{call.method} {url}"


# --- the admin's model pages: a table per model ----------------------------------------------

NOBODY: frozenset = frozenset()
READERS = frozenset({"reviewer", "senior"})  # the roles migration: view permissions


def views(*, changelist=NOBODY, add=NOBODY, history=NOBODY, delete=NOBODY, change=NOBODY):
    return {
        "changelist": changelist,
        "add": add,
        "history": history,
        "delete": delete,
        "change": change,
    }


READ_ONLY = views(changelist=READERS, history=READERS, change=READERS)
RISK_READ_ONLY = views(
    changelist=frozenset({"policy"}), history=frozenset({"policy"}), change=frozenset({"policy"})
)
POLICY_EDITORS = READERS | {"policy"}

# model → {view: the staff roles that get 200}; other staff get 403, the rest the admin login.
# Nobody may add or delete through the admin: money, cases and their history change only
# through the services; users, groups, tokens, lockouts and exports belong to a superuser.
ADMIN_MODELS = {
    "auth.group": views(),
    "auth.user": views(),
    "authtoken.tokenproxy": views(),
    "axes.accessattempt": views(),
    "axes.accesslog": views(),
    "axes.accessfailurelog": views(),
    "loans.loanproduct": READ_ONLY,
    "loans.borrower": READ_ONLY,
    "loans.loan": READ_ONLY,
    "loans.installment": READ_ONLY,
    "loans.repayment": READ_ONLY,
    "relief.reliefapplication": READ_ONLY,
    "relief.applicationevent": READ_ONLY,
    "relief.notification": READ_ONLY,
    # Satisfaction answers are read by ops (not staff in this world), no one else.
    "relief.satisfactionanswer": views(),
    # Articles are written by ops (not staff in this world: the admin sends them to its login).
    "learn.article": views(),
    "relief.reliefpolicy": views(
        changelist=POLICY_EDITORS,
        add=frozenset({"policy"}),
        history=POLICY_EDITORS,
        change=POLICY_EDITORS,
    ),
    "reports.exportlog": views(),
    "reports.export": views(),
    # Risk models: policy admins write drafts (v1, active, is read-only); scores, backtests
    # and outreach are written by the nightly jobs and read by policy admins (and ops).
    "risk.riskmodel": views(
        changelist=frozenset({"policy"}),
        add=frozenset({"policy"}),
        history=frozenset({"policy"}),
        change=frozenset({"policy"}),
    ),
    "risk.riskscore": RISK_READ_ONLY,
    "risk.riskbacktest": RISK_READ_ONLY,
    "risk.outreach": RISK_READ_ONLY,
}


def test_every_admin_model_has_a_table():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS)


def one_of_each(model):
    """An object for the model's object pages (the world made most; these few are made here)."""
    if model._meta.label_lower == "authtoken.tokenproxy":
        Token.objects.get_or_create(
            user=model._meta.get_field("user").related_model.objects.first()
        )
    if model._meta.label_lower == "axes.accessattempt":
        model.objects.create(username="alice", ip_address="127.0.0.1", failures_since_start=1)
    elif model._meta.app_label == "axes":
        model.objects.create(username="alice", ip_address="127.0.0.1", user_agent="test")
    elif model._meta.app_label == "risk" and not model._default_manager.exists():
        risk_objects_make()
    elif model._meta.label_lower == "relief.satisfactionanswer":
        model.objects.get_or_create(
            application=ReliefApplication.objects.order_by("pk").first(),
            moment="decision",
            defaults={"outcome": "approved", "score": 4, "comment": "Thank you."},
        )
    return model._default_manager.order_by("pk").first()


def risk_objects_make() -> None:
    """A score, a backtest and an outreach row, as the nightly jobs write them."""
    from datetime import timedelta

    from loans.models import Installment
    from loans.selectors import local_today
    from risk.models import Outreach, RiskBacktest, RiskModel, RiskScore

    installment = Installment.objects.order_by("pk").first()
    model = RiskModel.objects.get(status="active")
    today = local_today()
    score = RiskScore.objects.create(
        loan=installment.loan, as_of=today, model=model, score=80, level="high"
    )
    RiskBacktest.objects.create(
        model=model, as_of=today - timedelta(days=40), horizon_days=30, loans=1, missed=1
    )
    Outreach.objects.create(
        installment=installment,
        loan=installment.loan,
        borrower=installment.loan.borrower,
        score=score,
        model_version=1,
        day=today,
        due_date=installment.due_date,
        amount_due=installment.principal_due,
        status="held_out",
    )


@pytest.mark.parametrize("label", ADMIN_MODELS)
def test_each_role_gets_what_the_model_table_says(label, world: World, people):
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    obj = one_of_each(model)
    assert obj is not None, label
    prefix = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    urls = {
        "changelist": prefix,
        "add": f"{prefix}add/",
        "history": f"{prefix}{obj.pk}/history/",
        "delete": f"{prefix}{obj.pk}/delete/",
        "change": f"{prefix}{obj.pk}/change/",
    }
    wrong = {}
    for view, allowed in ADMIN_MODELS[label].items():
        expected = staff(
            *(200 if role in allowed else 403 for role in ("reviewer", "senior", "policy"))
        )
        for role, (want, got) in check(people, Call("GET", expected), urls[view]).items():
            wrong[f"{view} {role}"] = (want, got)
    assert wrong == {}
