"""An email or SMS reaches the provider once, even when the worker dies between handing it
over and recording the outcome: the attempt is committed first, with the key the provider
deduplicates by; a provider that cannot deduplicate leaves the message to a person."""

import threading
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.utils import timezone

from core.errors import DomainError
from relief.models import Notification
from relief.services.delivery import IN_DOUBT, delivery_settle, notification_send
from relief.services.sweeper import sweep_lost_work
from tests.factories import UserFactory, overdue_loan
from tests.providers import CountingSmsBackend, Provider
from tests.relief.flows import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(tmp_path, monkeypatch, settings):
    monkeypatch.setenv("RELIEF_TEST_PROVIDER_DIR", str(tmp_path))
    settings.SMS_BACKEND = "tests.providers.CountingSmsBackend"
    settings.EMAIL_BACKEND = "tests.providers.CountingEmailBackend"
    return Provider(tmp_path)


def message(alice, today, channel: str) -> Notification:
    alice.notification_channel = channel
    alice.save()
    application = submit(overdue_loan(alice, today=today), triage=False)
    return Notification.objects.get(application=application, kind="submitted", channel=channel)


def killed_after_the_provider_took_it(provider, notification) -> Notification:
    provider.die_after_first_send("exit")
    with pytest.raises(SystemExit):
        notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    return notification


def test_an_sms_whose_worker_died_after_the_provider_took_it_goes_out_once(provider, alice, today):
    sms = message(alice, today, "sms")
    sms = killed_after_the_provider_took_it(provider, sms)
    # The attempt was committed before the provider was called; its outcome never was.
    assert (sms.status, sms.attempts) == ("sending", 1)
    assert len(provider.sent()) == 1

    assert notification_send(notification_id=sms.pk) == "sent"  # the task, delivered again
    assert notification_send(notification_id=sms.pk) == "sent"
    assert len(provider.sent()) == 1
    assert [call["key"] for call in provider.calls()] == [sms.provider_key] * 2
    assert provider.sent()[0]["to"] == alice.phone
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == ("sent", 2, "")
    assert sms.sent_at is not None


def test_an_email_goes_out_once_with_its_key_as_the_message_id(provider, alice, today):
    email = message(alice, today, "email")
    email = killed_after_the_provider_took_it(provider, email)
    assert email.status == "sending"
    assert notification_send(notification_id=email.pk) == "sent"
    [sent] = provider.sent()
    assert sent["key"] == f"<{email.provider_key}@relief.example>"
    assert sent["to"] == alice.user.email
    assert [call["key"] for call in provider.calls()] == [sent["key"]] * 2
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 2)


def test_every_attempt_hands_the_provider_the_same_key(provider, alice, today, settings):
    sms = message(alice, today, "sms")
    settings.SMS_BACKEND = "tests.relief.test_notification_send_once.DownSmsBackend"
    with pytest.raises(Exception, match="provider away"):
        notification_send(notification_id=sms.pk)
    settings.SMS_BACKEND = "tests.providers.CountingSmsBackend"
    assert notification_send(notification_id=sms.pk) == "sent"
    sms.refresh_from_db()
    assert sms.attempts == 2
    assert DownSmsBackend.keys == [sms.provider_key]
    assert [call["key"] for call in provider.calls()] == [sms.provider_key]


def test_an_interrupted_send_the_provider_cannot_deduplicate_waits_for_a_person(
    provider, alice, today, settings
):
    settings.SMS_BACKEND = "tests.providers.ForgetfulSmsBackend"
    sms = killed_after_the_provider_took_it(provider, message(alice, today, "sms"))
    assert notification_send(notification_id=sms.pk) == "needs_attention"
    assert notification_send(notification_id=sms.pk) == "needs_attention"
    assert len(provider.calls()) == 1  # never sent blind
    sms.refresh_from_db()
    assert (sms.status, sms.last_error) == ("needs_attention", IN_DOUBT)


def test_the_sweeper_resumes_a_send_left_sending_by_a_lost_task(provider, alice, today):
    sms = killed_after_the_provider_took_it(provider, message(alice, today, "sms"))
    sweep_lost_work(now=timezone.now() + timedelta(minutes=1))
    sms.refresh_from_db()
    assert sms.status == "sending"  # perhaps still at work: left alone
    # The task was lost with its worker; the sweeper sends it again (eagerly here).
    sweep_lost_work(now=timezone.now() + timedelta(minutes=6))
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("sent", 2)
    assert [m["key"] for m in provider.sent()].count(sms.provider_key) == 1


