"""`make chaos` counts honestly: a message the provider took twice, or one marked sent that it
never took, shows in its columns (the run itself is not part of `make test`)."""

import pytest

from chaos.__main__ import MUST_BE_ZERO, table
from chaos.backends import record
from chaos.measure import messages, provider_sends
from relief.models import Notification
from relief.services.delivery import notification_send
from tests.api.conftest import submit
from tests.factories import overdue_loan

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_loan(alice, today):
    return overdue_loan(alice, today=today, days=20)


@pytest.fixture
def counted(settings, monkeypatch, tmp_path):
    path = tmp_path / "sends.jsonl"
    path.touch()
    monkeypatch.setenv("CHAOS_SENDS", str(path))
    settings.SMS_BACKEND = "chaos.backends.CountingSmsBackend"
    settings.EMAIL_BACKEND = "chaos.backends.CountingEmailBackend"
    return path


def test_the_chaos_count_sees_a_message_sent_twice_and_one_never_sent(
    counted, alice, alice_loan, reviewer
):
    alice.notification_channel = "sms"
    alice.save()
    application = submit(alice_loan, alice.user)
    rows = list(Notification.objects.filter(application=application, channel="sms"))
    assert len(rows) == 2  # received, in review
    for row in rows:
        assert notification_send(notification_id=row.pk) == "sent"
    assert messages([alice_loan.pk], provider_sends(counted)) == (0, 0, 0)

    first, second = rows
    record("sms", alice.phone, f"{first.title}: {first.body}")  # the provider took it again
    assert messages([alice_loan.pk], provider_sends(counted)) == (0, 1, 0)

    lines = counted.read_text().splitlines()
    counted.write_text("\n".join(line for line in lines if second.body not in line) + "\n")
    # `second` is marked sent, and the provider never had it: lost
    assert messages([alice_loan.pk], provider_sends(counted)) == (0, 1, 1)


def test_an_email_goes_through_the_counting_backend(counted, alice, alice_loan, reviewer):
    alice.notification_channel = "email"
    alice.save()
    application = submit(alice_loan, alice.user)
    row = Notification.objects.get(application=application, channel="email", kind="in_review")
    notification_send(notification_id=row.pk)
    assert provider_sends(counted)[("email", alice.user.email, f"{row.title}\n{row.body}")] == 1


def test_the_table_has_the_columns_that_decide_the_exit():
    row = {
        "scenario": "x",
        "requests": 1,
        "statuses": "201×1",
        "p50": 0.1,
        "p95": 0.2,
        "max": 0.3,
        "saved": 1,
        "triaged": 1,
        "duplicates": 0,
        "sends": 0,
        "lost": 0,
        "errors": 0,
    }
    text = table([row])
    assert "dup sends" in text and "lost" in text and "500s" in text
    assert set(MUST_BE_ZERO) == {"duplicates", "sends", "lost", "errors"}


def test_the_counting_provider_sends_a_key_once_and_two_keys_twice(counted, alice):
    record("sms", alice.phone, "hello", "key-1")
    record("sms", alice.phone, "hello", "key-1")  # a retry with the same key: not sent again
    assert provider_sends(counted)[("sms", alice.phone, "hello")] == 1
    record("sms", alice.phone, "hello", "key-2")  # the same text under a new key: twice
    assert provider_sends(counted)[("sms", alice.phone, "hello")] == 2
