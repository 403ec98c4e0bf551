"""What the borrower reads of an accepted offer: one fixed amount that will not grow until the
deadline, on the offer page, in the acceptance notification and in the API, in both
languages."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from loans.services import penalties_accrue
from relief.models import Notification
from tests.relief.page_helpers import approved, fresh

pytestmark = pytest.mark.django_db


def accept_on_the_page(client, application):
    url = reverse("application-action", args=[application.pk, "accept"])
    return client.post(url, {"version": application.version}, follow=True)


def ten_days_later(today):
    penalties_accrue(day=today + timedelta(days=10))
    return time_machine.travel(timezone.now() + timedelta(days=10), tick=False)


def test_the_accepted_offer_page_shows_the_same_fixed_amount_ten_days_later(
    alice_client, alice, loan, reviewer, today
):
    application = approved(alice, loan, reviewer, percent=80)
    accept_on_the_page(alice_client, application)
    deadline = fresh(application).offer_deadline.isoformat()
    with ten_days_later(today):
        body = alice_client.get(reverse("application-detail", args=[application.pk]))
    body = body.content.decode()
    # 2,000.00 overdue + 26.60 penalty − 21.28 relief, as on the day of acceptance.
    assert "¥2,005.32" in body
    assert (
        f"The amount was fixed at ¥2,005.32 when you accepted: it will not grow until "
        f"{deadline}." in body
    )


def test_the_fixed_amount_reads_in_chinese(client, alice, loan, reviewer):
    application = approved(alice, loan, reviewer, percent=80)
    client.force_login(alice.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    accept_on_the_page(client, application)
    deadline = fresh(application).offer_deadline.isoformat()
    body = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    assert f"应还金额已固定为 ¥2,005.32，在 {deadline} 前不会增加" in body


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "The amount to repay is fixed at ¥2,005.32: it will not grow until {deadline}."),
        ("zh-hans", "应还金额已固定为 ¥2,005.32，在 {deadline} 前不会增加。"),
    ],
)
def test_the_acceptance_notification_says_the_amount_will_not_grow(
    alice_client, alice, loan, reviewer, language, sentence
):
    alice.language, alice.notification_channel = language, "email"
    alice.save()
    application = approved(alice, loan, reviewer, percent=80)
    accept_on_the_page(alice_client, application)
    deadline = fresh(application).offer_deadline.isoformat()
    told = Notification.objects.filter(application=application, kind="accepted")
    assert sorted(told.values_list("channel", flat=True)) == ["email", "in_app"]
    for message in told:
        assert sentence.format(deadline=deadline) in message.body


def test_the_api_gives_the_fixed_amount_after_acceptance(
    alice_client, alice, loan, reviewer, today
):
    application = approved(alice, loan, reviewer, percent=80)
    url = f"/api/v1/relief-applications/{application.pk}/"
    before = alice_client.get(url).json()
    assert before["repay_to_fulfil"] == "2005.32"
    assert before["repay_to_fulfil_at_acceptance"] is None
    assert alice_client.post(f"{url}accept/", content_type="application/json").status_code == 200
    with ten_days_later(today):
        body = alice_client.get(url).json()
    assert body["status"] == "accepted"
    assert body["accepted_on"] == today.isoformat()
    assert body["repay_to_fulfil"] == body["repay_to_fulfil_at_acceptance"] == "2005.32"


def test_the_loan_api_shows_the_frozen_penalty_apart_from_what_is_owed(
    alice_client, alice, loan, reviewer, today
):
    application = approved(alice, loan, reviewer, percent=80)
    accept_on_the_page(alice_client, application)
    deadline = fresh(application).offer_deadline.isoformat()
    with ten_days_later(today):
        body = alice_client.get(f"/api/v1/loans/{loan.pk}/").json()
    first = body["installments"][0]
    assert first["penalty_accrued"] == first["penalty_outstanding"] == "26.60"
    assert first["penalty_frozen"] == "13.30"  # 10 days × 1.33, not owed
    assert first["penalty_frozen_until"] == deadline
    assert body["installments"][1]["penalty_frozen_until"] is None
