import pytest
from django.conf import settings

from tests.factories import overdue_loan


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence files written by a test go to its own folder, never the project's."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def alice_client(client, alice):
    """Alice signed in, reading the pages in English."""
    client.force_login(alice.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def loan(alice, today):
    """The worked example's loan: 2,000.00 due 20 days ago."""
    return overdue_loan(alice, today=today, days=20)
