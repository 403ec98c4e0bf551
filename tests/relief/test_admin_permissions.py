"""Who may open which admin page and take which action: each role's group (created by the
roles migration) against every page, plus a borrower and a visitor, who have no admin access.
"""

import pytest
from django.contrib.auth.models import Group, Permission

from loans.models import Repayment
from relief.models import ApplicationEvent, ApplicationStatus, Notification, ReliefPolicy
from tests.relief.helpers import staff_user, submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """The assertions read the English texts (Chinese is the default language)."""
    settings.LANGUAGE_CODE = "en"


ROLES = ("reviewer", "senior", "policy", "ops_staff", "ops", "servicing", "borrower", "visitor")
OK, FORBIDDEN, LOGIN = 200, 403, 302


@pytest.fixture
def people(reviewer, senior, ops, alice):
    return {
        "reviewer": reviewer,
        "senior": senior,
        "policy": staff_user("policy", "Policy admin"),
        # Ops as seeded is not staff (its pages are /ops/); made staff it can read, not write.
        "ops_staff": staff_user("ops2", "Ops"),
        "ops": ops,
        "servicing": staff_user("servicing", "Servicing", is_staff=False),
        "borrower": alice.user,
        "visitor": None,
    }


@pytest.fixture
def case(reviewer):
    return submitted_application(assign_to=reviewer)


def login(client, people, role):
    if people[role] is not None:
        client.force_login(people[role])


def expect(status, role) -> int:
    """`status` for staff with the permission; others without admin access go to login."""
    if role in ("ops", "servicing", "borrower", "visitor"):
        return LOGIN
    return status


PAGES = {
    # page: {role: status for staff roles}; missing roles get 403
    "index": ("/admin/", {"reviewer", "senior", "policy", "ops_staff"}),
    "queue": ("/admin/relief/reliefapplication/", {"reviewer", "senior", "ops_staff"}),
    "case": ("/admin/relief/reliefapplication/{case}/change/", {"reviewer", "senior", "ops_staff"}),
    "loans": ("/admin/loans/loan/", {"reviewer", "senior", "ops_staff"}),
    "loan": ("/admin/loans/loan/{loan}/change/", {"reviewer", "senior", "ops_staff"}),
    "borrower": ("/admin/loans/borrower/{borrower}/change/", {"reviewer", "senior", "ops_staff"}),
    "repayments": ("/admin/loans/repayment/", {"reviewer", "senior", "ops_staff"}),
    "policies": ("/admin/relief/reliefpolicy/", {"reviewer", "senior", "policy", "ops_staff"}),
    "policy": (
        "/admin/relief/reliefpolicy/{policy}/change/",
        {"reviewer", "senior", "policy", "ops_staff"},
    ),
    "new draft": ("/admin/relief/reliefpolicy/add/", {"policy"}),
    "simulate": ("/admin/relief/reliefpolicy/{policy}/simulate/", {"policy"}),
    "events": ("/admin/relief/applicationevent/", {"reviewer", "senior", "ops_staff"}),
    "notifications": ("/admin/relief/notification/", {"reviewer", "senior", "ops_staff"}),
    "users": ("/admin/auth/user/", set()),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_who_opens_which_page(client, people, case, role, page):
    template, allowed = PAGES[page]
    url = template.format(
        case=case.pk,
        loan=case.loan_id,
        borrower=case.borrower_id,
        policy=ReliefPolicy.objects.get(status="active").pk,
    )
    login(client, people, role)
    response = client.get(url)
    assert response.status_code == expect(OK if role in allowed else FORBIDDEN, role), url
    if response.status_code == LOGIN:
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("role", ROLES)
def test_who_decides_a_case(client, people, case, role):
    login(client, people, role)
    response = client.post(
        f"/admin/relief/reliefapplication/{case.pk}/decide/",
        {"action": "approve", "percent": "50", "version": case.version},
    )
    case.refresh_from_db()
    if role in ("reviewer", "senior"):
        assert response.status_code == 302
        assert case.status == ApplicationStatus.APPROVED
    else:
        assert response.status_code == expect(FORBIDDEN, role)
        assert case.status == ApplicationStatus.IN_REVIEW


@pytest.mark.parametrize("role", ROLES)
def test_who_claims_a_case(client, people, role):
    case = submitted_application(assign_to=None)
    login(client, people, role)
    client.post(
        "/admin/relief/reliefapplication/",
        {"action": "claim", "_selected_action": [case.pk]},
    )
    case.refresh_from_db()
    assert (case.assigned_to is not None) == (role in ("reviewer", "senior"))


@pytest.mark.parametrize("role", ROLES)
def test_nobody_edits_loans_or_money_in_the_admin(client, people, case, role):
    login(client, people, role)
    response = client.post(
        f"/admin/loans/loan/{case.loan_id}/change/",
        {"status": "written_off", "fraud_flag": "on"},
    )
    assert response.status_code == expect(FORBIDDEN, role)
    case.loan.refresh_from_db()
    assert case.loan.status == "active" and not case.loan.fraud_flag
    assert client.get("/admin/loans/repayment/add/").status_code == expect(FORBIDDEN, role)


@pytest.mark.parametrize("role", ROLES)
def test_events_and_notifications_are_read_only_for_everyone(client, people, case, role):
    event = ApplicationEvent.objects.filter(application=case).first()
    notification = Notification.objects.filter(application=case).first()
    login(client, people, role)
    for url in (
        f"/admin/relief/applicationevent/{event.pk}/change/",
        f"/admin/relief/notification/{notification.pk}/change/",
    ):
        response = client.post(url, {"note": "rewritten", "status": "sent"})
        assert response.status_code == expect(FORBIDDEN, role)
        delete = client.post(url.replace("/change/", "/delete/"), {"post": "yes"})
        assert delete.status_code == expect(FORBIDDEN, role)
    assert client.get("/admin/relief/applicationevent/add/").status_code == expect(FORBIDDEN, role)
    event.refresh_from_db()
    assert event.note != "rewritten"


def test_even_a_superuser_cannot_delete_applications_events_or_repayments(
    client, django_user_model, case
):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    client.force_login(root)
    event = case.events.first()
    for url in (
        f"/admin/relief/reliefapplication/{case.pk}/delete/",
        f"/admin/relief/applicationevent/{event.pk}/delete/",
    ):
        assert client.post(url, {"post": "yes"}).status_code == FORBIDDEN
    assert client.get("/admin/loans/repayment/").status_code == OK
    assert b"delete_selected" not in client.get("/admin/loans/repayment/").content
    assert ApplicationEvent.objects.filter(pk=event.pk).exists()
    assert Repayment.objects.count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_only_policy_admins_activate_a_draft(client, people, role):
    from relief.services.policies import policy_activation_request, policy_draft_create
    from tests.relief.helpers import staff_user

    draft = policy_draft_create(based_on=None, document=None, created_by=None, note="next")
    policy_activation_request(policy=draft, user=staff_user("policy2", "Policy admin"))
    login(client, people, role)
    response = client.post(f"/admin/relief/reliefpolicy/{draft.pk}/activate/")
    draft.refresh_from_db()
    if role == "policy":
        assert response.status_code == 302
        assert draft.status == ReliefPolicy.Status.ACTIVE
    else:
        assert response.status_code == expect(FORBIDDEN, role)
        assert draft.status == ReliefPolicy.Status.DRAFT


# --- the groups themselves --------------------------------------------------------------------


def permissions_of(name: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=name).permissions.select_related("content_type")
    }


