"""Staff pages at a lender's scale: every admin and ops page and report, one user at a time.

The data (`bench.staff_data`, database `bench_staff`, kept between runs): `seed_demo
--borrowers 100000` (1.2M installments; small: 10,000) and 55,500 applications over 13
months (small: 5,550) with their events and notifications. Each page is asked by one user,
the demo superuser `admin` (ops pages and reports as `ops`), in this process through Django's
test client with production settings (DEBUG off): after one warm-up request, the median of 10
(of 3 when the warm-up took over 5 s, so that a runaway page does not hold the run for
minutes). Its queries are counted on one more request, which names its slowest query.

The baseline is the floor of a signed-in page (the page shell, reading nothing of its own,
`bench.urls`), measured in the same run. Target: every page under 500 ms; the ratio printed is
the median over the target (≤ 1 meets it).

    python -m bench --only staff --scale small
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

from bench.support import report, result, run_child

SCALES = {
    "full": {"borrowers": 100_000, "applications": 55_500},
    "small": {"borrowers": 10_000, "applications": 5_550},
}
TARGET_MS = 500.0
RUNS = 10
SLOW_WARMUP_SECONDS = 5.0
SLOW_RUNS = 3


def main(scale: str = "full") -> list[dict]:
    # No REDIS_URL: Celery's broker is in memory; the child publishes to it without running
    # what it publishes (`run`), so a queued export costs the request what it costs in
    # production, where a worker builds it.
    return run_child(
        "bench.bench_staff",
        scale,
        database="bench_staff",
        extra_env={"DJANGO_SETTINGS_MODULE": "bench.settings"},
        unset=("REDIS_URL",),
    )


# ---------------------------------------------------------------------------------------------
# Everything below runs in the child process.


def pages(today) -> list[tuple[str, str, str]]:
    """(name, user, path) of every staff page measured."""
    from loans.models import Borrower, Installment, Loan
    from relief.models import ApplicationEvent, Notification, ReliefApplication, ReliefPolicy

    def days(n: int) -> str:
        return f"from={today - timedelta(days=n - 1)}&to={today}"

    recent = ReliefApplication.objects.order_by("-created_at").first()
    borrower = recent.borrower
    policy = ReliefPolicy.objects.order_by("-version").first()
    queue_last = -(-ReliefApplication.objects.count() // 50)
    installments_last = -(-Installment.objects.count() // 100)
    events_last = -(-ApplicationEvent.objects.count() // 100)
    admin = "/admin"
    app = f"{admin}/relief/reliefapplication/"
    rows = [
        ("ops dashboard, 30 days", "ops", f"/ops/?{days(30)}"),
        ("ops dashboard, 366 days", "ops", f"/ops/?{days(366)}"),
    ]
    for name in ("reviewers", "effectiveness", "monthly-summary", "applications", "satisfaction"):
        for span in (30, 366):
            rows.append(
                (
                    f"report {name}, {span} days (JSON)",
                    "ops",
                    f"/api/v1/reports/{name}/?{days(span)}&format=json",
                )
            )
    rows += [
        ("admin index", "admin", f"{admin}/"),
        ("queue (default)", "admin", app),
        ("queue, all cases", "admin", f"{app}?queue=all&assigned=all"),
        ("queue, all, last page", "admin", f"{app}?queue=all&assigned=all&p={queue_last}"),
        ("queue search: phone", "admin", f"{app}?q={borrower.phone}"),
        ("queue search: loan id", "admin", f"{app}?q={recent.loan.external_id}"),
        ("queue search: borrower id", "admin", f"{app}?q={borrower.external_id}"),
        ("queue search: name", "admin", f"{app}?q={borrower.name}"),
        ("case page", "admin", f"{app}{recent.pk}/change/"),
        ("events", "admin", f"{admin}/relief/applicationevent/"),
        ("events, last page", "admin", f"{admin}/relief/applicationevent/?p={events_last}"),
        ("notifications", "admin", f"{admin}/relief/notification/"),
        ("notifications, failed", "admin", f"{admin}/relief/notification/?status__exact=failed"),
        ("borrowers", "admin", f"{admin}/loans/borrower/"),
        ("borrowers search: phone", "admin", f"{admin}/loans/borrower/?q={borrower.phone}"),
        ("loans", "admin", f"{admin}/loans/loan/"),
        ("installments", "admin", f"{admin}/loans/installment/"),
        ("installments, last page", "admin", f"{admin}/loans/installment/?p={installments_last}"),
        ("repayments", "admin", f"{admin}/loans/repayment/"),
        ("policies", "admin", f"{admin}/relief/reliefpolicy/"),
        (
            "policy simulation, 90 days",
            "admin",
            f"{admin}/relief/reliefpolicy/{policy.pk}/simulate/?since={today - timedelta(90)}",
        ),
        ("export log", "admin", f"{admin}/reports/exportlog/"),
    ]
    assert Borrower.objects.exists() and Loan.objects.exists()
    assert ApplicationEvent.objects.exists() and Notification.objects.exists()
    return rows


def measure(client, path: str) -> tuple[list[float], int]:
    """Times in ms of the measured requests and the status code of the answers."""
    started = time.perf_counter()
    response = client.get(path)
    warmup = time.perf_counter() - started
    if response.status_code not in (200, 202):
        return [warmup * 1000], response.status_code
    runs = SLOW_RUNS if warmup > SLOW_WARMUP_SECONDS else RUNS
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        b"".join(response) if response.streaming else response.content
        times.append((time.perf_counter() - started) * 1000)
    return times, response.status_code


def queries(client, path: str) -> tuple[int, float, str]:
    """How many queries a request makes, its slowest one's time (ms) and its start."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        if response.streaming:
            b"".join(response)
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default=None)
    if slowest is None:
        return 0, 0.0, ""
    return len(captured), float(slowest["time"]) * 1000, " ".join(slowest["sql"].split())[:90]


