"""Redis going away while a busy worker holds unacknowledged tasks, as in production: a real
worker and beat (processes of their own, supervised as docs/operations.md says) on a
redis-server this test starts, kills and starts again. No person acts; every case ends triaged,
once."""

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from loans.models import Borrower
from relief.models import ApplicationStatus, ReliefApplication
from relief.services import relief_application_submit
from tests.factories import BorrowerFactory, overdue_loan
from tests.integration.test_faults import own_redis, waiting_on_lock  # noqa: F401 - a fixture
from tests.support import wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs worker processes on PostgreSQL"
    ),
]
ROOT = Path(__file__).resolve().parents[2]
LEASE = 6  # seconds, for the submissions here and the sweeps in beat
CELERY = str(Path(sys.executable).parent / "celery")


class Supervised:
    """A process started again whenever it exits, as `Restart=always` (systemd) or
    `restart: unless-stopped` (docker compose) do."""

    def __init__(self, args: list[str], env: dict):
        self.args, self.env = args, env
        self.starts = 0
        self.stopping = threading.Event()
        self.process = None
        self.thread = threading.Thread(target=self.watch, daemon=True)

    def launch(self):
        self.starts += 1
        self.process = subprocess.Popen(
            self.args, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def watch(self):
        while not self.stopping.is_set():
            if self.process.poll() is not None and not self.stopping.is_set():
                time.sleep(1)  # systemd's RestartSec
                self.launch()
            time.sleep(0.1)

    def __enter__(self):
        self.launch()
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def stack_env(broker: str) -> dict:
    database = settings.DATABASES["default"]
    return {
        **os.environ,
        "REDIS_URL": broker,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "LOG_LEVEL": "WARNING",
        # Minutes in production; seconds here so the test sees several sweeps and leases.
        "RELIEF_SWEEP_SECONDS": "2",
        "RELIEF_TRIAGE_LEASE_SECONDS": str(LEASE),
    }


@contextmanager
def borrowers_held(borrower_ids):
    """Lock these borrowers in another transaction until the block ends: the triage of their
    cases (which locks the case with its borrower and loan) waits inside the worker, its task
    delivered and not acknowledged. NO KEY UPDATE, so that new rows may still refer to them
    (the submission's) while the triage's FOR UPDATE waits."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        with transaction.atomic():
            list(Borrower.objects.select_for_update(no_key=True).filter(pk__in=borrower_ids))
            locked.set()
            release.wait(60)
        connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert locked.wait(10)
    try:
        yield
    finally:
        release.set()
        thread.join()


def test_redis_killed_three_times_under_a_busy_worker_every_case_is_triaged_once(
    own_redis,  # noqa: F811
    settings,
    today,
    reviewer,
):
    settings.RELIEF_TRIAGE_LEASE_SECONDS = LEASE
    env = stack_env(own_redis.url)
    schedule = Path(tempfile.mkdtemp()) / "celerybeat-schedule"
    worker_args = [CELERY, "-A", "config", "worker", "--concurrency=2", "--loglevel=WARNING"]
    worker_args += ["--without-gossip", "--without-mingle"]  # as in production (operations.md)
    beat_args = [CELERY, "-A", "config", "beat", f"--schedule={schedule}", "--loglevel=WARNING"]
    loans = [overdue_loan(BorrowerFactory(), today=today, days=20) for _ in range(45)]
    cases = []
    with Supervised(worker_args, env) as worker, Supervised(beat_args, env):
        for outage, busy in enumerate((1, 4, 2)):
            batch_loans = loans[outage * 15 : (outage + 1) * 15]
            # One or both of the worker's processes wait on the first cases, their tasks
            # unacknowledged (with the next ones in its prefetch, or a BRPOP waiting for
            # more), when Redis dies with all it held.
            with borrowers_held([loan.borrower_id for loan in batch_loans[:busy]]):
                cases += [
                    relief_application_submit(
                        loan=loan, reason="other", submitted_by=loan.borrower.user
                    ).pk
                    for loan in batch_loans
                ]
                assert wait_for(waiting_on_lock, timeout=60), "the worker never took a task"
                own_redis.stop()
                time.sleep(2)
                own_redis.start()
        assert wait_for(
            lambda: not ReliefApplication.objects.filter(status="submitted").exists(), timeout=120
        ), f"still submitted after {worker.starts} worker start(s)"
        time.sleep(3)  # copies sent by the sweeper or restored by Redis run, and change nothing
    for application in ReliefApplication.objects.filter(pk__in=cases):
        assert application.status == ApplicationStatus.IN_REVIEW
        assert application.events.filter(from_status=ApplicationStatus.SUBMITTED).count() == 1


def test_a_triage_held_on_a_lock_past_the_soft_time_limit_is_retried_not_dropped(
    own_redis,  # noqa: F811
    today,
    reviewer,
):
    """No beat, no sweeper: the task alone brings the case through."""
    env = {
        **stack_env(own_redis.url),
        "CELERY_TASK_SOFT_TIME_LIMIT": "1",
        "CELERY_TASK_TIME_LIMIT": "10",
        "RELIEF_TRIAGE_LOCK_TIMEOUT_MS": "3000",  # the wait outlives the soft limit
    }
    worker_args = [CELERY, "-A", "config", "worker", "--concurrency=1", "--loglevel=WARNING"]
    worker_args += ["--without-gossip", "--without-mingle"]
    loan = overdue_loan(BorrowerFactory(), today=today, days=20)
    with Supervised(worker_args, env) as worker:
        with borrowers_held([loan.borrower_id]):
            case = relief_application_submit(
                loan=loan, reason="other", submitted_by=loan.borrower.user
            )
            assert wait_for(waiting_on_lock, timeout=60), "the worker never took the task"
            time.sleep(5)  # past the soft limit and the lock timeout, maybe twice
            assert ReliefApplication.objects.get(pk=case.pk).status == "submitted"
        assert wait_for(
            lambda: ReliefApplication.objects.get(pk=case.pk).status != "submitted", timeout=90
        )
        assert worker.starts == 1
    assert case.events.filter(from_status=ApplicationStatus.SUBMITTED).count() == 1
