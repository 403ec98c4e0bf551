"""Schemathesis over /api/schema/, in process through the WSGI app: whatever it sends, no
5xx, and every answer matches the schema (status, content type, body, headers).

Run as three personas so that each part of the API is reached past its permission check:
a borrower for everything, the servicing system and a reviewer for their endpoints. Path ids
are pointed at real objects (the 404 for unknown ids has its own tests).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.api.conftest import client_for, submit
from tests.factories import overdue_loan

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
FUZZ = hypothesis_settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def world(db, settings, tmp_path, alice, reviewer, servicing, today):
    """Objects for the ids in paths, throttles out of the way, the test transaction kept."""
    settings.MEDIA_ROOT = tmp_path
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login": "100000/min", "applications": "100000/min"},
    }
    # Django closes the connection after each WSGI request, which would end the test's
    # transaction; the test client does the same disconnection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    loan = overdue_loan(alice, today=today)
    case = submit(overdue_loan(alice, today=today), alice.user)
    notification = alice.user.notifications.first()
    ids = {
        "loan_id": loan.pk,
        "application_id": case.pk,
        "notification_id": notification.pk,
        "external_id": loan.external_id,
    }
    tokens = {
        name: client_for(user)._credentials["HTTP_AUTHORIZATION"]
        for name, user in (
            ("borrower", alice.user),
            ("reviewer", reviewer),
            ("servicing", servicing),
        )
    }
    yield ids, tokens
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Loaded when the module is collected (Django is set up by then; the schema view reads no
# database). `schemathesis.pytest.from_fixture` would be lazier but fails under pytest 9.
# The ops reports (reports app) are left to that app's own tests.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application).exclude(
    tag="reports"
)


def call(case, world, persona):
    ids, tokens = world
    for name in case.path_parameters or {}:
        if name in ids:
            case.path_parameters[name] = ids[name]
    case.call_and_validate(headers={"Authorization": tokens[persona]}, checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_api_as_a_borrower(case, world):
    call(case, world, "borrower")


@schema.include(tag="servicing").parametrize()
@FUZZ
def test_servicing_api(case, world):
    call(case, world, "servicing")


@schema.include(tag="review").parametrize()
@FUZZ
def test_review_api(case, world):
    call(case, world, "reviewer")