def run(scale: str) -> None:
    from bench.support import django_setup_and_migrate

    django_setup_and_migrate()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from bench import staff_data
    from config.celery import app
    from loans.selectors import local_today

    staff_data.build(**SCALES[scale])
    # From here tasks are published (to the in-memory broker), not run in the request: a
    # large report answers 202 and is built by a worker, which this process is not.
    app.conf.task_always_eager = False
    call_command("collectstatic", interactive=False, verbosity=0)
    User = get_user_model()
    clients = {}
    for username in ("admin", "ops"):
        clients[username] = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_HOST="127.0.0.1")
        clients[username].force_login(User.objects.get(username=username))
    floor, _ = measure(clients["admin"], "/bench/signed-in/")
    floor_ms = statistics.median(floor)
    print(f"  floor (signed-in page): {floor_ms:.1f} ms", flush=True)
    rows = []
    header = f"  {'page':<40} {'median':>9} {'/500ms':>7} {'queries':>7} {'slowest':>9}  query"
    print(header, flush=True)
    for name, user, path in pages(local_today()):
        times, status = measure(clients[user], path)
        median = statistics.median(times)
        count, slowest_ms, slowest_sql = queries(clients[user], path)
        ratio = median / TARGET_MS
        print(
            f"  {name:<40} {median:>7.0f}ms {ratio:>7.2f} {count:>7} {slowest_ms:>7.0f}ms  "
            f"{slowest_sql}" + ("" if status in (200, 202) else f"  (HTTP {status})"),
            flush=True,
        )
        rows.append(
            result(
                f"staff: {name}",
                product=f"{median:.0f} ms, {count} queries, slowest {slowest_ms:.0f} ms"
                if status in (200, 202)
                else f"HTTP {status}",
                baseline=f"{floor_ms:.0f} ms (signed-in page)",
                ratio=f"{ratio:.2f} of target",
                target=f"< {TARGET_MS:.0f} ms",
                met=status in (200, 202) and median < TARGET_MS,
            )
        )
    report(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=SCALES, default="full")
    run(parser.parse_args().scale)
