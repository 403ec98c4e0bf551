"""Personas with API clients, and helpers that put applications in a given state."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from relief import services
from tests.factories import UserFactory, overdue_loan

D = Decimal


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Throttle counts live in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def alice_client(alice):
    return client_for(alice.user)


@pytest.fixture
def bob_client(bob):
    return client_for(bob.user)


@pytest.fixture
def reviewer_client(reviewer):
    return client_for(reviewer)


@pytest.fixture
def senior_client(senior):
    return client_for(senior)


@pytest.fixture
def servicing(db):
    return UserFactory(username="servicing", groups=["Servicing"])


@pytest.fixture
def servicing_client(servicing):
    return client_for(servicing)


@pytest.fixture
def alice_loan(alice, today):
    """The worked example: 2,000.00 due 20 days ago at 18%, penalty 26.60."""
    return overdue_loan(alice, today=today, days=20)


@pytest.fixture
def bob_loan(bob, today):
    return overdue_loan(bob, today=today, days=20)


def submit(loan, user, reason="serious_illness", *, triage=True):
    """An application as the borrower would submit it, triaged like the task would."""
    application = services.relief_application_submit(
        loan=loan, reason=reason, description="I was in hospital.", submitted_by=user
    )
    if triage:
        application = services.relief_application_triage(application_id=application.pk)
    return application


def approve(application, reviewer, percent=80):
    application.refresh_from_db()
    return services.relief_application_approve(
        application_id=application.pk,
        reviewer=reviewer,
        percent=percent,
        version=application.version,
    )


def error_of(response) -> dict:
    """The error object of an API error response (and a check of its shape)."""
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert {"code", "message", "fields"} <= set(error), error
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    return error
