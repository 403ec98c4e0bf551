"""The review queue: submissions through 2 Celery worker processes on Redis.

Phase 1 submits at a steady 50 a second (full: 10,000; small: 1,000) and reports the time
from submit to triaged (p50, p95, p99; target p95 < 1 s). Phase 2 submits a burst as fast as
one process can and reports applications triaged per second. Every submission goes through
`relief_application_submit` (the quote, the frozen case, the notifications), and every triage
through the worker (score, auto-approve or assign, notify).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

from bench.support import BASE_DIR, percentile, run_child

SCALES = {"full": (10_000, 3_000), "small": (1_000, 500)}
RATE = 50.0
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
ENV = {
    "REDIS_URL": REDIS,
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
}


def main(scale: str = "full") -> None:
    run_child("bench.bench_queue", scale, database="bench_queue", extra_env=ENV)


def start_workers() -> subprocess.Popen:
    celery = os.path.join(os.path.dirname(sys.executable), "celery")
    return subprocess.Popen(
        [celery, "-A", "config", "worker", "--concurrency=2", "--loglevel=WARNING"],
        cwd=BASE_DIR,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_ready(app, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1.0):
            return
    raise RuntimeError("the workers did not start")


def submit_all(loan_ids, *, rate: float | None) -> list[int]:
    from loans.models import Loan
    from relief.services import relief_application_submit

    loans = Loan.objects.select_related("borrower__user").in_bulk(loan_ids)
    ids = []
    started = time.perf_counter()
    for index, loan_id in enumerate(loan_ids):
        if rate:
            # A steady schedule: never faster than `rate`, catching up if behind.
            pause = started + index / rate - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
        loan = loans[loan_id]
        application = relief_application_submit(
            loan=loan, reason="serious_illness", submitted_by=loan.borrower.user
        )
        ids.append(application.pk)
    return ids


def wait_triaged(ids: list[int], timeout: float) -> None:
    from relief.models import ReliefApplication

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not ReliefApplication.objects.filter(pk__in=ids, triaged_at__isnull=True).exists():
            return
        time.sleep(0.2)
    raise RuntimeError("not every application was triaged in time")


def latencies(ids: list[int]) -> tuple[list[float], float]:
    from relief.models import ReliefApplication

    rows = list(
        ReliefApplication.objects.filter(pk__in=ids).values_list("created_at", "triaged_at")
    )
    seconds = [(triaged - created).total_seconds() for created, triaged in rows]
    span = (max(t for _, t in rows) - min(c for c, _ in rows)).total_seconds()
    return seconds, span


def run(scale: str) -> None:
    from bench.loans_data import overdue_borrowers
    from bench.support import django_setup_and_migrate

    django_setup_and_migrate()
    import redis
    from django.contrib.auth.models import Group, User
    from django.db import connection

    from config.celery import app

    paced, burst = SCALES[scale]
    loan_ids = overdue_borrowers(paced + burst, prefix="Q")
    with connection.cursor() as cursor:  # start from an empty queue each run
        cursor.execute(
            "TRUNCATE relief_notification, relief_applicationevent, relief_evidence, "
            "relief_reliefapplication CASCADE"
        )
    reviewers = Group.objects.get_or_create(name="Reviewer")[0]
    for number in range(3):
        user, _ = User.objects.get_or_create(username=f"bench-reviewer-{number}")
        user.groups.add(reviewers)
    redis.Redis.from_url(REDIS).flushdb()
    workers = start_workers()
    try:
        wait_ready(app)
        paced_ids = submit_all(loan_ids[:paced], rate=RATE)
        wait_triaged(paced_ids, timeout=120)
        seconds, span = latencies(paced_ids)
        p50, p95, p99 = (percentile(seconds, f) for f in (0.5, 0.95, 0.99))
        print(
            f"queue: {paced} submissions at {RATE:.0f}/s through 2 worker processes: "
            f"submit → triaged p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
            f"p99 {p99 * 1000:.0f} ms (target p95 < 1000 ms)"
        )
        burst_started = time.perf_counter()
        burst_ids = submit_all(loan_ids[paced : paced + burst], rate=None)
        submit_rate = burst / (time.perf_counter() - burst_started)
        wait_triaged(burst_ids, timeout=600)
        _, span = latencies(burst_ids)
        print(
            f"queue burst: {burst} submitted at {submit_rate:.0f}/s from one process; "
            f"triaged {burst / span:.0f}/s end to end"
        )
    finally:
        workers.send_signal(signal.SIGTERM)
        try:
            workers.wait(timeout=30)
        except subprocess.TimeoutExpired:
            workers.kill()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=SCALES, default="full")
    run(parser.parse_args().scale)
