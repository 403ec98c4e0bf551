"""A worker process killed right after the SMS provider took a message, before the outcome
was committed: the task is delivered again and the borrower gets the message once."""

import signal
import subprocess

import pytest
from django.db import connection

from relief.models import Notification
from relief.services import relief_application_submit
from tests.factories import BorrowerFactory, overdue_loan
from tests.integration.test_faults import worker_process
from tests.providers import Provider
from tests.support import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a worker process on PostgreSQL"
)
def test_a_worker_killed_after_the_provider_took_an_sms_sends_it_once(
    broker_url, tmp_path, today, reviewer
):
    provider = Provider(tmp_path)
    provider.die_after_first_send("kill")  # SIGKILL of the pool process that sends first
    worker = worker_process(
        broker_url,
        SMS_BACKEND="tests.providers.CountingSmsBackend",
        RELIEF_TEST_PROVIDER_DIR=str(tmp_path),
    )
    try:
        loan = overdue_loan(BorrowerFactory(notification_channel="sms"), today=today, days=20)
        application = relief_application_submit(
            loan=loan, reason="other", submitted_by=loan.borrower.user
        )
        sms = Notification.objects.filter(application=application, channel="sms")
        # "We received it" and "a reviewer has it": two messages, the first one killed.
        assert wait_for(
            lambda: sms.count() == 2 and not sms.exclude(status="sent").exists(), timeout=60
        ), list(sms.values_list("kind", "status", "attempts"))
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert not (tmp_path / "die-once").exists(), "no worker died"
    keys = sorted(sms.values_list("provider_key", flat=True))
    assert sorted(message["key"] for message in provider.sent()) == keys
    killed = sms.get(attempts=2)  # the redelivered task tried again with the same key
    assert [call["key"] for call in provider.calls()].count(killed.provider_key) == 2
    assert {message["to"] for message in provider.sent()} == {loan.borrower.phone}
