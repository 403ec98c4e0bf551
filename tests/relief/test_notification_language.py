"""A notification is sent in the recipient's language (email, SMS) and shown in the app and
the API in the language the reader uses now; messages written before keep their text."""

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from relief.models import Notification
from relief.services.delivery import notification_send
from tests.factories import BorrowerFactory, overdue_loan
from tests.relief.page_helpers import submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_borrower(db):
    return BorrowerFactory(
        user__username="emma", language="en", notification_channel=Notification.Channel.EMAIL
    )


@pytest.fixture
def application(english_borrower, today):
    return submitted(english_borrower, overdue_loan(english_borrower, today=today))


def test_the_email_goes_out_in_the_borrowers_language(application):
    email = Notification.objects.get(channel=Notification.Channel.EMAIL)
    assert email.title == f"We received your application #{application.pk}"
    notification_send(notification_id=email.pk)
    assert mail.outbox[-1].subject == f"We received your application #{application.pk}"


def test_the_notifications_page_follows_the_readers_language(client, english_borrower, application):
    client.force_login(english_borrower.user)
    page = client.get(reverse("notification-list")).content.decode()  # Chinese, the default
    assert f"我们已收到您的申请 #{application.pk}" in page
    assert "We received your application" not in page
    page = client.get(reverse("notification-list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"We received your application #{application.pk}" in page


def test_the_api_gives_notifications_in_the_requests_language(english_borrower, application):
    client = APIClient()
    client.force_authenticate(english_borrower.user)
    chinese = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    english = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert chinese["results"][0]["title"] == f"我们已收到您的申请 #{application.pk}"
    assert english["results"][0]["title"] == f"We received your application #{application.pk}"
    assert english["results"][0]["body"].startswith("Your estimate is ")
    assert chinese["results"][0]["body"] != english["results"][0]["body"]


def test_a_message_written_before_is_shown_as_it_was_sent(client, english_borrower):
    # Rows from before every language was kept have none but the one they were sent in.
    Notification.objects.create(
        recipient=english_borrower.user, kind="submitted", title="Old title", body="Old body"
    )
    client.force_login(english_borrower.user)
    page = client.get(reverse("notification-list")).content.decode()
    assert "Old title" in page and "Old body" in page
