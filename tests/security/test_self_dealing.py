"""Self-dealing: a reviewer who is also a borrower may not decide, verify or be given her own
application, from the API, the admin or the queue's assignment; anyone else's case she works
as before."""

import pytest

from core.errors import DomainError
from relief import services
from relief.models import ApplicationStatus
from tests.factories import BorrowerFactory, UserFactory, overdue_loan
from tests.security.conftest import api_client, page_client

pytestmark = pytest.mark.django_db

MESSAGE = (
    "This is your own application: you cannot decide it, verify its evidence or be assigned "
    "to it. Another reviewer must handle it."
)


@pytest.fixture
def carol(db):
    """A reviewer who also has a loan with us."""
    user = UserFactory(username="carol", is_staff=True, groups=["Reviewer", "Senior reviewer"])
    return BorrowerFactory(user=user, name="Carol")


@pytest.fixture
def carols_case(carol, reviewer, today):
    loan = overdue_loan(carol, today=today, days=20)
    application = services.relief_application_submit(
        loan=loan, reason="serious_illness", description="hospital", submitted_by=carol.user
    )
    application = services.relief_application_triage(application_id=application.pk)
    assert application.status == ApplicationStatus.IN_REVIEW
    return application


def test_the_queue_never_assigns_a_reviewer_her_own_case(carols_case, carol, reviewer):
    # carol has no open case and the earliest account would otherwise be chosen
    assert carols_case.assigned_to_id == reviewer.pk


def test_the_api_refuses_her_approval_of_her_own_case(carols_case, carol):
    response = api_client(carol.user).post(
        f"/api/v1/review/applications/{carols_case.pk}/decide/",
        {"action": "approve", "percent": 90, "version": carols_case.version},
        format="json",
    )
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "own_case"
    assert error["message"] == MESSAGE
    carols_case.refresh_from_db()
    assert carols_case.status == ApplicationStatus.IN_REVIEW
    assert carols_case.decided_percent is None


def test_the_admin_refuses_it_too_and_says_why(carols_case, carol):
    client = page_client(carol.user)
    case_url = f"/admin/relief/reliefapplication/{carols_case.pk}/change/"
    page = client.get(case_url)
    assert MESSAGE in page.content.decode()
    assert 'id="approve-form"' not in page.content.decode()
    response = client.post(
        f"/admin/relief/reliefapplication/{carols_case.pk}/decide/",
        {"action": "approve", "percent": "90", "version": str(carols_case.version)},
    )
    assert response.status_code == 403
    assert MESSAGE in response.content.decode()
    carols_case.refresh_from_db()
    assert carols_case.status == ApplicationStatus.IN_REVIEW


@pytest.mark.parametrize("action", ["reject", "request_info", "second_approve"])
def test_no_decision_of_her_own_case_goes_through(action, carols_case, carol):
    with pytest.raises(DomainError) as refused:
        services.relief_application_decide(
            application_id=carols_case.pk,
            reviewer=carol.user,
            action=action,
            version=carols_case.version,
            reason_code="evidence_insufficient",
            note="why",
        )
    assert refused.value.code == "own_case"


def test_she_cannot_be_assigned_her_own_case(carols_case, carol, reviewer):
    for who, assignee in ((reviewer, carol.user), (carol.user, carol.user)):
        with pytest.raises(DomainError) as refused:
            services.relief_application_assign(
                application_id=carols_case.pk, reviewer=who, assignee=assignee
            )
        assert refused.value.code == "own_case"
    carols_case.refresh_from_db()
    assert carols_case.assigned_to_id == reviewer.pk


def test_she_still_decides_another_borrowers_case(carol, alice, today):
    loan = overdue_loan(alice, today=today, days=20)
    application = services.relief_application_submit(
        loan=loan, reason="serious_illness", description="hospital", submitted_by=alice.user
    )
    application = services.relief_application_triage(application_id=application.pk)
    decided = services.relief_application_approve(
        application_id=application.pk, reviewer=carol.user, percent=40
    )
    assert decided.decided_percent == 40
