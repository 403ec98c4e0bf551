"""Delivery of email and SMS, retries and failures, and due-date reminders."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from core.errors import TemporaryFailure
from loans.models import mask_phone
from relief.models import Notification
from relief.services.delivery import notification_send
from relief.services.reminders import installment_reminders_send
from relief.tasks import send_notification
from tests.factories import make_loan, overdue_loan
from tests.relief.flows import submit

pytestmark = pytest.mark.django_db


def pending(application, channel):
    return Notification.objects.get(application=application, kind="submitted", channel=channel)


@pytest.fixture
def email_borrower(alice):
    alice.notification_channel = "email"
    alice.language = "en"
    alice.save()
    return alice


def test_email_notification_is_sent_once_in_the_borrowers_language(email_borrower, today):
    application = submit(overdue_loan(email_borrower, today=today), triage=False)
    notification = pending(application, "email")
    assert notification_send(notification_id=notification.pk) == "sent"
    assert notification_send(notification_id=notification.pk) == "sent"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"We received your application #{application.pk}"
    assert mail.outbox[0].to == [email_borrower.user.email]


def test_a_passing_failure_is_recorded_and_raised_for_a_retry(email_borrower, today, settings):
    settings.EMAIL_BACKEND = "tests.relief.test_notifications_and_reminders.FlakyBackend"
    application = submit(overdue_loan(email_borrower, today=today), triage=False)
    notification = pending(application, "email")
    with pytest.raises(TemporaryFailure, match="mail server away"):
        notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("pending", 1)
    assert "mail server away" in notification.last_error
    assert notification_send(notification_id=notification.pk, final_attempt=True) == "failed"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("failed", 2)


def test_the_task_tries_six_times_then_marks_the_notification_failed(
    email_borrower, today, settings, monkeypatch
):
    """The retries are the task's: a provider down for good costs 1 + 5 retries, then the
    row is failed and the task ends without an error (eagerly, the retries run at once)."""
    settings.EMAIL_BACKEND = "tests.relief.test_notifications_and_reminders.FlakyBackend"
    application = submit(overdue_loan(email_borrower, today=today), triage=False)
    notification = pending(application, "email")
    # Run eagerly, a retry is a Retry exception that the run must catch to go on, not raise.
    monkeypatch.setitem(send_notification.app.conf, "task_eager_propagates", False)
    result = send_notification.apply(args=[notification.pk])
    assert result.successful() and result.get() == "failed"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("failed", 6)
    assert "mail server away" in notification.last_error


def test_a_permanent_failure_marks_the_row_failed_without_blocking_the_case(email_borrower, today):
    email_borrower.user.email = ""
    email_borrower.user.save()
    application = submit(overdue_loan(email_borrower, today=today))
    notification = pending(application, "email")
    assert notification_send(notification_id=notification.pk) == "failed"
    notification.refresh_from_db()
    assert notification.last_error == "no email address on file"
    application.refresh_from_db()
    assert application.status == "in_review"


def test_sms_goes_through_the_configured_backend_with_the_phone_masked_in_logs(
    alice, today, caplog
):
    application = submit(overdue_loan(alice, today=today), triage=False)
    with caplog.at_level("INFO", logger="relief.services.notifications"):
        assert notification_send(notification_id=pending(application, "sms").pk) == "sent"
    assert mask_phone(alice.phone) in caplog.text
    assert alice.phone not in caplog.text


def test_reminder_three_days_before_an_installment_falls_due_is_sent_once(alice, today):
    make_loan(alice, schedule=[(today + timedelta(days=3), Decimal("900.00"), Decimal("100.00"))])
    make_loan(alice, schedule=[(today + timedelta(days=4), Decimal("900.00"), Decimal("100.00"))])
    assert installment_reminders_send(today=today) == 1
    assert installment_reminders_send(today=today) == 0
    reminder = Notification.objects.get(kind="installment_due", channel="in_app")
    assert "¥1,000.00" in reminder.body  # grouped, as on the pages
    assert reminder.recipient == alice.user


class FlakyBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("mail server away")
