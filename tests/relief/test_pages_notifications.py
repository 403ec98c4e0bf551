"""The notifications page, marking read, and the unread count in every page's header."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relief.models import Notification
from tests.factories import overdue_loan
from tests.relief.page_helpers import in_review, submitted

pytestmark = pytest.mark.django_db


def in_app(user):
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)


def header(body: str) -> str:
    return body.split("</header>")[0]


def test_the_borrower_sees_their_notifications_newest_first(alice_client, alice, today):
    application = in_review(alice, overdue_loan(alice, today=today))
    body = alice_client.get(reverse("notification-list")).content.decode()
    # Alice's language is Chinese; she reads the site in English now, and so the messages.
    received = body.index(f"We received your application #{application.pk}")
    with_reviewer = body.index(f"Application #{application.pk} is with a reviewer")
    assert with_reviewer < received
    assert f'href="/applications/{application.pk}/"' in body
    assert "Mark as read" in body


def test_the_unread_count_is_in_the_header_of_every_page(alice_client, alice, today):
    loan = overdue_loan(alice, today=today)
    in_review(alice, loan)
    for url in (reverse("dashboard"), reverse("loan-detail", args=[loan.pk])):
        page = header(alice_client.get(url).content.decode())
        assert 'class="unread-count"' in page and "</span>2</span>" in page


def test_the_header_has_links_to_loans_applications_and_notifications(alice_client):
    page = header(alice_client.get(reverse("dashboard")).content.decode())
    assert f'href="{reverse("application-list")}"' in page
    assert f'href="{reverse("notification-list")}"' in page
    assert "My loans" in page and "My applications" in page and "Notifications" in page
    assert "unread-count" not in page


def test_the_unread_count_is_one_query(alice_client, alice, today):
    submitted(alice, overdue_loan(alice, today=today))
    with CaptureQueriesContext(connection) as captured:
        alice_client.get(reverse("dashboard"))
    counts = [q["sql"] for q in captured if "relief_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT(" in counts[0]


def test_the_login_page_does_not_count_notifications(client):
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("login"))
    assert not [q for q in captured if "relief_notification" in q["sql"]]


def test_marking_one_notification_read(alice_client, alice, today):
    submitted(alice, overdue_loan(alice, today=today))
    notification = in_app(alice.user).get()
    response = alice_client.post(reverse("notification-read", args=[notification.pk]))
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None
    page = header(alice_client.get(reverse("dashboard")).content.decode())
    assert "unread-count" not in page


def test_marking_read_returns_to_the_page_it_came_from_but_never_off_site(
    alice_client, alice, today
):
    submitted(alice, overdue_loan(alice, today=today))
    notification = in_app(alice.user).get()
    url = reverse("notification-read", args=[notification.pk])
    back = alice_client.post(url, {"next": "/notifications/?page=2"})
    assert back["Location"] == "/notifications/?page=2"
    away = alice_client.post(url, {"next": "https://evil.example/"})
    assert away["Location"] == reverse("notification-list")


def test_mark_all_read(alice_client, alice, today):
    in_review(alice, overdue_loan(alice, today=today))
    assert in_app(alice.user).filter(read_at__isnull=True).count() == 2
    response = alice_client.post(reverse("notification-read-all"), follow=True)
    assert not in_app(alice.user).filter(read_at__isnull=True).exists()
    assert "All notifications are marked as read." in response.content.decode()


def test_another_borrowers_notification_cannot_be_marked_read(client, alice, bob, today):
    submitted(alice, overdue_loan(alice, today=today))
    notification = in_app(alice.user).get()
    client.force_login(bob.user)
    response = client.post(reverse("notification-read", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_another_borrowers_notifications_are_not_listed(client, alice, bob, today):
    application = submitted(alice, overdue_loan(alice, today=today))
    client.force_login(bob.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("notification-list")).content.decode()
    assert f"#{application.pk}" not in body
    assert "No notifications yet." in body


def test_email_and_sms_copies_are_not_shown_in_the_app(alice_client, alice, today):
    submitted(alice, overdue_loan(alice, today=today))
    assert Notification.objects.filter(recipient=alice.user).count() == 2  # in-app + SMS
    body = alice_client.get(reverse("notification-list")).content.decode()
    assert body.count("We received your application") == 1


def test_notifications_are_paginated(alice_client, alice):
    Notification.objects.bulk_create(
        Notification(recipient=alice.user, kind="x", title=f"Message {n}", body="")
        for n in range(25)
    )
    first = alice_client.get(reverse("notification-list")).content.decode()
    second = alice_client.get(reverse("notification-list"), {"page": 2}).content.decode()
    assert "Page 1 of 2" in first and first.count('class="card notification') == 20
    assert second.count('class="card notification') == 5
    assert alice_client.get(reverse("notification-list"), {"page": "x"}).status_code == 200


def test_notification_pages_need_a_login(client):
    response = client.get(reverse("notification-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
