"""PII in logs: what Relief writes to its log names no password, no full phone number, and
(for failed sign-ins) neither the username nor the address; an error page shows no
traceback. (Exports are masked unless the user holds relief.export_unmasked: the reports
app's tests, see docs/security.md.)"""

import logging

import pytest
from django.test import Client

from relief.services.notifications import LogSmsBackend

pytestmark = pytest.mark.django_db


def test_the_sms_log_masks_the_phone_number(caplog):
    with caplog.at_level(logging.INFO, logger="relief"):
        LogSmsBackend().send(
            "13812345678", "Application #7 approved", client_reference="relief-0123"
        )
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "13812345678" not in text
    assert "138****5678" in text and "Application #7 approved" in text


def test_failed_sign_ins_are_logged_without_username_address_or_password(alice, caplog):
    client = Client(REMOTE_ADDR="203.0.113.9")
    with caplog.at_level(logging.INFO):
        for _ in range(5):
            client.post("/accounts/login/", {"username": "alice", "password": "hunter2-guess"})
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "Locking out" in text  # it is logged …
    assert "hunter2-guess" not in text  # … without the password,
    assert "203.0.113.9" not in text  # the address
    assert "alice" not in text  # or the username (AXES_SENSITIVE_PARAMETERS)
    from axes.models import AccessAttempt

    (attempt,) = AccessAttempt.objects.all()  # what the lockout needs, kept in the database
    assert attempt.username == "alice" and attempt.failures_since_start == 5
    assert "hunter2-guess" not in attempt.post_data


def test_a_server_error_shows_no_traceback(world, people, settings):
    """DEBUG is off in production: a bug answers with the site's page, not the details."""
    from unittest import mock

    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(people["owner"])
    with mock.patch(
        "relief.loan_views.selectors.loan_card_of_user", side_effect=KeyError("secret-detail")
    ):
        response = client.get(f"/loans/{world.loan.pk}/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "secret-detail" not in body and "Traceback" not in body
