from datetime import date

import pytest
from django.conf import settings

from tests.factories import BorrowerFactory, UserFactory

# Hashing passwords properly is slow by design; tests only need it to work.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def today() -> date:
    from loans.selectors import local_today

    return local_today()


@pytest.fixture
def alice(db):
    return BorrowerFactory(user__username="alice", name="Alice")


@pytest.fixture
def bob(db):
    return BorrowerFactory(user__username="bob", name="Bob")


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", is_staff=True, groups=["Reviewer"])


@pytest.fixture
def senior(db):
    return UserFactory(username="senior", is_staff=True, groups=["Reviewer", "Senior reviewer"])


@pytest.fixture
def ops(db):
    return UserFactory(username="ops", groups=["Ops"])
