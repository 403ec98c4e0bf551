"""Faults: Redis going away while borrowers apply, a worker killed in the middle of triage."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from relief.models import ApplicationStatus, Notification, ReliefApplication
from relief.services import relief_application_submit
from relief.services.sweeper import sweep_lost_work
from tests.conftest import use_broker
from tests.factories import BorrowerFactory, overdue_loan
from tests.integration.test_worker import status_of
from tests.support import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A redis-server of this test's own, so it can be stopped without touching others'."""

    def __init__(self):
        self.port = free_port()
        self.dir = tempfile.mkdtemp()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
        )
        assert wait_for(self.answers, timeout=10)

    def answers(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), 0.2).close()
            return True
        except OSError:
            return False

    def freeze(self):
        """SIGSTOP: connections are still accepted, nothing answers."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        if self.process:
            self.process.send_signal(signal.SIGCONT)

    def stop(self):
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def own_redis(broker_url):
    server = OwnRedis()
    server.start()
    use_broker(server.url)
    yield server
    server.stop()
    use_broker(broker_url)


def test_redis_stopped_while_100_borrowers_apply_loses_nothing(own_redis, today, reviewer):
    from celery.contrib.testing.worker import start_worker

    from tests.conftest import celery_app

    loans = [overdue_loan(BorrowerFactory(), today=today, days=20) for _ in range(100)]
    own_redis.stop()
    slowest = 0.0
    for loan in loans:
        started = time.monotonic()
        relief_application_submit(loan=loan, reason="other", submitted_by=loan.borrower.user)
        slowest = max(slowest, time.monotonic() - started)
    assert slowest < 2.0
    assert ReliefApplication.objects.filter(status=ApplicationStatus.SUBMITTED).count() == 100

    own_redis.start()  # Redis is back
    with start_worker(celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        assert sweep_lost_work(now=timezone.now() + timedelta(minutes=3))["triage"] == 100
        assert wait_for(
            lambda: not ReliefApplication.objects.filter(status="submitted").exists(), timeout=60
        )
    for application in ReliefApplication.objects.all():
        assert (
            application.events.exclude(from_status="")
            .exclude(from_status=ApplicationStatus.SUBMITTED)
            .count()
            == 0
        )
        assert application.events.filter(from_status=ApplicationStatus.SUBMITTED).count() == 1
    assert Notification.objects.filter(kind="in_review", channel="in_app").count() == 100


def worker_process(broker: str, **extra_env: str) -> subprocess.Popen:
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        **extra_env,
        "REDIS_URL": broker,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "LOG_LEVEL": "WARNING",
    }
    celery = Path(sys.executable).parent / "celery"
    return subprocess.Popen(
        [
            str(celery),
            "-A",
            "config",
            "worker",
            "--concurrency=1",
            "--pool=prefork",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(line) for line in out.split()]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a worker process on PostgreSQL"
)
def test_worker_killed_in_the_middle_of_triage_redelivers_with_one_outcome(
    broker_url, today, reviewer
):
    loan = overdue_loan(BorrowerFactory(), today=today, days=20)
    worker = worker_process(broker_url)
    try:
        hold = threading.Event()
        locked = threading.Event()

        def hold_the_row(application_id):
            # Keep the application locked so the triage blocks inside its transaction.
            with transaction.atomic():
                ReliefApplication.objects.select_for_update().get(pk=application_id)
                locked.set()
                hold.wait(30)
            connection.close()

        application = relief_application_submit(
            loan=loan, reason="other", submitted_by=loan.borrower.user
        )
        # The triage task is already queued; lock the row before the worker gets to it.
        holder = threading.Thread(target=hold_the_row, args=(application.pk,))
        holder.start()
        assert locked.wait(10)
        assert wait_for(lambda: children(worker.pid), timeout=30)
        assert wait_for(lambda: waiting_on_lock(), timeout=30), "triage never started"
        for child in children(worker.pid):
            os.kill(child, signal.SIGKILL)  # the pool process dies mid-task
        hold.set()
        holder.join()
        assert wait_for(lambda: status_of(application.pk) == ApplicationStatus.IN_REVIEW, 60)
        time.sleep(1)
        assert application.events.filter(to_status=ApplicationStatus.IN_REVIEW).count() == 1
        assert Notification.objects.filter(application=application, kind="in_review").count() == 2
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def waiting_on_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0
