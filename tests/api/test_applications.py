"""A borrower's applications: apply (idempotently), read, add evidence, act on them."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from relief import services
from relief.models import ReliefApplication
from relief.services.evidence import MAX_BYTES
from tests.api.conftest import approve, client_for, error_of, submit
from tests.factories import overdue_loan
from tests.pdf_samples import SCAN_PDF

pytestmark = pytest.mark.django_db

PDF = SCAN_PDF
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32 + b"IEND\xaeB`\x82"


def pdf(name="scan.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def apply(client, loan, key=None, **fields):
    body = {"loan": loan.pk, "reason": "serious_illness", "description": "In hospital."}
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/v1/relief-applications/", {**body, **fields}, format="json", headers=headers
    )


# --- apply ----------------------------------------------------------------------------------


def test_apply_returns_the_application_with_its_frozen_quote(
    alice_client, alice_loan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = apply(alice_client, alice_loan)
    assert response.status_code == 201
    body = response.json()
    application = ReliefApplication.objects.get()
    assert body["id"] == application.pk
    assert body["loan"] == alice_loan.pk
    assert body["status"] == "submitted"
    assert body["reason"] == "serious_illness"
    assert body["description"] == "In hospital."
    assert body["quote"]["percent"] == 90
    assert body["quote"]["amount"] == "23.94"
    assert body["quote"]["factors"][0]["label"]
    assert body["decided_percent"] is None and body["decided_amount"] is None
    assert body["offer_deadline"] is None
    assert body["repay_to_fulfil"] == "0.00"
    assert body["evidence"] == []
    assert body["version"] == 1
    (event,) = body["events"]
    assert event["actor"] == {"kind": "borrower", "username": "alice"}
    assert (event["from"], event["to"]) == ("", "submitted")
    # Triage ran on commit: the case is with the reviewers now.
    application.refresh_from_db()
    assert application.status == "in_review"


def test_apply_on_a_loan_with_an_open_application_is_409(alice_client, alice_loan):
    first = apply(alice_client, alice_loan).json()
    response = apply(alice_client, alice_loan)
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "open_application"
    assert error["open_application"] == first["id"]


def test_apply_when_not_eligible_is_400_with_the_reasons(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, legal_proceedings=True)
    response = apply(alice_client, loan)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "not_eligible"
    assert error["not_eligible_reasons"][0]["code"] == "legal_proceedings"
    assert error["not_eligible_reasons"][0]["label"]
    assert not ReliefApplication.objects.exists()


def test_apply_on_another_borrowers_loan_is_refused(alice_client, bob_loan):
    response = apply(alice_client, bob_loan)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "unknown_loan" and list(error["fields"]) == ["loan"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"loan": "x", "reason": "accident"},
        {"loan": 1, "reason": "bored"},
        {"loan": 1, "reason": "accident", "colour": "blue"},
        {"loan": 10**40, "reason": "accident"},
        {"loan": 1, "reason": "accident", "description": "x" * 4001},
        [1, 2],
    ],
)
def test_bad_application_input_is_400(alice_client, alice_loan, body):
    response = alice_client.post("/api/v1/relief-applications/", body, format="json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid"


def test_list_is_paginated_and_filters_by_status(alice_client, alice, alice_loan, today):
    submit(alice_loan, alice.user)
    other = overdue_loan(alice, today=today)
    withdrawn = submit(other, alice.user)
    services.relief_application_withdraw(application_id=withdrawn.pk, user=alice.user)
    body = alice_client.get("/api/v1/relief-applications/").json()
    assert body["count"] == 2 and body["next"] is None
    assert {"id", "loan", "status", "reason", "version"} <= set(body["results"][0])
    filtered = alice_client.get("/api/v1/relief-applications/", {"status": "withdrawn"}).json()
    assert [a["id"] for a in filtered["results"]] == [withdrawn.pk]
    page = alice_client.get("/api/v1/relief-applications/", {"page_size": 1}).json()
    assert len(page["results"]) == 1 and page["next"]
    bad = alice_client.get("/api/v1/relief-applications/", {"status": "nonsense"})
    assert bad.status_code == 400


# --- idempotency ----------------------------------------------------------------------------


def test_same_key_and_body_answers_the_same_201_without_a_new_row(alice_client, alice_loan):
    first = apply(alice_client, alice_loan, key="k-1")
    again = apply(alice_client, alice_loan, key="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert ReliefApplication.objects.count() == 1


def test_same_key_with_another_body_is_409(alice_client, alice_loan):
    apply(alice_client, alice_loan, key="k-1")
    response = apply(alice_client, alice_loan, description="Other.", key="k-1")
    assert response.status_code == 409
    assert error_of(response)["code"] == "idempotency_key_reused"
    assert ReliefApplication.objects.count() == 1


def test_keys_belong_to_their_user(alice_client, bob_client, alice_loan, bob_loan):
    assert apply(alice_client, alice_loan, key="same").status_code == 201
    assert apply(bob_client, bob_loan, key="same").status_code == 201
    assert ReliefApplication.objects.count() == 2


def test_a_failed_request_does_not_use_up_its_key(alice_client, alice, today):
    loan = overdue_loan(alice, today=today, fraud_flag=True)
    assert apply(alice_client, loan, key="k").status_code == 400
    good = overdue_loan(alice, today=today)
    assert apply(alice_client, good, key="k").status_code == 201


def test_an_overlong_key_is_400(alice_client, alice_loan):
    response = apply(alice_client, alice_loan, key="k" * 256)
    assert response.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_make_one_application(policy_v1, alice, alice_loan):
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks (PostgreSQL)")
    workers = 5
    barrier = threading.Barrier(workers)
    responses = []

    def retry():
        client = client_for(alice.user)
        try:
            barrier.wait()
            responses.append(apply(client, alice_loan, key="retry-1"))
        finally:
            connection.close()

    threads = [threading.Thread(target=retry) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in responses] == [201] * workers
    assert len({r.content for r in responses}) == 1
    assert ReliefApplication.objects.count() == 1


# --- detail and object-level access ---------------------------------------------------------


def test_detail_hides_reviewer_names_and_internal_events(alice_client, alice, reviewer, alice_loan):
    application = submit(alice_loan, alice.user)
    services.relief_application_assign(
        application_id=application.pk, reviewer=reviewer, assignee=reviewer
    )
    approve(application, reviewer, percent=80)
    body = alice_client.get(f"/api/v1/relief-applications/{application.pk}/").json()
    assert body["status"] == "approved"
    assert body["decided_percent"] == 80
    assert body["decided_amount"] == "21.28"
    assert body["offer_deadline"]
    # Everything overdue (2,000.00 + 26.60 penalty) less the relief.
    assert body["repay_to_fulfil"] == "2005.32"
    assert body["allowed_actions"] == ["accept", "decline"]
    assert [(e["from"], e["to"]) for e in body["events"]] == [
        ("", "submitted"),
        ("submitted", "in_review"),
        ("in_review", "approved"),
    ]
    assert body["events"][-1]["actor"] == {"kind": "reviewer", "username": None}
    assert all(e["actor"]["username"] in (None, "alice") for e in body["events"])


def test_every_application_endpoint_is_404_for_another_borrower(bob_client, alice, alice_loan):
    application = submit(alice_loan, alice.user)
    base = f"/api/v1/relief-applications/{application.pk}"
    assert bob_client.get(f"{base}/").status_code == 404
    for action in ("withdraw", "accept", "decline"):
        assert bob_client.post(f"{base}/{action}/", {}, format="json").status_code == 404
    assert bob_client.post(f"{base}/answer/", {"text": "hi"}, format="json").status_code == 404
    response = bob_client.post(f"{base}/evidence/", {"file": pdf()}, format="multipart")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    application.refresh_from_db()
    assert application.status == "in_review" and not application.evidence.exists()


def test_reviewers_cannot_use_borrower_endpoints(reviewer_client, alice, alice_loan):
    application = submit(alice_loan, alice.user)
    response = reviewer_client.get(f"/api/v1/relief-applications/{application.pk}/")
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"


# --- evidence -------------------------------------------------------------------------------


def test_evidence_upload_stores_the_file(alice_client, alice, alice_loan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = submit(alice_loan, alice.user)
    url = f"/api/v1/relief-applications/{application.pk}/evidence/"
    response = alice_client.post(url, {"file": pdf("../../x.pdf")}, format="multipart")
    assert response.status_code == 201
    (stored,) = response.json()["evidence"]
    assert stored["name"] == "x.pdf"
    assert stored["content_type"] == "application/pdf"
    assert stored["verified"] is False
    detail = alice_client.get(f"/api/v1/relief-applications/{application.pk}/").json()
    assert [e["id"] for e in detail["evidence"]] == [stored["id"]]


@pytest.mark.parametrize(
    ("upload", "status", "code"),
    [
        (lambda: pdf(data=b""), 400, "file_empty"),
        (lambda: pdf("fake.pdf", b"<html><script>alert(1)</script>"), 415, "file_type"),
        (lambda: pdf("big.pdf", b"%PDF-" + b"0" * MAX_BYTES + b"%%EOF"), 413, "file_too_large"),
    ],
)
def test_bad_evidence_is_refused(
    alice_client, alice, alice_loan, settings, tmp_path, upload, status, code
):
    settings.MEDIA_ROOT = tmp_path
    application = submit(alice_loan, alice.user)
    url = f"/api/v1/relief-applications/{application.pk}/evidence/"
    response = alice_client.post(url, {"file": upload()}, format="multipart")
    assert response.status_code == status
    error = error_of(response)
    assert error["code"] == code
    assert "file" in error["fields"]
    assert not application.evidence.exists()


def test_at_most_ten_files(alice_client, alice, alice_loan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = submit(alice_loan, alice.user)
    url = f"/api/v1/relief-applications/{application.pk}/evidence/"
    files = [pdf(f"{n}.pdf") for n in range(10)]
    assert alice_client.post(url, {"file": files}, format="multipart").status_code == 201
    response = alice_client.post(url, {"file": pdf()}, format="multipart")
    assert response.status_code == 400
    assert error_of(response)["code"] == "too_many_files"


def test_evidence_needs_multipart_and_a_file(alice_client, alice, alice_loan):
    application = submit(alice_loan, alice.user)
    url = f"/api/v1/relief-applications/{application.pk}/evidence/"
    response = alice_client.post(url, {"file": "x"}, format="json")
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"
    response = alice_client.post(url, {}, format="multipart")
    assert response.status_code == 400
    assert "file" in error_of(response)["fields"]


# --- transitions ----------------------------------------------------------------------------


def test_withdraw_then_withdraw_again_is_409(alice_client, alice, alice_loan):
    application = submit(alice_loan, alice.user)
    url = f"/api/v1/relief-applications/{application.pk}/withdraw/"
    response = alice_client.post(url, {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    response = alice_client.post(url, {}, format="json")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "transition_not_allowed"


def test_a_stale_version_is_409(alice_client, alice, alice_loan):
    application = submit(alice_loan, alice.user)
    url = f"/api/v1/relief-applications/{application.pk}/withdraw/"
    response = alice_client.post(url, {"version": 1}, format="json")
    assert response.status_code == 409
    assert error_of(response)["code"] == "stale_version"
    ok = alice_client.post(url, {"version": application.version}, format="json")
    assert ok.status_code == 200


def test_accept_an_offer_and_decline_is_then_409(alice_client, alice, reviewer, alice_loan):
    application = submit(alice_loan, alice.user)
    base = f"/api/v1/relief-applications/{application.pk}"
    assert alice_client.post(f"{base}/accept/", {}, format="json").status_code == 409
    approve(application, reviewer)
    response = alice_client.post(f"{base}/accept/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert alice_client.post(f"{base}/decline/", {}, format="json").status_code == 409


def test_decline_an_offer(alice_client, alice, reviewer, alice_loan):
    application = submit(alice_loan, alice.user)
    approve(application, reviewer)
    response = alice_client.post(
        f"/api/v1/relief-applications/{application.pk}/decline/", {}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "declined"


def test_answer_a_request_for_information(alice_client, alice, reviewer, alice_loan):
    application = submit(alice_loan, alice.user)
    url = f"/api/v1/relief-applications/{application.pk}/answer/"
    assert alice_client.post(url, {"text": "Here."}, format="json").status_code == 409
    services.relief_application_request_info(
        application_id=application.pk, reviewer=reviewer, question="Which hospital?"
    )
    body = alice_client.get(f"/api/v1/relief-applications/{application.pk}/").json()
    assert body["status"] == "needs_info"
    assert body["events"][-1]["note"] == "Which hospital?"
    assert body["allowed_actions"] == ["withdraw", "answer"]
    empty = alice_client.post(url, {"text": "  "}, format="json")
    assert empty.status_code == 400
    assert "text" in error_of(empty)["fields"]
    response = alice_client.post(url, {"text": "City hospital."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "in_review"
    assert response.json()["events"][-1]["note"] == "City hospital."


# --- notifications --------------------------------------------------------------------------


def test_notifications_list_and_read(alice_client, bob_client, alice, alice_loan):
    submit(alice_loan, alice.user)
    body = alice_client.get("/api/v1/notifications/").json()
    assert body["count"] == 2
    assert {n["kind"] for n in body["results"]} == {"submitted", "in_review"}
    first = body["results"][0]
    assert first["read"] is False and first["title"]
    url = f"/api/v1/notifications/{first['id']}/read/"
    assert bob_client.post(url).status_code == 404
    response = alice_client.post(url)
    assert response.status_code == 200
    assert response.json()["read"] is True and response.json()["read_at"]
    assert bob_client.get("/api/v1/notifications/").json()["count"] == 0