def test_the_roles_exist_with_their_permissions():
    reviewer = permissions_of("Reviewer")
    assert "relief.decide_reliefapplication" in reviewer
    assert "relief.second_approve_reliefapplication" not in reviewer
    assert "loans.view_loan" in reviewer
    # A senior reviews like a reviewer and may also give the second approval.
    assert permissions_of("Senior reviewer") == reviewer | {
        "relief.second_approve_reliefapplication"
    }
    assert not {p for p in reviewer if p.startswith(("loans.change", "loans.add"))}
    assert not {p for p in reviewer if "policy" in p and not p.startswith("relief.view")}
    assert "relief.change_applicationevent" not in reviewer
    assert "relief.change_notification" not in reviewer
    # Ops reads, settles the messages whose delivery is in doubt and writes the education
    # articles (the only changes).
    ops = permissions_of("Ops")
    changes = {"relief.settle_notification", "learn.add_article", "learn.change_article"}
    assert changes <= ops
    assert all(p.split(".")[1].startswith("view_") for p in ops - changes)
    assert "reports.view_ops_reports" in permissions_of("Ops")
    # Policy admins write and activate relief policies and risk models, and read the scores.
    assert permissions_of("Policy admin") == {
        "relief.view_reliefpolicy",
        "relief.add_reliefpolicy",
        "relief.change_reliefpolicy",
        "relief.activate_reliefpolicy",
        "risk.view_riskmodel",
        "risk.add_riskmodel",
        "risk.change_riskmodel",
        "risk.activate_riskmodel",
        "risk.view_riskscore",
        "risk.view_riskbacktest",
        "risk.view_outreach",
    }
    assert {"loans.add_repayment", "loans.post_servicing_data"} <= permissions_of("Servicing")


def test_nobody_may_delete_and_nobody_exports_unmasked_by_default():
    assert Permission.objects.filter(
        content_type__app_label="relief", codename="export_unmasked"
    ).exists()
    for group in Group.objects.all():
        codes = {p.codename for p in group.permissions.all()}
        assert not {c for c in codes if c.startswith("delete_")}, group.name
        assert "export_unmasked" not in codes, group.name


@pytest.mark.parametrize("role", ROLES)
def test_who_edits_a_draft_policy(client, people, role):
    from relief.services.policies import policy_draft_create

    draft = policy_draft_create(based_on=None, document=None, created_by=None, note="next")
    login(client, people, role)
    response = client.post(
        f"/admin/relief/reliefpolicy/{draft.pk}/change/",
        {"mode": "fields", "note": "edited", "field:evidence_points": "15"},
    )
    draft.refresh_from_db()
    if role == "policy":
        assert response.status_code == 302
        assert draft.document["evidence_points"] == 15
    else:
        assert response.status_code == expect(FORBIDDEN, role)
        assert draft.document["evidence_points"] == 10


def test_reviewers_see_the_borrower_phone_masked(client, reviewer, case):
    client.force_login(reviewer)
    page = client.get(f"/admin/loans/borrower/{case.borrower_id}/change/").content.decode()
    phone = case.borrower.phone
    assert phone not in page
    assert f"{phone[:3]}****{phone[-4:]}" in page