def test_a_person_settles_the_messages_in_doubt_from_the_admin_list(
    provider, alice, today, settings, client
):
    settings.LANGUAGE_CODE = "en"
    settings.SMS_BACKEND = "tests.providers.ForgetfulSmsBackend"
    went_out = killed_after_the_provider_took_it(provider, message(alice, today, "sms"))
    settings.SMS_BACKEND = "tests.relief.test_notification_send_once.DyingSmsBackend"
    never_left = message(alice, today, "sms")
    with pytest.raises(SystemExit):  # killed before the provider took it
        notification_send(notification_id=never_left.pk)
    settings.SMS_BACKEND = "tests.providers.ForgetfulSmsBackend"
    for sms in (went_out, never_left):
        assert notification_send(notification_id=sms.pk) == "needs_attention"
    assert len(provider.sent()) == 1

    client.force_login(UserFactory(username="ops-desk", is_staff=True, groups=["Ops"]))
    listing = client.get("/admin/relief/notification/", {"status__exact": "needs_attention"})
    assert [n.pk for n in listing.context["cl"].result_list] == [never_left.pk, went_out.pk]
    assert b"Ask the provider" in listing.content
    for action, sms in (("mark_delivered", went_out), ("send_again", never_left)):
        answer = client.post(
            "/admin/relief/notification/", {"action": action, "_selected_action": [sms.pk]}
        )
        assert answer.status_code == 302
    went_out.refresh_from_db()
    assert (went_out.status, went_out.last_error) == ("sent", "")
    never_left.refresh_from_db()
    assert never_left.status == "pending"
    assert notification_send(notification_id=never_left.pk) == "sent"  # the task it queued
    assert sorted(m["key"] for m in provider.sent()) == sorted(
        [went_out.provider_key, never_left.provider_key]
    )
    history = LogEntry.objects.filter(object_id=str(went_out.pk)).get()
    assert history.change_message == "The provider said it was delivered: marked sent."
    assert history.user.username == "ops-desk"


def test_who_may_not_settle_messages_sees_no_action(alice, today, client, reviewer):
    client.force_login(reviewer)  # reads notifications, settles none
    listing = client.get("/admin/relief/notification/")
    assert listing.status_code == 200
    assert b"send_again" not in listing.content
    sms = message(alice, today, "sms")
    Notification.objects.filter(pk=sms.pk).update(status="needs_attention")
    refused = client.post(
        "/admin/relief/notification/", {"action": "send_again", "_selected_action": [sms.pk]}
    )
    assert refused.status_code == 200  # Django's "no action selected" answer
    sms.refresh_from_db()
    assert sms.status == "needs_attention"


class DyingSmsBackend(CountingSmsBackend):
    deduplicates = False

    def send(self, phone, text, *, client_reference):
        raise SystemExit("killed before the provider took the message")


class DownSmsBackend(CountingSmsBackend):
    keys: list[str] = []

    def send(self, phone, text, *, client_reference):
        DownSmsBackend.keys.append(client_reference)
        raise ConnectionError("provider away")


class SlowSmsBackend(CountingSmsBackend):
    """Holds each message until the test lets it through."""

    deduplicates = False
    taking = threading.Event()
    go_on = threading.Event()

    def send(self, phone, text, *, client_reference):
        SlowSmsBackend.taking.set()
        assert SlowSmsBackend.go_on.wait(20)
        super().send(phone, text, client_reference=client_reference)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks of PostgreSQL")
def test_a_task_delivered_twice_while_the_first_is_sending_waits_and_sends_nothing(
    provider, alice, today, settings, policy_v1
):
    """A live attempt is not taken for a dead one, even by a provider without idempotency."""
    settings.SMS_BACKEND = "tests.relief.test_notification_send_once.SlowSmsBackend"
    sms = Notification.objects.create(
        recipient=alice.user, kind="submitted", channel="sms", title="Received", body="#1"
    )
    results = {}

    def send(name):
        try:
            results[name] = notification_send(notification_id=sms.pk)
        finally:
            connection.close()

    first = threading.Thread(target=send, args=("first",))
    first.start()
    assert SlowSmsBackend.taking.wait(20)
    second = threading.Thread(target=send, args=("second",))
    second.start()
    second.join(1.0)
    assert second.is_alive()  # waiting for the first attempt's outcome
    SlowSmsBackend.go_on.set()
    first.join(20)
    second.join(20)
    assert results == {"first": "sent", "second": "sent"}
    assert len(provider.calls()) == 1
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("sent", 1)


def test_the_service_itself_refuses_to_settle_a_message_for_who_may_not(alice, today, reviewer):
    sms = message(alice, today, "sms")
    Notification.objects.filter(pk=sms.pk).update(status="needs_attention")
    with pytest.raises(DomainError) as refused:
        delivery_settle(user=reviewer, notification_id=sms.pk, delivered=True)
    assert refused.value.status == 403
    sms.refresh_from_db()
    assert sms.status == "needs_attention"  # nothing changed
