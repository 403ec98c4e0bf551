"""Satisfaction (domain.md §11): one 1–5 question after the decision and after the waiver,
on the application's page and through the API, once per application and moment; asked for
by a link in the decision and waiver messages."""

import pytest
from django.conf import settings
from django.urls import reverse

from relief import selectors, services
from relief.models import Notification, SatisfactionAnswer
from relief.satisfaction import comment_mask
from tests.api.conftest import client_for
from tests.factories import overdue_loan
from tests.relief.page_helpers import approved, fresh, in_review

pytestmark = pytest.mark.django_db

QUESTION = "How satisfied are you with how your request was handled?"


def api_url(application):
    return f"/api/v1/relief-applications/{application.pk}/satisfaction/"


def page_url(application):
    return reverse("application-detail", args=[application.pk])


@pytest.fixture
def offer(alice, reviewer, today):
    return approved(alice, overdue_loan(alice, today=today, days=20), reviewer)


def rejected(borrower, reviewer, today):
    application = in_review(borrower, overdue_loan(borrower, today=today, days=20))
    return services.relief_application_reject(
        application_id=application.pk, reviewer=reviewer, reason_code="ability_to_pay"
    )


def fulfilled(application, borrower, today):
    services.relief_application_accept(application_id=application.pk, user=borrower.user)
    application = fresh(application)
    services.repayment_post(
        loan=application.loan,
        amount=selectors.repay_to_fulfil(application, today=today),
        paid_on=today,
        reference=f"R-{application.pk}",
    )
    application = fresh(application)
    assert application.status == "fulfilled"
    return application


# --- the page -------------------------------------------------------------------------------


def test_the_question_is_asked_on_the_page_once_the_application_is_decided(
    alice_client, alice, reviewer, today
):
    waiting = in_review(alice, overdue_loan(alice, today=today, days=20))
    assert QUESTION not in alice_client.get(page_url(waiting)).content.decode()
    decided = approved(alice, overdue_loan(alice, today=today, days=25), reviewer)
    body = alice_client.get(page_url(decided)).content.decode()
    assert QUESTION in body and 'id="satisfaction"' in body
    assert '<input type="radio" name="score" value="5">' in body


def test_answering_on_the_page_records_it_and_says_thank_you(alice_client, offer):
    response = alice_client.post(
        reverse("application-satisfaction", args=[offer.pk]),
        {"score": "4", "comment": "Quick and kind. Call me on 13800138000."},
    )
    assert response.status_code == 302 and response["Location"] == page_url(offer)
    answer = SatisfactionAnswer.objects.get(application=offer)
    assert (answer.moment, answer.outcome, answer.score) == ("decision", "approved", 4)
    assert answer.comment_masked == "Quick and kind. Call me on *******8000."
    body = alice_client.get(page_url(offer)).content.decode()
    assert "Thank you for telling us." in body
    assert "After the decision you told us: 4 out of 5. Thank you." in body
    assert QUESTION not in body


def test_answering_again_on_the_page_changes_nothing(alice_client, offer):
    url = reverse("application-satisfaction", args=[offer.pk])
    alice_client.post(url, {"score": "4"})
    response = alice_client.post(url, {"score": "1"}, follow=True)
    assert "you already told us how satisfied you are at this step" in response.content.decode()
    assert list(SatisfactionAnswer.objects.values_list("score", flat=True)) == [4]


def test_a_missing_score_is_said_next_to_the_question(alice_client, offer):
    response = alice_client.post(reverse("application-satisfaction", args=[offer.pk]), {})
    assert response.status_code == 200
    body = response.content.decode()
    assert '<p class="field-error" role="alert">Choose a score from 1 to 5.</p>' in body
    assert not SatisfactionAnswer.objects.exists()


def test_the_page_asks_in_chinese_by_default(client, alice, offer):
    client.force_login(alice.user)
    body = client.get(page_url(offer)).content.decode()
    assert "您对我们处理您申请的方式满意吗？" in body


def test_bob_cannot_answer_on_alices_page(client, bob, offer):
    client.force_login(bob.user)
    response = client.post(reverse("application-satisfaction", args=[offer.pk]), {"score": "1"})
    assert response.status_code == 404
    assert not SatisfactionAnswer.objects.exists()


# --- the API --------------------------------------------------------------------------------


