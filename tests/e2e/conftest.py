"""Browser journeys: Playwright driving Debian's Chromium against the live test server, on
PostgreSQL, with a real Celery worker on Redis.

Each test gets a fresh database (live_server and the worker both need committed data, so
the tests are transactional and flushed after each one): the migrations' rows (policy v1,
the roles' groups) are put back and the demo data of `seed_demo` is loaded, so the journeys
run with the demo accounts (password `relief-demo`) and alice's worked-example loan.

`SCREENSHOTS=docs/screenshots` (`make screenshots`) saves PNGs of the key screens.
Under CI (CI=true) or with SCREENSHOTS set, a missing Chromium, PostgreSQL or Redis fails
the run; elsewhere the journeys are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.support import redis_test_url

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
FAILURES = Path(settings.BASE_DIR) / "var" / "e2e-failures"


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: a browser journey (Chromium, live server, worker)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str):
    """Fail under CI (the journeys must run there) or when screenshots were asked for; skip
    elsewhere."""
    if in_ci() or os.environ.get("SCREENSHOTS"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


# --- the browser ------------------------------------------------------------------------------


@contextmanager
def async_unsafe_allowed():
    """Playwright's sync API keeps an asyncio event loop marked as running in this thread, so
    Django takes every ORM call the test makes (building data, checking results) for one made
    from async code and raises SynchronousOnlyOperation. The calls are synchronous in fact;
    DJANGO_ALLOW_ASYNC_UNSAFE is Django's switch for that case. It is set only while the
    browser runs: set for the whole session, it would leak into the subprocesses other tests
    start (`manage.py check --deploy` rightly refuses it)."""
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        unavailable(
            f"The browser journeys need Chromium at {CHROMIUM}: "
            "install it with `apt-get install chromium` (.ci/run does)."
        )
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        unavailable("The browser journeys need Playwright: `make install` installs it.")
    expect.set_options(timeout=TIMEOUT_MS)
    with async_unsafe_allowed(), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def failures_folder() -> Path:
    """Where a failed journey's pages are saved; emptied once a run."""
    shutil.rmtree(FAILURES, ignore_errors=True)
    return FAILURES


@pytest.fixture
def open_page(request, browser, live_server, failures_folder):
    """open_page(locale="zh-CN", viewport=DESKTOP) → a new page in its own browser context
    (its own cookies: one person), pointed at the live server."""
    contexts = []

    def open_page(*, locale: str = "zh-CN", viewport: dict | None = None, phone=False):
        options = {"is_mobile": True, "has_touch": True} if phone else {}
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            viewport=viewport or (PHONE if phone else DESKTOP),
            accept_downloads=True,
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        failures_folder.mkdir(parents=True, exist_ok=True)
        for number, context in enumerate(contexts):
            for tab, page in enumerate(context.pages):
                page.screenshot(
                    path=failures_folder / f"{request.node.name}-{number}-{tab}.png",
                    full_page=True,
                )
    for context in contexts:
        context.close()


# --- the site: live server, worker, demo data --------------------------------------------------


@dataclass
class Site:
    url: str
    today: object
    alice: object  # loans.models.Borrower
    alice_loan: object  # loans.models.Loan, the worked example (2,000.00 due 20 days ago)
    reviewer: object
    senior: object


@pytest.fixture
def site(request, live_server, today) -> Site:
    """The live server with a real worker, and the demo data in a fresh database."""
    from django.contrib.auth import get_user_model

    from loans.demo import Seeder
    from loans.models import Borrower, Loan
    from tests.relief.helpers import restore_seeded_data

    if connection.vendor != "postgresql":
        unavailable(
            "The browser journeys run on PostgreSQL; set DATABASE_URL=postgres://… "
            f"(the database is {connection.vendor})."
        )
    if not redis_test_url():
        unavailable("The browser journeys need Redis for the worker; set REDIS_URL=redis://…")
    request.getfixturevalue("celery_worker")  # tests/conftest.py: a real worker on Redis
    restore_seeded_data()
    Seeder(today=today).run(borrowers=0)
    users = get_user_model().objects
    alice = Borrower.objects.get(user__username="alice")
    return Site(
        url=live_server.url,
        today=today,
        alice=alice,
        alice_loan=Loan.objects.get(external_id="L-ALICE-1"),
        reviewer=users.get(username="reviewer"),
        senior=users.get(username="senior"),
    )
