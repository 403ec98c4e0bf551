"""The applications pages: list, detail with timeline and offer, the borrower's actions."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relief import services
from relief.models import ApplicationStatus
from tests.factories import UserFactory, overdue_loan
from tests.relief.page_helpers import (
    approved,
    fresh,
    in_review,
    needs_info,
    pdf,
    submitted,
)

pytestmark = pytest.mark.django_db


def detail_url(application):
    return reverse("application-detail", args=[application.pk])


def act(client, application, action, *, version=None, follow=True, **data):
    data["version"] = application.version if version is None else version
    return client.post(
        reverse("application-action", args=[application.pk, action]), data, follow=follow
    )


# --- list and detail ------------------------------------------------------------------------


def test_owner_sees_their_applications_in_the_list(alice_client, alice, loan):
    application = submitted(alice, loan)
    body = alice_client.get(reverse("application-list")).content.decode()
    assert f"Application #{application.pk}" in body
    assert loan.external_id in body and "Submitted" in body and "Serious illness" in body


def test_the_list_is_empty_for_a_borrower_without_applications(alice_client):
    body = alice_client.get(reverse("application-list")).content.decode()
    assert "You have not applied for relief yet." in body


def test_the_list_shows_only_the_borrowers_own_applications(client, alice, bob, loan, today):
    submitted(alice, loan)
    client.force_login(bob.user)
    body = client.get(reverse("application-list")).content.decode()
    assert loan.external_id not in body


def test_the_application_list_query_count_does_not_grow_with_applications(
    alice_client, alice, today
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert alice_client.get(reverse("application-list")).status_code == 200
        return len(captured)

    submitted(alice, overdue_loan(alice, today=today))
    one = queries()
    for _ in range(4):
        submitted(alice, overdue_loan(alice, today=today))
    assert queries() == one


def test_the_detail_shows_status_quote_evidence_and_timeline(alice_client, alice, loan, reviewer):
    application = in_review(alice, loan, uploads=[pdf("bill.pdf")])
    body = alice_client.get(detail_url(application)).content.decode()
    assert "In review" in body
    assert "90%" in body and "¥23.94" in body
    assert "bill.pdf" in body
    evidence = application.evidence.get()
    assert reverse("evidence-download", args=[application.pk, evidence.pk]) in body
    assert "Submitted" in body and "Passed to a reviewer." in body
    assert "You" in body and "System" in body


def test_the_timeline_shows_reviewer_not_the_reviewers_name(alice_client, alice, loan):
    reviewer = UserFactory(username="zhang.wei", is_staff=True, groups=["Reviewer"])
    application = needs_info(alice, loan, reviewer, question="Please send the hospital bill.")
    services.relief_application_assign(
        application_id=application.pk, reviewer=reviewer, assignee=reviewer
    )
    body = alice_client.get(detail_url(application)).content.decode()
    main = body.split("<main>")[1]
    assert "Reviewer" in main
    assert "Please send the hospital bill." in main
    assert "zhang.wei" not in main and "assigned to" not in main


def test_the_offer_shows_percent_amount_what_remains_and_the_deadline(
    alice_client, alice, loan, reviewer, today
):
    application = approved(alice, loan, reviewer, percent=80)
    body = alice_client.get(detail_url(application)).content.decode()
    assert "Your offer" in body and "80%" in body and "¥21.28" in body
    # Overdue 2,000.00 plus the penalty not waived (26.60 − 21.28 = 5.32).
    assert "¥2,005.32" in body
    assert application.offer_deadline.isoformat() in body
    assert "Accept the offer" in body and "Decline the offer" in body
    assert "Withdraw" not in body


def test_other_borrower_gets_404_on_the_application(client, alice, bob, loan):
    application = submitted(alice, loan)
    client.force_login(bob.user)
    assert client.get(detail_url(application)).status_code == 404


def test_a_missing_application_is_404(alice_client):
    assert alice_client.get(reverse("application-detail", args=[999999])).status_code == 404


# --- allowed actions ------------------------------------------------------------------------


def test_the_borrower_withdraws_an_application_in_review(alice_client, alice, loan):
    application = in_review(alice, loan)
    response = act(alice_client, application, "withdraw")
    assert fresh(application).status == ApplicationStatus.WITHDRAWN
    assert response.redirect_chain[-1][0] == detail_url(application)
    assert "Your application was withdrawn." in response.content.decode()


def test_the_borrower_accepts_an_offer(alice_client, alice, loan, reviewer):
    application = approved(alice, loan, reviewer)
    response = act(alice_client, application, "accept")
    assert fresh(application).status == ApplicationStatus.ACCEPTED
    assert "You accepted the offer." in response.content.decode()


def test_the_borrower_declines_an_offer(alice_client, alice, loan, reviewer):
    application = approved(alice, loan, reviewer)
    response = act(alice_client, application, "decline")
    assert fresh(application).status == ApplicationStatus.DECLINED
    assert "You declined the offer." in response.content.decode()


def test_the_borrower_answers_a_request_for_information_with_text_and_files(
    alice_client, alice, loan, reviewer
):
    application = needs_info(alice, loan, reviewer)
    body = alice_client.get(detail_url(application)).content.decode()
    assert "A reviewer needs more information:" in body
    assert '<label for="id_text">' in body and '<label for="id_answer_files">' in body
    response = act(
        alice_client, application, "answer", text="Here is the bill.", files=[pdf("bill.pdf")]
    )
    application = fresh(application)
    assert application.status == ApplicationStatus.IN_REVIEW
    assert application.evidence.get().original_name == "bill.pdf"
    body = response.content.decode()
    assert "Your answer was sent to the reviewer." in body
    assert "Here is the bill." in body


def test_an_empty_answer_is_refused_next_to_the_text(alice_client, alice, loan, reviewer):
    application = needs_info(alice, loan, reviewer)
    response = act(alice_client, application, "answer", text="  ")
    assert response.status_code == 200
    assert "Please write an answer." in response.content.decode()
    assert fresh(application).status == ApplicationStatus.NEEDS_INFO


def test_an_answer_with_a_bad_file_is_refused_and_keeps_the_text(
    alice_client, alice, loan, reviewer
):
    application = needs_info(alice, loan, reviewer)
    fake = pdf("bill.pdf", data=b"<html><script>alert(1)</script></html>")
    response = act(alice_client, application, "answer", text="The bill.", files=[fake])
    body = response.content.decode()
    assert "bill.pdf is not a PDF, JPEG or PNG file." in body
    assert "The bill.</textarea>" in body
    assert fresh(application).status == ApplicationStatus.NEEDS_INFO
    assert not application.evidence.exists()


# --- refused actions ------------------------------------------------------------------------


def test_accepting_an_expired_offer_is_refused_with_a_message(
    alice_client, alice, loan, reviewer, today
):
    application = approved(alice, loan, reviewer)
    services.offers_expire(today=application.offer_deadline + timedelta(days=1))
    application = fresh(application)
    assert application.status == ApplicationStatus.EXPIRED
    response = act(alice_client, application, "accept")
    assert "This cannot be done now: the application is Offer expired." in (
        response.content.decode()
    )
    assert fresh(application).status == ApplicationStatus.EXPIRED
    assert fresh(application).version == application.version


def test_accepting_an_offer_past_its_deadline_is_refused_before_the_expiry_job(
    alice_client, alice, loan, reviewer, today
):
    application = approved(alice, loan, reviewer)
    type(application).objects.filter(pk=application.pk).update(
        offer_deadline=today - timedelta(days=1)
    )
    application = fresh(application)
    body = alice_client.get(detail_url(application)).content.decode()
    assert "this offer can no longer be accepted" in body
    assert "Accept the offer" not in body
    response = act(alice_client, application, "accept")
    assert "can no longer be accepted" in response.content.decode()
    assert fresh(application).status == ApplicationStatus.APPROVED


def test_withdrawing_after_the_decision_is_refused_and_nothing_changes(
    alice_client, alice, loan, reviewer
):
    application = approved(alice, loan, reviewer)
    events = application.events.count()
    response = act(alice_client, application, "withdraw")
    assert "This cannot be done now: the application is Approved: offer open." in (
        response.content.decode()
    )
    assert fresh(application).status == ApplicationStatus.APPROVED
    assert application.events.count() == events


def test_answering_when_no_information_was_asked_is_refused(alice_client, alice, loan):
    application = in_review(alice, loan)
    response = act(alice_client, application, "answer", text="Hello")
    assert "This cannot be done now" in response.content.decode()
    assert fresh(application).status == ApplicationStatus.IN_REVIEW


def test_a_stale_version_gets_a_clear_message_and_changes_nothing(
    alice_client, alice, loan, reviewer
):
    application = in_review(alice, loan)
    old_version = application.version
    services.relief_application_assign(
        application_id=application.pk, reviewer=reviewer, assignee=reviewer
    )
    response = act(alice_client, application, "withdraw", version=old_version)
    assert "The application changed since you opened it" in response.content.decode()
    assert fresh(application).status == ApplicationStatus.IN_REVIEW


def test_a_stale_answer_keeps_the_text_and_can_be_sent_again(alice_client, alice, loan, reviewer):
    application = needs_info(alice, loan, reviewer)
    old_version = application.version
    services.relief_application_assign(
        application_id=application.pk, reviewer=reviewer, assignee=reviewer
    )
    response = act(alice_client, application, "answer", version=old_version, text="My answer")
    body = response.content.decode()
    assert "The application changed since you opened it" in body
    assert "My answer</textarea>" in body
    assert f'name="version" value="{fresh(application).version}"' in body
    act(alice_client, fresh(application), "answer", text="My answer")
    assert fresh(application).status == ApplicationStatus.IN_REVIEW


def test_an_action_without_a_version_asks_to_reload(alice_client, alice, loan):
    application = in_review(alice, loan)
    response = alice_client.post(
        reverse("application-action", args=[application.pk, "withdraw"]), follow=True
    )
    assert "This page is out of date" in response.content.decode()
    assert fresh(application).status == ApplicationStatus.IN_REVIEW


def test_an_unknown_action_is_404(alice_client, alice, loan):
    application = in_review(alice, loan)
    response = act(alice_client, application, "approve", follow=False)
    assert response.status_code == 404
    assert fresh(application).status == ApplicationStatus.IN_REVIEW


def test_actions_are_post_only(alice_client, alice, loan):
    application = in_review(alice, loan)
    url = reverse("application-action", args=[application.pk, "withdraw"])
    assert alice_client.get(url).status_code == 405


def test_other_borrower_cannot_act_on_the_application(client, alice, bob, loan):
    application = in_review(alice, loan)
    client.force_login(bob.user)
    assert act(client, application, "withdraw", follow=False).status_code == 404
    assert fresh(application).status == ApplicationStatus.IN_REVIEW


# --- evidence download ----------------------------------------------------------------------


@pytest.fixture
def evidence(alice, loan):
    application = submitted(alice, loan, uploads=[pdf("../../etc/passwd.pdf")])
    return application.evidence.get()


def download_url(evidence):
    return reverse("evidence-download", args=[evidence.application_id, evidence.pk])


def test_the_owner_downloads_evidence_as_an_attachment_with_safe_headers(alice_client, evidence):
    response = alice_client.get(download_url(evidence))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="passwd.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_reviewer_downloads_evidence(client, reviewer, evidence):
    client.force_login(reviewer)
    assert client.get(download_url(evidence)).status_code == 200


def test_a_superuser_downloads_evidence(client, evidence):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get(download_url(evidence)).status_code == 200


def test_other_borrower_gets_404_on_evidence(client, bob, evidence):
    client.force_login(bob.user)
    assert client.get(download_url(evidence)).status_code == 404


def test_staff_outside_the_review_groups_gets_404_on_evidence(client, ops, evidence):
    ops.is_staff = True
    ops.save()
    client.force_login(ops)
    assert client.get(download_url(evidence)).status_code == 404


def test_evidence_under_another_application_id_is_404(alice_client, alice, today, evidence):
    other = submitted(alice, overdue_loan(alice, today=today))
    url = reverse("evidence-download", args=[other.pk, evidence.pk])
    assert alice_client.get(url).status_code == 404