def test_api_records_an_answer_and_again_is_a_409(alice, offer):
    api = client_for(alice.user)
    response = api.post(api_url(offer), {"score": 5, "comment": "Fair."}, format="json")
    assert response.status_code == 201
    assert response.json() | {"created_at": None} == {
        "application": offer.pk,
        "moment": "decision",
        "outcome": "approved",
        "score": 5,
        "comment": "Fair.",
        "created_at": None,
    }
    again = api.post(api_url(offer), {"score": 1}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_answered"
    assert SatisfactionAnswer.objects.get().score == 5
    detail = api.get(f"/api/v1/relief-applications/{offer.pk}/").json()
    assert detail["satisfaction"] == {"asked": None, "scores": {"decision": 5}}


def test_bob_cannot_rate_alices_application(bob, offer):
    response = client_for(bob.user).post(api_url(offer), {"score": 1}, format="json")
    assert response.status_code == 404
    assert not SatisfactionAnswer.objects.exists()


def test_before_the_decision_the_api_answers_409(alice, today):
    waiting = in_review(alice, overdue_loan(alice, today=today, days=20))
    response = client_for(alice.user).post(api_url(waiting), {"score": 3}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_decided"
    detail = client_for(alice.user).get(f"/api/v1/relief-applications/{waiting.pk}/").json()
    assert detail["satisfaction"] == {"asked": None, "scores": {}}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"score": 0}, "score"),
        ({"score": 6}, "score"),
        ({"score": "good"}, "score"),
        ({}, "score"),
        ({"score": 3, "comment": "x" * 1001}, "comment"),
        ({"score": 3, "moment": "later"}, "moment"),
        ({"score": 3, "mood": "ok"}, "mood"),
    ],
)
def test_api_refuses_bad_input_with_the_field_named(alice, offer, body, field):
    response = client_for(alice.user).post(api_url(offer), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_rejection_is_rated_as_rejected(alice, reviewer, today):
    application = rejected(alice, reviewer, today)
    response = client_for(alice.user).post(api_url(application), {"score": 2}, format="json")
    assert response.json()["outcome"] == "rejected"


def test_after_the_waiver_the_borrower_is_asked_again(alice, offer, today):
    api = client_for(alice.user)
    api.post(api_url(offer), {"score": 4}, format="json")
    early = api.post(api_url(offer), {"score": 4, "moment": "fulfilment"}, format="json")
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_fulfilled"
    done = fulfilled(offer, alice, today)
    detail = api.get(f"/api/v1/relief-applications/{done.pk}/").json()
    assert detail["satisfaction"] == {"asked": "fulfilment", "scores": {"decision": 4}}
    response = api.post(api_url(done), {"score": 5}, format="json")
    assert response.status_code == 201
    assert (response.json()["moment"], response.json()["outcome"]) == ("fulfilment", "fulfilled")
    assert api.post(api_url(done), {"score": 5}, format="json").status_code == 409


# --- the messages ---------------------------------------------------------------------------


def test_decision_and_waiver_messages_link_to_the_question(alice, reviewer, offer, today):
    link = f"{settings.SITE_URL}/applications/{offer.pk}/#satisfaction"
    approval = Notification.objects.get(application=offer, kind="approved", channel="in_app")
    assert link in approval.texts["en"]["body"] and QUESTION in approval.texts["en"]["body"]
    assert link in approval.texts["zh-hans"]["body"]
    refusal = rejected(alice, reviewer, today)
    assert (
        "#satisfaction"
        in Notification.objects.get(application=refusal, kind="rejected", channel="in_app").texts[
            "en"
        ]["body"]
    )
    fulfilled(offer, alice, today)
    assert (
        link
        in Notification.objects.get(application=offer, kind="fulfilled", channel="in_app").texts[
            "en"
        ]["body"]
    )


# --- masking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("call 13800138000 please", "call *******8000 please"),
        ("call 138 0013 8000", "call *******8000"),
        ("ID 11010519491231002X ok", "ID **************002X ok"),
        ("card 6222-0200-1234-5678", "card ************5678"),
        ("mail me: wang.li@example.com", "mail me: ***@example.com"),
        ("paid 2000 on the 3rd, thanks", "paid 2000 on the 3rd, thanks"),
    ],
)
def test_comments_are_masked_of_numbers_and_addresses(typed, shown):
    assert comment_mask(typed) == shown
