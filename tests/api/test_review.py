"""Reviewers: the queue, reading a case, and deciding it (four eyes, stale versions)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from relief.models import ReliefApplication
from tests.api.conftest import error_of, submit
from tests.factories import overdue_loan

pytestmark = pytest.mark.django_db


def decide(client, application, **body):
    return client.post(f"/api/v1/review/applications/{application.pk}/decide/", body, format="json")


def test_queue_orders_by_priority_then_sla_due(reviewer_client, alice, bob, today):
    cases = [submit(overdue_loan(alice, today=today), alice.user) for _ in range(3)]
    now = timezone.now()
    for case, (priority, hours) in zip(cases, [(5, 10), (9, 30), (5, 2)], strict=True):
        ReliefApplication.objects.filter(pk=case.pk).update(
            priority=priority, sla_due=now + timedelta(hours=hours)
        )
    decided = submit(overdue_loan(bob, today=today), bob.user)
    ReliefApplication.objects.filter(pk=decided.pk).update(status="rejected")
    response = reviewer_client.get("/api/v1/review/queue/")
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["results"]] == [cases[1].pk, cases[2].pk, cases[0].pk]
    item = body["results"][0]
    assert item["priority"] == 9 and item["bucket"] == "M1" and item["dpd"] == 20
    assert item["suggested_percent"] == 90 and item["suggested_amount"] == "23.94"
    assert item["status"] == "in_review" and item["version"] == 2


def test_queue_filters_by_status_and_bucket(reviewer_client, alice, today):
    late = submit(overdue_loan(alice, today=today, days=45), alice.user)
    submit(overdue_loan(alice, today=today, days=20), alice.user)
    body = reviewer_client.get("/api/v1/review/queue/", {"bucket": "M2"}).json()
    assert [item["id"] for item in body["results"]] == [late.pk]
    body = reviewer_client.get("/api/v1/review/queue/", {"status": "needs_info"}).json()
    assert body["results"] == []
    assert reviewer_client.get("/api/v1/review/queue/", {"bucket": "M9"}).status_code == 400


def test_review_endpoints_need_a_reviewer(alice_client, alice, alice_loan):
    application = submit(alice_loan, alice.user)
    assert alice_client.get("/api/v1/review/queue/").status_code == 403
    response = decide(alice_client, application, action="approve", percent=100, version=2)
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    application.refresh_from_db()
    assert application.status == "in_review"


def test_reviewer_reads_the_case_with_names(reviewer_client, reviewer, alice, alice_loan):
    application = submit(alice_loan, alice.user)
    body = reviewer_client.get(f"/api/v1/review/applications/{application.pk}/").json()
    assert body["borrower"]["name"] == "A****"  # masked, as the admin shows it
    assert body["suggested_percent"] == 90
    assert body["assigned_to"] == "reviewer"
    assert body["events"][0]["actor"] == {"kind": "borrower", "username": "alice"}
    assert "approve" in body["allowed_actions"]


def test_approve(reviewer_client, alice, alice_loan):
    application = submit(alice_loan, alice.user)
    response = decide(reviewer_client, application, action="approve", percent=80, version=2)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved"
    assert body["decided_percent"] == 80 and body["decided_amount"] == "21.28"
    assert body["version"] == 3
    assert body["events"][-1]["actor"] == {"kind": "reviewer", "username": "reviewer"}


def test_a_stale_version_is_409(reviewer_client, alice, alice_loan):
    application = submit(alice_loan, alice.user)
    response = decide(reviewer_client, application, action="approve", percent=80, version=1)
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "stale_version"
    assert error["version"] == 2


def test_reject_needs_a_reason_code(reviewer_client, alice, alice_loan):
    application = submit(alice_loan, alice.user)
    response = decide(reviewer_client, application, action="reject", version=2)
    assert response.status_code == 400
    assert "reason_code" in error_of(response)["fields"]
    response = decide(
        reviewer_client, application, action="reject", reason_code="ability_to_pay", version=2
    )
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    again = decide(reviewer_client, application, action="approve", percent=10, version=3)
    assert again.status_code == 409
    assert error_of(again)["code"] == "transition_not_allowed"


def test_request_info_sends_the_question(reviewer_client, alice_client, alice, alice_loan):
    application = submit(alice_loan, alice.user)
    response = decide(reviewer_client, application, action="request_info", version=2)
    assert response.status_code == 400
    assert "note" in error_of(response)["fields"]
    response = decide(
        reviewer_client, application, action="request_info", note="Which hospital?", version=2
    )
    assert response.json()["status"] == "needs_info"
    borrower_view = alice_client.get(f"/api/v1/relief-applications/{application.pk}/").json()
    assert borrower_view["events"][-1]["note"] == "Which hospital?"


def test_four_eyes(reviewer_client, senior_client, reviewer, alice, alice_loan):
    application = submit(alice_loan, alice.user)
    # More than 20 points above the suggestion needs a second approval.
    ReliefApplication.objects.filter(pk=application.pk).update(suggested_percent=50)
    response = decide(reviewer_client, application, action="approve", percent=100, version=2)
    assert response.json()["status"] == "pending_second_approval"
    own = decide(reviewer_client, application, action="second_approve", version=3)
    assert own.status_code == 403
    returned = decide(senior_client, application, action="second_return", note="No.", version=3)
    assert returned.json()["status"] == "in_review"
    decide(senior_client, application, action="approve", percent=100, version=4)
    # The first approver cannot be the second one.
    same = decide(senior_client, application, action="second_approve", version=5)
    assert same.status_code == 409
    assert error_of(same)["code"] == "same_approver"


def test_second_approval_by_another_senior(reviewer_client, senior_client, alice, alice_loan):
    application = submit(alice_loan, alice.user)
    ReliefApplication.objects.filter(pk=application.pk).update(suggested_percent=50)
    decide(reviewer_client, application, action="approve", percent=100, version=2)
    response = decide(senior_client, application, action="second_approve", version=3)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved" and body["decided_amount"] == "26.60"


@pytest.mark.parametrize(
    "body",
    [
        {"action": "approve", "percent": 80},
        {"action": "fly", "version": 2},
        {"action": "approve", "percent": "lots", "version": 2},
        {"action": "approve", "percent": 80, "version": 2, "extra": 1},
        {"action": "reject", "reason_code": "dislike", "version": 2},
    ],
)
def test_bad_decisions_are_400(reviewer_client, alice, alice_loan, body):
    application = submit(alice_loan, alice.user)
    response = decide(reviewer_client, application, **body)
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"


@pytest.mark.parametrize("percent", [101, -1, 10**30])
def test_percent_out_of_range_is_400(reviewer_client, alice, alice_loan, percent):
    application = submit(alice_loan, alice.user)
    response = decide(reviewer_client, application, action="approve", percent=percent, version=2)
    assert response.status_code == 400
    assert "percent" in error_of(response)["fields"]


def test_unknown_case_is_404(reviewer_client):
    assert reviewer_client.get("/api/v1/review/applications/999999/").status_code == 404
    response = reviewer_client.post(
        "/api/v1/review/applications/999999/decide/", {"action": "approve"}, format="json"
    )
    assert response.status_code == 404
