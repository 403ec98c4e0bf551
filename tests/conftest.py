from datetime import date

import pytest
from django.conf import settings

from tests.factories import BorrowerFactory, UserFactory

# Hashing passwords properly is slow by design; tests only need it to work.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with nothing cached (rate limits, sessions, the active policy): data
    cached by one test, perhaps from a transaction rolled back since, never reaches another."""
    from django.core.cache import cache

    cache.clear()
    yield


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


# Tests run tasks in-process unless they ask for the real worker (`celery_worker` below):
# a task enqueued by one test must never be picked up by another test's worker.
from config.celery import app as celery_app  # noqa: E402

celery_app.conf.task_always_eager = True
# A worker thread opens its own connection; close it after each task so the test database
# can be dropped at the end.
settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


def redis_for_tests() -> str:
    """The Redis the integration tests use: required under CI, else skipped when absent."""
    import os

    from tests.support import redis_test_url

    url = redis_test_url()
    if url is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI needs Redis for the worker tests, and it does not answer")
        pytest.skip("Redis for the worker tests does not answer")
    return url


def use_broker(url: str) -> None:
    """Point the Celery app at another broker, dropping connections to the old one."""
    from kombu import pools

    celery_app.conf.broker_url = url
    pools.reset()  # kombu keeps pools per connection globally; drop them all
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    from core import publishing

    publishing.resume()  # a failure with the old broker says nothing of the new one


@pytest.fixture
def policy_v1(db):
    """Transactional tests flush the data migrations' rows: put the policies back as the
    migrations leave them (version 1 retired, version 2 with arrangements active)."""
    import importlib

    from django.apps import apps

    from relief.models import ReliefPolicy

    migration = importlib.import_module("relief.migrations.0002_policy_v1")
    ReliefPolicy.objects.get_or_create(
        version=1, defaults={"document": migration.POLICY_V1, "status": "active"}
    )
    importlib.import_module("relief.migrations.0020_policy_v2_arrangements").create_v2(apps, None)


@pytest.fixture
def broker_url(policy_v1):
    """The real Redis broker for this test, emptied before and after."""
    import redis

    url = redis_for_tests()
    client = redis.Redis.from_url(url)
    client.flushdb()
    previous = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    celery_app.conf.task_always_eager = False
    use_broker(url)
    yield url
    celery_app.conf.task_always_eager = previous[0]
    use_broker(previous[1])
    client.flushdb()


@pytest.fixture
def celery_worker(broker_url, transactional_db):
    """A real Celery worker (a thread in this process) consuming from Redis."""
    from celery.contrib.testing.worker import start_worker

    with start_worker(
        celery_app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=10,
    ) as worker:
        yield worker
