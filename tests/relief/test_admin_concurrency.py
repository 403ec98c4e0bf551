"""Two reviewers deciding one case at the same moment, each from the page they opened: one
wins, the other is told the case changed since they opened it, and nothing is doubled or lost.

Real threads with their own database connections, so PostgreSQL only (the row lock is what
is being tested); the tables are flushed afterwards, so the seeded data is restored first.
"""

import threading

import pytest
from django.db import connection
from django.test import Client

from relief.models import ApplicationEvent, ApplicationStatus, Notification
from tests.relief.helpers import restore_seeded_data, staff_user, submitted_application

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def english(settings):
    """The assertions read the English texts (Chinese is the default language)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def seeded():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent decisions need PostgreSQL's row locks")
    restore_seeded_data()


def post_at_once(requests: list[tuple[object, str, dict]]) -> list:
    """POST each (user, url, data) from its own thread, all released together."""
    barrier = threading.Barrier(len(requests))
    responses: list = [None] * len(requests)
    errors: list = []

    def run(index: int, user, url: str, data: dict) -> None:
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=10)
            responses[index] = client.post(url, data)
        except Exception as exc:  # surfaced in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, *request))
        for index, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return responses


def decide_url(application) -> str:
    return f"/admin/relief/reliefapplication/{application.pk}/decide/"


@pytest.mark.parametrize(
    "second",
    [
        {"action": "reject", "reason_code": "ability_to_pay", "note": "no"},
        {"action": "approve", "percent": "90", "note": "same"},
    ],
    ids=["approve-vs-reject", "approve-twice"],
)
def test_two_reviewers_decide_at_once_one_wins(seeded, second):
    first_reviewer = staff_user("reviewer", "Reviewer")
    second_reviewer = staff_user("reviewer2", "Reviewer")
    case = submitted_application(assign_to=first_reviewer)
    assert case.status == ApplicationStatus.IN_REVIEW
    version = case.version
    events_before = ApplicationEvent.objects.filter(application=case).count()
    notifications_before = Notification.objects.filter(application=case).count()

    responses = post_at_once(
        [
            (
                first_reviewer,
                decide_url(case),
                {"action": "approve", "percent": "90", "version": version},
            ),
            (second_reviewer, decide_url(case), {**second, "version": version}),
        ]
    )

    assert sorted(response.status_code for response in responses) == [302, 409]
    loser = next(response for response in responses if response.status_code == 409)
    assert "changed since you opened it" in loser.content.decode()
    case.refresh_from_db()
    assert case.status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
    assert case.version == version + 1
    decisions = ApplicationEvent.objects.filter(application=case).exclude(
        to_status=ApplicationStatus.IN_REVIEW
    )
    assert ApplicationEvent.objects.filter(application=case).count() == events_before + 1
    assert decisions.filter(to_status=case.status).count() == 1
    # The borrower is told once, in the app and on their channel.
    assert Notification.objects.filter(application=case).count() == notifications_before + 2


def test_two_seniors_second_approve_at_once(seeded):
    reviewer = staff_user("reviewer", "Reviewer")
    seniors = [staff_user(f"senior{n}", "Reviewer", "Senior reviewer") for n in (1, 2)]
    case = submitted_application(reason="other", assign_to=reviewer)
    client = Client()
    client.force_login(reviewer)
    client.post(decide_url(case), {"action": "approve", "percent": "100", "version": case.version})
    case.refresh_from_db()
    assert case.status == ApplicationStatus.PENDING_SECOND_APPROVAL

    responses = post_at_once(
        [
            (senior, decide_url(case), {"action": "second_approve", "version": case.version})
            for senior in seniors
        ]
    )

    assert sorted(response.status_code for response in responses) == [302, 409]
    case.refresh_from_db()
    assert case.status == ApplicationStatus.APPROVED
    assert case.decided_by in seniors
    assert ApplicationEvent.objects.filter(application=case, to_status="approved").count() == 1
