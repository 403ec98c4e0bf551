"""What the borrower reads around a decision: the reviewer's note on a rejection and how to
reach a person; on an offer, how to pay, what accepting changes and what the credit record
shows; on a form sent with a mistake, the first wrong field has the focus."""

import re

import pytest
from django.urls import reverse

from relief import services
from tests.relief.page_helpers import approved, in_review

pytestmark = pytest.mark.django_db

NOTE = "The hospital certificate is dated after the installment fell due."


def detail(client, application) -> str:
    return client.get(reverse("application-detail", args=[application.pk])).content.decode()


def section(body: str, testid: str) -> str:
    start = body.index(f'data-testid="{testid}"')
    return body[start : body.index("</section>", start)]


def test_a_rejection_shows_the_reviewers_note_and_how_to_reach_customer_service(
    alice_client, alice, loan, reviewer, settings
):
    settings.CUSTOMER_SERVICE = {"phone": "400-123-4567", "email": "care@lender.example"}
    application = in_review(alice, loan)
    services.relief_application_reject(
        application_id=application.pk, reviewer=reviewer, reason_code="ability_to_pay", note=NOTE
    )
    card = section(detail(alice_client, application), "rejection")
    assert "The reviewer's note to you" in card
    assert NOTE in card
    assert "If you disagree" in card
    assert "400-123-4567" in card and "care@lender.example" in card
    assert f"#{application.pk}" in card


def test_a_rejection_without_a_note_still_says_how_to_reach_a_person(
    alice_client, alice, loan, reviewer
):
    application = in_review(alice, loan)
    services.relief_application_reject(
        application_id=application.pk, reviewer=reviewer, reason_code="ability_to_pay"
    )
    card = section(detail(alice_client, application), "rejection")
    assert "note to you" not in card
    assert "Call customer service" in card


def test_the_offer_says_how_to_pay_what_accepting_changes_and_the_credit_record(
    alice_client, alice, loan, reviewer
):
    application = approved(alice, loan, reviewer)
    body = detail(alice_client, application)
    assert "How to pay" in body
    assert "Repay the way you usually repay this loan" in body
    assert "What accepting changes" in body
    assert "Accepting costs nothing and takes no money" in body
    assert "no penalty grows on what is overdue now until the deadline" in body
    assert "What your credit record (征信) will show" in body
    assert "stay on your credit record" in body


def test_the_offer_terms_are_in_chinese_for_a_chinese_reader(client, alice, loan, reviewer):
    application = approved(alice, loan, reviewer)
    client.force_login(alice.user)
    body = detail(client, application)
    assert "如何还款" in body and "接受方案意味着什么" in body and "您的征信记录会显示什么" in body
    assert "目前已逾期的部分不再产生罚息" in body


def autofocused(body: str) -> list[str]:
    return re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"[^>]*\bautofocus', body)


def test_the_first_field_with_an_error_has_the_focus(alice_client, loan):
    url = reverse("loan-apply", args=[loan.pk])
    token_page = alice_client.get(url).content.decode()
    token = re.search(r'name="token" value="([^"]*)"', token_page).group(1)
    body = alice_client.post(url, {"reason": "", "description": "", "token": token}).content
    assert autofocused(body.decode()) == ["id_reason"]
    long_story = "x" * 5000
    body = alice_client.post(url, {"reason": "other", "description": long_story, "token": token})
    assert autofocused(body.content.decode()) == ["id_description"]
    assert autofocused(alice_client.get(url).content.decode()) == []
