"""The case page and its decision panel: reviewers decide through the admin, the services
judge, refusals are messages (never a 500) and change nothing."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from relief.models import ApplicationEvent, ApplicationStatus, Evidence, Notification
from relief.services import relief_application_add_evidence
from tests.pdf_samples import SCAN_PDF
from tests.relief.helpers import staff_user, submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """The assertions read the English texts (Chinese is the default language)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Evidence files go to a temporary directory, not the project's var/media."""
    settings.MEDIA_ROOT = tmp_path


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64 + b"IEND\xaeB`\x82"
PDF = SCAN_PDF


def case_url(application) -> str:
    return reverse("admin:relief_reliefapplication_change", args=[application.pk])


def decide_url(application) -> str:
    return reverse("admin:relief_reliefapplication_decide", args=[application.pk])


def decide(client, application, action: str, **fields):
    data = {"action": action, "version": application.version, **fields}
    return client.post(decide_url(application), data, follow=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def senior2(db):
    return staff_user("senior2", "Reviewer", "Senior reviewer")


@pytest.fixture
def case(reviewer):
    """Serious illness, 20 days overdue, no history yet: 50 + 20 + 20 = 90% suggested."""
    return submitted_application(assign_to=reviewer)


@pytest.fixture
def large_case(reviewer):
    """Reason "other": suggested 70%; approving 100% is 30 points over, so four eyes."""
    return submitted_application(reason="other", assign_to=reviewer)


def test_case_page_shows_what_a_reviewer_needs(client, reviewer, case):
    client.force_login(reviewer)
    response = client.get(case_url(case))
    assert response.status_code == 200
    page = response.content.decode()
    assert case.status == ApplicationStatus.IN_REVIEW
    assert case.suggested_percent == 90
    # The penalty breakdown, the quote's reasons, the history, the panel with the suggestion.
    assert "26.60" in page  # 20 days × 1.33
    assert "Base 50" in page
    assert "Serious illness +20" in page
    assert "+10 with evidence a reviewer verifies" in page
    assert 'name="percent"' in page and 'value="90"' in page
    assert "23.94" in page  # 26.60 × 90%, computed by the server
    assert f'name="version" value="{case.version}"' in page
    # The borrower is masked; the phone never appears whole.
    assert case.borrower.phone not in page
    assert case.borrower.phone[-4:] in page


def test_approve_at_the_suggestion(client, reviewer, case):
    client.force_login(reviewer)
    response = decide(client, case, "approve", percent="90", note="fine")
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == ApplicationStatus.APPROVED
    assert case.decided_percent == 90
    assert case.decided_amount == Decimal("23.94")
    assert case.decided_by == reviewer
    assert any("Approved at 90%" in message for message in messages_of(response))


def test_reject_with_a_reason_and_a_note_for_the_borrower(client, reviewer, case):
    client.force_login(reviewer)
    decide(client, case, "reject", reason_code="ability_to_pay", note="Your salary arrived.")
    case.refresh_from_db()
    assert case.status == ApplicationStatus.REJECTED
    assert case.rejection_reason == "ability_to_pay"
    event = ApplicationEvent.objects.filter(application=case).last()
    assert event.to_status == ApplicationStatus.REJECTED
    assert event.note == "Your salary arrived."
    assert Notification.objects.filter(application=case, kind="rejected").exists()


def test_reject_without_a_reason_is_a_message_and_changes_nothing(client, reviewer, case):
    client.force_login(reviewer)
    before = case.version
    response = decide(client, case, "reject", reason_code="", note="kept")
    assert response.status_code == 400
    assert "Choose a reason for the rejection." in messages_of(response)
    assert "kept" in response.content.decode()  # what was typed is not lost
    case.refresh_from_db()
    assert case.status == ApplicationStatus.IN_REVIEW
    assert case.version == before


def test_request_information_sends_the_question(client, reviewer, case):
    client.force_login(reviewer)
    decide(client, case, "request_info", note="Please send the hospital bill.")
    case.refresh_from_db()
    assert case.status == ApplicationStatus.NEEDS_INFO
    assert case.events.last().note == "Please send the hospital bill."


@pytest.mark.parametrize("percent", ["", "abc", "101", "-1", "50.5"])
def test_a_bad_percent_is_refused_without_a_500(client, reviewer, case, percent):
    client.force_login(reviewer)
    response = decide(client, case, "approve", percent=percent)
    assert response.status_code == 400
    assert "The percent must be a whole number from 0 to 100." in messages_of(response)
    case.refresh_from_db()
    assert case.status == ApplicationStatus.IN_REVIEW


def test_a_stale_version_is_refused_and_nothing_changes(client, reviewer, case):
    client.force_login(reviewer)
    stale = case.version
    decide(client, case, "request_info", note="A question")
    case.refresh_from_db()
    assert case.status == ApplicationStatus.NEEDS_INFO
    response = client.post(
        decide_url(case), {"action": "approve", "percent": "80", "version": stale}, follow=True
    )
    assert response.status_code == 409
    assert any("changed since you opened it" in m for m in messages_of(response))
    case.refresh_from_db()
    assert case.status == ApplicationStatus.NEEDS_INFO
    assert case.decided_percent is None


def test_a_missing_version_is_refused(client, reviewer, case):
    client.force_login(reviewer)
    response = client.post(decide_url(case), {"action": "approve", "percent": "80"}, follow=True)
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == ApplicationStatus.IN_REVIEW


def test_a_decision_not_allowed_now_is_a_message(client, reviewer, case):
    client.force_login(reviewer)
    decide(client, case, "approve", percent="80")
    case.refresh_from_db()
    response = decide(client, case, "reject", reason_code="other")
    assert response.status_code == 409
    assert any("cannot be done now" in m for m in messages_of(response))
    case.refresh_from_db()
    assert case.status == ApplicationStatus.APPROVED


def test_unknown_action_and_get_are_refused(client, reviewer, case):
    client.force_login(reviewer)
    assert decide(client, case, "waive_everything").status_code == 400
    assert client.get(decide_url(case)).status_code == 405
    assert client.post(case_url(case), {"status": "approved"}).status_code == 405
    case.refresh_from_db()
    assert case.status == ApplicationStatus.IN_REVIEW


# --- four eyes -------------------------------------------------------------------------------


def test_beyond_the_thresholds_waits_for_a_second_senior(client, reviewer, senior, large_case):
    assert large_case.suggested_percent == 70
    client.force_login(reviewer)
    response = decide(client, large_case, "approve", percent="100")
    large_case.refresh_from_db()
    assert large_case.status == ApplicationStatus.PENDING_SECOND_APPROVAL
    assert large_case.first_approver == reviewer
    assert any("second approval" in m for m in messages_of(response))

    client.force_login(senior)
    page = client.get(case_url(large_case)).content.decode()
    assert 'value="second_approve"' in page and 'value="second_return"' in page
    decide(client, large_case, "second_approve", note="agreed")
    large_case.refresh_from_db()
    assert large_case.status == ApplicationStatus.APPROVED
    assert large_case.decided_by == senior
    assert large_case.decided_percent == 100


def test_the_same_person_cannot_give_both_approvals(client, senior, large_case):
    client.force_login(senior)
    decide(client, large_case, "approve", percent="100")
    large_case.refresh_from_db()
    assert large_case.status == ApplicationStatus.PENDING_SECOND_APPROVAL
    page = client.get(case_url(large_case)).content.decode()
    assert "You gave the first approval" in page
    assert 'value="second_approve"' not in page
    # Posted anyway (an old tab, a crafted request): the service refuses.
    response = decide(client, large_case, "second_approve")
    assert response.status_code == 409
    assert any("someone other than the first approver" in m for m in messages_of(response))
    large_case.refresh_from_db()
    assert large_case.status == ApplicationStatus.PENDING_SECOND_APPROVAL
    assert large_case.decided_by is None


def test_a_reviewer_who_is_not_senior_cannot_give_the_second_approval(
    client, reviewer, senior, large_case
):
    client.force_login(senior)
    decide(client, large_case, "approve", percent="100")
    large_case.refresh_from_db()
    client.force_login(reviewer)
    page = client.get(case_url(large_case)).content.decode()
    assert 'value="second_approve"' not in page
    response = decide(client, large_case, "second_approve")
    assert response.status_code == 403
    large_case.refresh_from_db()
    assert large_case.status == ApplicationStatus.PENDING_SECOND_APPROVAL


def test_a_second_senior_returns_the_case_with_a_note(client, senior, senior2, large_case):
    client.force_login(senior)
    decide(client, large_case, "approve", percent="100")
    large_case.refresh_from_db()
    client.force_login(senior2)
    decide(client, large_case, "second_return", note="Too generous without evidence.")
    large_case.refresh_from_db()
    assert large_case.status == ApplicationStatus.IN_REVIEW
    assert large_case.decided_percent is None
    assert large_case.events.last().note == "Too generous without evidence."


# --- assignment and evidence ------------------------------------------------------------------


def test_claim_from_the_case_page(client, senior, case):
    client.force_login(senior)
    url = reverse("admin:relief_reliefapplication_assign", args=[case.pk])
    client.post(url, {"version": case.version})
    case.refresh_from_db()
    assert case.assigned_to == senior


def test_verifying_evidence_rescores_the_case(client, reviewer, case):
    upload = SimpleUploadedFile("scan.png", PNG, content_type="image/png")
    relief_application_add_evidence(
        application_id=case.pk, user=case.borrower.user, uploads=[upload]
    )
    evidence = Evidence.objects.get(application=case)
    client.force_login(reviewer)
    page = client.get(case_url(case)).content.decode()
    file_url = reverse("admin:relief_reliefapplication_evidence_file", args=[case.pk, evidence.pk])
    assert f'src="{file_url}"' in page
    verify_url = reverse(
        "admin:relief_reliefapplication_verify_evidence", args=[case.pk, evidence.pk]
    )
    client.post(verify_url, {"verified": "1", "version": case.version})
    case.refresh_from_db()
    evidence.refresh_from_db()
    assert evidence.verified_by == reviewer
    assert case.suggested_percent == 100  # + 10 for verified evidence, cap 100
    assert case.review_quote["percent"] == 100

    # A stale version: refused, nothing changes.
    response = client.post(verify_url, {"verified": "0", "version": case.version - 1}, follow=True)
    assert any("changed since you opened it" in m for m in messages_of(response))
    evidence.refresh_from_db()
    assert evidence.verified_at is not None


def test_evidence_files_are_served_to_reviewers_only_with_nosniff(client, reviewer, ops, case):
    relief_application_add_evidence(
        application_id=case.pk,
        user=case.borrower.user,
        uploads=[
            SimpleUploadedFile("scan.png", PNG, content_type="image/png"),
            SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf"),
        ],
    )
    image, pdf = Evidence.objects.filter(application=case).order_by("id")
    url = reverse("admin:relief_reliefapplication_evidence_file", args=[case.pk, image.pk])
    client.force_login(reviewer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == PNG
    pdf_url = reverse("admin:relief_reliefapplication_evidence_file", args=[case.pk, pdf.pk])
    assert client.get(pdf_url)["Content-Disposition"].startswith("attachment")
    # Another application's file under this case's URL: not found.
    other = submitted_application()
    wrong = reverse("admin:relief_reliefapplication_evidence_file", args=[other.pk, image.pk])
    assert client.get(wrong).status_code == 404
    # Ops staff may read cases (if made staff) but not the borrower's documents.
    ops.is_staff = True
    ops.save()
    client.force_login(ops)
    assert client.get(url).status_code == 403
    # The borrower has no admin access at all.
    client.force_login(case.borrower.user)
    assert client.get(url).status_code == 302


def test_a_case_that_does_not_exist_goes_back_to_the_admin_index_with_a_warning(client, reviewer):
    client.force_login(reviewer)
    response = client.get(
        reverse("admin:relief_reliefapplication_change", args=[999999]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert any("doesn’t exist" in m for m in messages_of(response))


def test_the_loan_is_a_link_for_those_who_may_open_it(client, reviewer, case):
    client.force_login(reviewer)
    page = client.get(case_url(case)).content.decode()
    assert reverse("admin:loans_loan_change", args=[case.loan_id]) in page
