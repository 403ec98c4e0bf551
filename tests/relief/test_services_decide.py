"""One decision path: the review API and the admin's case page both go through
`relief_application_decide`, and the case page's panel offers what `review_capabilities`
allows. Who may do what is a permission, never the name of a group."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import DomainError
from relief.models import ApplicationEvent, ApplicationStatus
from relief.services import relief_application_decide, review_capabilities
from tests.factories import UserFactory
from tests.relief.helpers import staff_user, submitted_application

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def permission(code: str) -> Permission:
    app_label, codename = code.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def decide_by_api(user, application, **data):
    client = APIClient()
    client.force_authenticate(user)
    url = f"/api/v1/review/applications/{application.pk}/decide/"
    return client.post(url, {"version": application.version, **data}, format="json")


@pytest.mark.parametrize(
    ("action", "fields", "status"),
    [
        ("approve", {"percent": 80}, S.APPROVED),
        ("reject", {"reason_code": "other", "note": "Paid since."}, S.REJECTED),
        ("request_info", {"note": "Please send the hospital letter."}, S.NEEDS_INFO),
    ],
)
def test_each_decision_moves_the_case_and_writes_its_event(reviewer, action, fields, status):
    case = submitted_application(assign_to=reviewer)
    decided = relief_application_decide(
        application_id=case.pk, reviewer=reviewer, action=action, version=case.version, **fields
    )
    assert decided.status == status
    event = ApplicationEvent.objects.filter(application=case).latest("at", "id")
    assert (event.from_status, event.to_status, event.actor) == (S.IN_REVIEW, status, reviewer)


def test_the_second_approval_and_the_return_are_decisions_too(reviewer, senior):
    other_senior = staff_user("senior2", "Reviewer", "Senior reviewer")
    case = submitted_application(reason="other", assign_to=reviewer)
    pending = relief_application_decide(
        application_id=case.pk, reviewer=senior, action="approve", percent=100, version=case.version
    )
    assert pending.status == S.PENDING_SECOND_APPROVAL
    returned = relief_application_decide(
        application_id=case.pk,
        reviewer=other_senior,
        action="second_return",
        note="  Too much for a first loan.  ",
        version=pending.version,
    )
    assert returned.status == S.IN_REVIEW
    assert ApplicationEvent.objects.filter(application=case).latest("at", "id").note == (
        "Too much for a first loan."
    )


def test_an_unknown_decision_is_refused_naming_the_action_and_changes_nothing(reviewer):
    case = submitted_application(assign_to=reviewer)
    with pytest.raises(DomainError) as error:
        relief_application_decide(
            application_id=case.pk, reviewer=reviewer, action="waive_all", version=case.version
        )
    assert error.value.status == 400
    assert "action" in error.value.fields
    case.refresh_from_db()
    assert case.status == S.IN_REVIEW


def test_the_api_and_the_case_page_decide_alike(client, reviewer):
    by_api = submitted_application(assign_to=reviewer)
    by_admin = submitted_application(assign_to=reviewer)
    assert decide_by_api(reviewer, by_api, action="approve", percent=60).status_code == 200
    client.force_login(reviewer)
    client.post(
        reverse("admin:relief_reliefapplication_decide", args=[by_admin.pk]),
        {"action": "approve", "percent": "60", "version": by_admin.version},
    )
    by_api.refresh_from_db()
    by_admin.refresh_from_db()
    assert (by_api.status, by_api.decided_percent) == (S.APPROVED, 60)
    assert (by_admin.status, by_admin.decided_percent) == (S.APPROVED, 60)


# --- what the panel offers ------------------------------------------------------------------


def test_a_reviewer_may_decide_a_case_in_review_but_not_give_a_second_approval(reviewer):
    case = submitted_application(assign_to=reviewer)
    can = review_capabilities(application=case, user=reviewer)
    assert (can.can_decide, can.can_review, can.can_verify, can.can_assign) == (
        True,
        True,
        True,
        True,
    )
    assert can.can_second is False


def test_only_another_senior_is_offered_the_second_approval(reviewer, senior):
    case = submitted_application(reason="other", assign_to=reviewer)
    pending = relief_application_decide(
        application_id=case.pk, reviewer=senior, action="approve", percent=100, version=case.version
    )
    assert review_capabilities(application=pending, user=reviewer).can_second is False
    as_first_approver = review_capabilities(application=pending, user=senior)
    assert as_first_approver.can_second and as_first_approver.is_first_approver
    assert review_capabilities(application=pending, user=senior).can_review is False


def test_ops_may_read_a_case_but_is_offered_nothing(ops, reviewer):
    case = submitted_application(assign_to=reviewer)
    can = review_capabilities(application=case, user=ops)
    assert not any(
        (can.can_decide, can.evidence_visible, can.can_review, can.can_second, can.can_assign)
    )


# --- permissions, not group names -----------------------------------------------------------


def test_the_decide_permission_without_any_group_lets_one_review(reviewer):
    case = submitted_application(assign_to=reviewer)
    deputy = UserFactory(username="deputy", is_staff=True)
    deputy.user_permissions.add(permission("relief.decide_reliefapplication"))
    client = APIClient()
    client.force_authenticate(deputy)
    assert client.get("/api/v1/review/queue/").status_code == 200
    assert decide_by_api(deputy, case, action="approve", percent=50).status_code == 200


def test_a_reviewers_group_without_the_decide_permission_decides_nothing(reviewer):
    case = submitted_application(assign_to=reviewer)
    Group.objects.get(name="Reviewer").permissions.remove(
        permission("relief.decide_reliefapplication")
    )
    assert decide_by_api(reviewer, case, action="approve", percent=50).status_code == 403
    case.refresh_from_db()
    assert case.status == S.IN_REVIEW


def test_the_second_approval_permission_given_to_a_reviewer_makes_them_a_second_approver(
    reviewer, senior
):
    case = submitted_application(reason="other", assign_to=reviewer)
    pending = relief_application_decide(
        application_id=case.pk, reviewer=senior, action="approve", percent=100, version=case.version
    )
    assert decide_by_api(reviewer, pending, action="second_approve").status_code == 403
    reviewer.user_permissions.add(permission("relief.second_approve_reliefapplication"))
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)  # permissions are cached per instance
    assert decide_by_api(reviewer, pending, action="second_approve").status_code == 200
    pending.refresh_from_db()
    assert pending.status == S.APPROVED
