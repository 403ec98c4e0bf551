"""An operator changes the user table while gunicorn serves borrowers: signed-in pages and API
reads keep answering, none with a server error.

Gunicorn runs as production does (DEBUG off, persistent connections with health checks,
collected static files) on the test database, with the benchmark's settings: the product's own
plus a static root of their own. A borrower signs in through the login form and holds an API
token; while she reads, another connection changes a column type of `auth_user` back and forth.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.factories import BorrowerFactory, overdue_loan
from tests.relief.helpers import restore_seeded_data

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a schema change under load is PostgreSQL's"
)

PASSWORD = "a-borrowers-own-passphrase"
ALTERATIONS = [
    "ALTER TABLE auth_user ALTER COLUMN first_name TYPE text",
    "ALTER TABLE auth_user ALTER COLUMN first_name TYPE varchar(150)",
] * 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_dsn() -> str:
    values = connection.settings_dict
    return (
        f"dbname={values['NAME']} user={values['USER'] or 'postgres'} "
        f"host={values['HOST'] or '127.0.0.1'} port={values['PORT'] or 5432}"
    )


@pytest.fixture
def borrower(transactional_db, today):
    restore_seeded_data()
    borrower = BorrowerFactory(user__username="serving-alice")
    # The server checks passwords with the product's hasher (the tests' own is faster).
    hasher = PBKDF2PasswordHasher()
    borrower.user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    borrower.user.save(update_fields=["password"])
    loan = overdue_loan(borrower, today=today)
    token = Token.objects.create(user=borrower.user)
    return borrower, loan, token.key


@pytest.fixture
def server(borrower, tmp_path):
    port = free_port()
    values = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": "test-only-key-for-the-schema-change-test-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": (
            f"postgres://{values['USER'] or 'postgres'}@{values['HOST'] or '127.0.0.1'}:"
            f"{values['PORT'] or 5432}/{values['NAME']}"
        ),
    }
    env.pop("REDIS_URL", None)  # nothing to enqueue: reads only
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        check=True,
    )
    log = (tmp_path / "gunicorn.log").open("w+b")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310 - loopback
            break
        except OSError:  # refused, reset or timed out (a busy machine): try again
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.seek(0)
                pytest.fail(f"gunicorn did not start: {log.read().decode()[-2000:]}")
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=20)
    log.seek(0)
    sys.stderr.write(log.read().decode()[-6000:])
    log.close()


class LoopbackPolicy(http.cookiejar.DefaultCookiePolicy):
    """Sends the server's Secure cookies back over loopback, as TLS ends at a proxy in front."""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


def signed_in_opener(base: str) -> urllib.request.OpenerDirector:
    """A browser's cookie jar, signed in through the login form."""
    jar = http.cookiejar.CookieJar(policy=LoopbackPolicy())
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"username": "serving-alice", "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=form))
    assert any(cookie.name == "sessionid" for cookie in jar), "the sign-in did not succeed"
    return opener


def test_altering_a_column_of_auth_user_while_serving_gives_no_server_error(server, borrower):
    _, loan, token = borrower
    opener = signed_in_opener(server)
    statuses: list[tuple[str, int]] = []
    stop = threading.Event()

    def read(name: str, fetch) -> None:
        while not stop.is_set():
            try:
                response = fetch()
                statuses.append((name, response.status))
                response.read()
            except urllib.error.HTTPError as error:
                statuses.append((name, error.code))

    readers = [
        threading.Thread(target=read, args=("page", lambda: opener.open(f"{server}/"))),
        threading.Thread(
            target=read,
            args=("loan", lambda: opener.open(f"{server}/loans/{loan.pk}/")),
        ),
        threading.Thread(
            target=read,
            args=(
                "api",
                lambda: urllib.request.urlopen(  # noqa: S310 - loopback
                    urllib.request.Request(
                        f"{server}/api/v1/loans/", headers={"Authorization": f"Token {token}"}
                    )
                ),
            ),
        ),
    ]
    for reader in readers:
        reader.start()
    alterer = psycopg2.connect(database_dsn())
    alterer.autocommit = True
    served_after: list[int] = []
    try:
        time.sleep(0.5)
        with alterer.cursor() as cursor:
            for statement in ALTERATIONS:
                cursor.execute(statement)
                answered = len(statuses)
                time.sleep(0.4)
                served_after.append(len(statuses) - answered)
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
        alterer.close()
    errors = [(name, status) for name, status in statuses if status != 200]
    assert not errors, errors[:10]
    assert all(count > 0 for count in served_after), served_after  # served between changes
    assert {name for name, _ in statuses} == {"page", "loan", "api"}
