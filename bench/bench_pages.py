"""Borrower pages and API as borrowers use them: many different people, each seeing a page once.

The server is what production runs: gunicorn, 2 sync workers, DEBUG off, on loopback, over
the database `bench_pages` holding the demo data of `seed_demo --borrowers 100000` (small:
10,000; kept between runs), the cache on Redis database 10 (flushed at the start of a run, so
that nothing a borrower sees was prepared by an earlier run). Applications are submitted
through the service once and kept: every virtual user has an overdue loan and one or two
applications (every other one an open application, which her quote then points to; the
others a closed one, and a quote computed afresh).

Virtual users: 1,000 different demo borrowers (small: 240) in 5 rounds (small: 3). In a
round, every one of its borrowers signs in through the login form (the page with its CSRF
cookie and token, then the POST); then every one of them opens her dashboard `/`, then her
loan `/loans/<id>/`, then its quote with a reason `/loans/<id>/quote/?reason=...`, then
`/applications/`, then her latest application `/applications/<id>/`; then, as API token
holders (one token per borrower, made once and kept), `GET /api/v1/loans/`, the quote
`/api/v1/loans/<id>/relief-quote/?reason=...` and the application
`/api/v1/relief-applications/<id>/`. The walk goes step by step so that each step has a rate
of its own, and every request is that borrower's first view of the step. The client is this
process: 20 threads, each with its own connection (the sync workers close it after each
answer, so each request opens a new one, for step and floor alike), take the next borrower
when free, so 20 requests are in flight; each is timed from
sending to the end of its answer, which must be the real one (200, naming her loan or
application): a wrong answer fails the benchmark. The sign-in rate is context, with no
target: its time is the password hash (PBKDF2 at the full iteration count), spent by design.

The baseline of each step is its floor, measured the same way right before or right after it
(in turn): the same borrowers once each, 20 at a time, on a signed-in page that draws the page
shell and reads nothing of its own (`/bench/signed-in/`, for the pages) or an API answer that
only checks the token (`/api/v1/bench/signed-in/`, for the API). A step's ratio is the median
of its rounds' ratios to their adjacent floor runs, so that the machine's drift cancels. The
queries of each step are counted once, in this process (Django's test client on the same
settings and data), for a borrower the server never saw.

Targets per step: requests/s at least half the floor's, p99 under 100 ms at 20 in flight, and
at most 6 queries a page.

    python -m bench --only pages --scale small
"""

from __future__ import annotations

import argparse
import http.client
import io
import logging
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from bench.support import BASE_DIR, percentile, report, result, run_child, stop

SCALES = {
    # Virtual users are split into rounds; each round signs its users in and walks them. The
    # sign-ins take most of the time (the password hash); more rounds of the same users cost
    # nothing more and give more pairs of step and floor.
    "full": {"borrowers": 100_000, "users": 1_000, "rounds": 5},
    "small": {"borrowers": 10_000, "users": 240, "rounds": 3},
}
# Borrowers with applications besides the virtual users: the warm-up's (the server's workers
# have served others before, as in production) and the one whose queries are counted.
SPARE = 4
LANES = 20  # requests in flight at a time
WORKERS = 2
TIMEOUT = 60  # seconds a request may take before the benchmark gives up on it
TARGET_RATIO = 0.5
TARGET_P99_MS = 100.0
TARGET_QUERIES = 6
CACHE = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/10")
DEMO_PASSWORD = "relief-demo"  # the demo accounts' public password
LOGIN_PATH = "/accounts/login/"
REASONS = (
    "serious_illness",
    "accident",
    "natural_disaster",
    "unemployment",
    "income_drop",
    "family_emergency",
    "other",
)


@dataclass(frozen=True)
class Step:
    name: str
    path: str  # formatted with the borrower's fields
    marker: str  # must be in the answer (formatted the same way): it is hers, not an error page
    api: bool = False


PAGE_FLOOR = Step("signed-in page", "/bench/signed-in/", 'action="/accounts/logout/"')
PAGES = [
    Step("dashboard", "/", 'href="/loans/{loan}/"'),
    Step("loan", "/loans/{loan}/", "{loan_external_id}"),
    Step("quote", "/loans/{loan}/quote/?reason={reason}", 'action="/loans/{loan}/quote/"'),
    Step("applications", "/applications/", 'href="/applications/{application}/"'),
    Step("application", "/applications/{application}/", 'href="/loans/{loan}/"'),
]
API_FLOOR = Step("signed-in API", "/api/v1/bench/signed-in/", '"user":{user_id}', api=True)
API = [
    Step("API loans", "/api/v1/loans/", '"id":{loan}', api=True),
    Step(
        "API quote",
        "/api/v1/loans/{loan}/relief-quote/?reason={reason}",
        '"policy_version"',
        api=True,
    ),
    Step(
        "API application",
        "/api/v1/relief-applications/{application}/",
        '"id":{application}',
        api=True,
    ),
]


def main(scale: str = "full") -> list[dict]:
    return run_child(
        "bench.bench_pages",
        scale,
        database="bench_pages",
        # bench.settings: the product's settings plus the floors' URLs. No REDIS_URL: the
        # applications made for the walk are triaged in-process (Celery eager). The server's
        # workers share a Redis cache (rate limits), as in production.
        extra_env={"DJANGO_SETTINGS_MODULE": "bench.settings", "CACHE_URL": CACHE},
        unset=("REDIS_URL",),
    )


# ---------------------------------------------------------------------------------------------
# Everything below runs in the child process.


@dataclass
class Borrower:
    username: str
    user_id: int
    loan: int
    loan_external_id: str
    application: int
    reason: str
    token: str
    cookie: str = ""  # the session and CSRF cookies her sign-in left in the browser

    def fields(self) -> dict:
        return {
            "loan": self.loan,
            "loan_external_id": self.loan_external_id,
            "application": self.application,
            "reason": self.reason,
            "user_id": self.user_id,
        }


class WrongAnswer(Exception):
    pass


@dataclass
class Outcome:
    """One step of one round: every request's time, and the step's wall time."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    cpu: float = 0.0  # CPU time of this process (the client) meanwhile

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds


# --- data -----------------------------------------------------------------------------------


def seed(borrowers: int) -> None:
    from django.core.management import call_command

    from loans.models import Borrower as BorrowerModel

    present = BorrowerModel.objects.filter(external_id__startswith="DEMO-B").count()
    if present >= borrowers:
        print(f"  reusing {present:,} demo borrowers", flush=True)
        return
    started = time.perf_counter()
    call_command("seed_demo", borrowers=borrowers, force=True, stdout=io.StringIO())
    print(f"  seeded {borrowers:,} demo borrowers in {time.perf_counter() - started:.0f}s")


def submit(loan) -> object | None:
    """An application through the service (triaged in-process); None when the rules refuse."""
    from core.errors import DomainError
    from relief.services import relief_application_submit

    try:
        return relief_application_submit(
            loan=loan, reason="serious_illness", submitted_by=loan.borrower.user
        )
    except DomainError:
        return None


def close(application) -> bool:
    """Take an application out of the way of the next one: decline an offer, withdraw a case
    under review. False if it can be neither (already closed by its triage)."""
    from relief.models import ApplicationStatus
    from relief.services import relief_application_decline, relief_application_withdraw

    application.refresh_from_db()
    user = application.borrower.user
    if application.status == ApplicationStatus.APPROVED:
        relief_application_decline(application_id=application.pk, user=user)
    elif application.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW):
        relief_application_withdraw(application_id=application.pk, user=user)
    else:
        return False
    return True


def applications(wanted: int) -> None:
    """Make sure `wanted` demo borrowers have applications on an overdue loan. Every other one
    gets a closed application and then an open one (her list has two rows; her quote says
    the loan has an open application); the others one closed application (a fresh quote)."""
    from django.db import connection

    from loans.models import Loan
    from loans.selectors import local_today
    from relief.models import ReliefApplication

    present = (
        ReliefApplication.objects.filter(borrower__external_id__startswith="DEMO-B")
        .values("borrower")
        .distinct()
        .count()
    )
    if present >= wanted:
        print(f"  reusing the applications of {present:,} borrowers", flush=True)
        return
    started = time.perf_counter()
    # Celery eager on the in-memory broker says once that it has no host name: true, and noise.
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)
    with connection.cursor() as cursor:
        # Loading data, not measuring: no need to wait for each commit to reach the disk.
        cursor.execute("SET synchronous_commit TO off")
    candidates = (
        Loan.objects.filter(
            borrower__external_id__startswith="DEMO-B",
            status=Loan.Status.ACTIVE,
            legal_proceedings=False,
            installments__paid_off_on__isnull=True,
            installments__grace_ends_on__lt=local_today(),
        )
        .exclude(borrower__relief_applications__isnull=False)
        .select_related("borrower__user")
        .distinct()
        .order_by("id")
    )
    done = present
    for loan in candidates.iterator(chunk_size=500):
        if done >= wanted:
            break
        application = submit(loan)
        if application is None:
            continue
        if close(application) and done % 2 == 0:
            submit(loan)
        done += 1
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO DEFAULT")
        cursor.execute("ANALYZE")
    if done < wanted:
        raise RuntimeError(f"only {done:,} borrowers could apply, {wanted:,} needed")
    print(
        f"  {done - present:,} borrowers applied in {time.perf_counter() - started:.0f}s",
        flush=True,
    )


def virtual_users(count: int) -> list[Borrower]:
    """The first `count` demo borrowers with applications, each with her latest application,
    its loan, a reason for her quote and her API token (made once, kept)."""
    from django.db.models import Max
    from rest_framework.authtoken.models import Token

    from relief.models import ReliefApplication

    latest = (
        ReliefApplication.objects.filter(borrower__external_id__startswith="DEMO-B")
        .values("borrower")
        .annotate(last=Max("id"))
        .order_by("borrower")[:count]
    )
    chosen = (
        ReliefApplication.objects.filter(pk__in=[row["last"] for row in latest])
        .select_related("borrower__user", "loan")
        .order_by("borrower_id")
    )
    people = [
        Borrower(
            username=application.borrower.user.get_username(),
            user_id=application.borrower.user_id,
            loan=application.loan_id,
            loan_external_id=application.loan.external_id,
            application=application.pk,
            reason=REASONS[number % len(REASONS)],
            token="",
        )
        for number, application in enumerate(chosen)
    ]
    if len(people) < count:
        raise RuntimeError(f"{len(people)} borrowers with applications, {count} needed")
    user_ids = [person.user_id for person in people]
    tokens = dict(Token.objects.filter(user_id__in=user_ids).values_list("user_id", "key"))
    missing = [Token(user_id=pk, key=Token.generate_key()) for pk in user_ids if pk not in tokens]
    Token.objects.bulk_create(missing)
    tokens.update((token.user_id, token.key) for token in missing)
    for person in people:
        person.token = tokens[person.user_id]
    return people


# --- queries per page, in this process ------------------------------------------------------


def count_queries(warm: Borrower, counted: Borrower) -> dict[str, int]:
    """Queries of each step for `counted`, after the same walk for `warm` (what a worker
    keeps between requests, such as prepared templates, is then kept, as on the server)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts: dict[str, int] = {}
    for person in (warm, counted):
        browser = Client(HTTP_HOST="127.0.0.1")
        browser.force_login(get_user_model().objects.get(pk=person.user_id))
        app = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {person.token}")
        for step in [PAGE_FLOOR, *PAGES, API_FLOOR, *API]:
            client = app if step.api else browser
            path = step.path.format(**person.fields())
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            marker = step.marker.format(**person.fields()).encode()
            if response.status_code != 200 or marker not in response.content:
                raise WrongAnswer(f"{path} answered {response.status_code} without {marker!r}")
            counts[step.name] = len(queries)
    connection.close()
    return counts


# --- the server -----------------------------------------------------------------------------


def collect_static() -> None:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"  collectstatic in {time.perf_counter() - started:.0f}s", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, log: Path) -> subprocess.Popen:
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    server = subprocess.Popen(
        [
            gunicorn,
            "bench.wsgi:application",
            f"--workers={WORKERS}",
            "--worker-class=sync",
            f"--bind=127.0.0.1:{port}",
            "--backlog=2048",
            "--log-level=warning",
            f"--error-logfile={log}",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/bench/minimal/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    server.kill()
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise RuntimeError(f"gunicorn did not answer on port {port} ({log}):\n{tail}")


# --- the client -----------------------------------------------------------------------------


def cookies_of(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = SimpleCookie()
    for header in response.msg.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def sign_in(connection: http.client.HTTPConnection, person: Borrower, origin: str) -> None:
    """What a browser does: the login page (its CSRF cookie and the form's token), then the
    form. Leaves the session and CSRF cookies on `person`."""
    from django.conf import settings

    connection.request("GET", LOGIN_PATH, headers={"Accept": "text/html"})
    response = connection.getresponse()
    body = response.read()
    csrf = cookies_of(response).get(settings.CSRF_COOKIE_NAME)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if response.status != 200 or not csrf or not token:
        raise WrongAnswer(f"GET {LOGIN_PATH} answered {response.status} without a CSRF token")
    form = {
        "username": person.username,
        "password": DEMO_PASSWORD,
        "csrfmiddlewaretoken": token.group(1).decode(),
    }
    connection.request(
        "POST",
        LOGIN_PATH,
        body=urlencode(form),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{settings.CSRF_COOKIE_NAME}={csrf}",
            "Origin": origin,
            "Referer": f"{origin}{LOGIN_PATH}",
            "Accept": "text/html",
        },
    )
    response = connection.getresponse()
    body = response.read()
    jar = cookies_of(response)
    session = jar.get(settings.SESSION_COOKIE_NAME)
    if response.status != 302 or response.getheader("Location") != "/" or not session:
        raise WrongAnswer(f"{person.username}'s sign-in answered {response.status} {body[:300]!r}")
    csrf = jar.get(settings.CSRF_COOKIE_NAME, csrf)  # rotated at sign-in
    person.cookie = f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}"


def fetch(connection: http.client.HTTPConnection, path: str, headers: dict, marker: bytes) -> None:
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200 or marker not in body:
        raise WrongAnswer(
            f"GET {path} answered {response.status} without {marker!r}: {body[:300]!r}"
        )


def headers_of(person: Borrower, step: Step) -> dict[str, str]:
    if step.api:
        return {"Authorization": f"Token {person.token}", "Accept": "application/json"}
    return {"Cookie": person.cookie, "Accept": "text/html"}


def step_jobs(step: Step, people: list[Borrower]) -> list[Callable]:
    """One request per borrower, built before the clock starts."""
    jobs = []
    for person in people:
        values = person.fields()
        jobs.append(
            partial(
                fetch,
                path=step.path.format(**values),
                headers=headers_of(person, step),
                marker=step.marker.format(**values).encode(),
            )
        )
    return jobs


def load(port: int, jobs: list[Callable]) -> Outcome:
    """Run `jobs` LANES at a time, each lane a thread with its own connection taking the next
    job when free; time each job, and the whole. The first wrong answer stops the load and is
    raised."""
    outcome = Outcome()
    pending = iter(jobs)
    claim = threading.Lock()
    problems: list[BaseException] = []
    ready = threading.Barrier(LANES + 1)

    def lane() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        ready.wait()
        try:
            while not problems:
                with claim:
                    job = next(pending, None)
                if job is None:
                    return
                began = time.perf_counter()
                job(connection)
                outcome.latencies.append(time.perf_counter() - began)
        except Exception as exc:  # handed to the caller below
            problems.append(exc)
        finally:
            connection.close()

    lanes = [threading.Thread(target=lane, daemon=True) for _ in range(LANES)]
    for thread in lanes:
        thread.start()
    ready.wait()
    started, cpu = time.perf_counter(), time.process_time()
    for thread in lanes:
        thread.join()
    outcome.seconds = time.perf_counter() - started
    outcome.cpu = time.process_time() - cpu
    if problems:
        raise problems[0]
    return outcome


def warm_up(port: int, people: list[Borrower], origin: str) -> None:
    """The server's workers have served pages before, as in production: a few borrowers that
    are not measured walk everything twice, one request at a time."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        for person in people:
            sign_in(connection, person, origin)
        for _ in range(2):
            for person in people:
                for step in [PAGE_FLOOR, *PAGES, API_FLOOR, *API]:
                    step_jobs(step, [person])[0](connection)
    finally:
        connection.close()


# --- the measurement ------------------------------------------------------------------------


@dataclass
class Walk:
    """Every round's outcome of each step, and of the floor run next to it."""

    sign_in: list[Outcome] = field(default_factory=list)
    steps: dict[str, list[Outcome]] = field(default_factory=dict)
    floors: dict[str, list[Outcome]] = field(default_factory=dict)


def measure(port: int, people: list[Borrower], rounds: int) -> Walk:
    origin = f"http://127.0.0.1:{port}"
    walk = Walk()
    for step in [*PAGES, *API]:
        walk.steps[step.name], walk.floors[step.name] = [], []
    size = len(people) // rounds
    for number in range(rounds):
        group = people[number * size : (number + 1) * size]
        walk.sign_in.append(load(port, [partial(sign_in, person=p, origin=origin) for p in group]))
        for floor, steps in ((PAGE_FLOOR, PAGES), (API_FLOOR, API)):
            for index, step in enumerate(steps):
                # Each step next to a floor run of the same borrowers, the floor first every
                # other time, so that both see the same moment of the machine.
                pair = [(floor, walk.floors), (step, walk.steps)]
                for kind, into in pair if (number + index) % 2 == 0 else reversed(pair):
                    into[step.name].append(load(port, step_jobs(kind, group)))
        print(
            f"  round {number + 1}/{rounds}: {len(group)} borrowers, sign-in "
            f"{walk.sign_in[-1].rate:.1f}/s; step/floor req/s: "
            + ", ".join(
                f"{step.name} {walk.steps[step.name][-1].rate:.0f}/"
                f"{walk.floors[step.name][-1].rate:.0f}"
                for step in [*PAGES, *API]
            ),
            flush=True,
        )
    return walk


def latency_ms(runs: list[Outcome]) -> tuple[float, float, float]:
    """p50, p95 and p99 of every request of every round, in milliseconds."""
    every = [seconds * 1000 for run in runs for seconds in run.latencies]
    return percentile(every, 0.50), percentile(every, 0.95), percentile(every, 0.99)


def summarize(walk: Walk, queries: dict[str, int]) -> list[dict]:
    """Print each step against its floor; the summary lines."""
    columns = "{:<16} {:>7} {:>6} {:>6} {:>6} {:>7} {:>6} {:>4}  {}".format
    print(columns("step", "req/s", "p50", "p95", "p99", "floor", "ratio", "qry", "target"))
    rate = statistics.median(run.rate for run in walk.sign_in)
    p50, p95, p99 = latency_ms(walk.sign_in)
    context = "context, no target: the form and its POST; the time is the password hash"
    print(
        columns(
            "sign-in", f"{rate:.1f}", *(f"{p:.0f}" for p in (p50, p95, p99)), "", "", "", context
        )
    )
    rows = [
        result(
            f"pages: sign-in through the form ({sum(len(r.latencies) for r in walk.sign_in):,})",
            product=f"{rate:.1f}/s, p50/p95/p99 {p50:.0f}/{p95:.0f}/{p99:.0f} ms",
            target="(context: the password hash)",
            met=None,
        )
    ]
    for floor, steps in ((PAGE_FLOOR, PAGES), (API_FLOOR, API)):
        every_floor = [run for step in steps for run in walk.floors[step.name]]
        f50, f95, f99 = latency_ms(every_floor)
        floor_rate = statistics.median(run.rate for run in every_floor)
        print(
            columns(
                floor.name,
                f"{floor_rate:.0f}",
                f"{f50:.0f}",
                f"{f95:.0f}",
                f"{f99:.0f}",
                "",
                "",
                queries[floor.name],
                f"the floor ({floor.path}), all its runs",
            )
        )
        for step in steps:
            runs, floors = walk.steps[step.name], walk.floors[step.name]
            rate = statistics.median(run.rate for run in runs)
            floor_rate = statistics.median(run.rate for run in floors)
            ratio = statistics.median(
                run.rate / against.rate for run, against in zip(runs, floors, strict=True)
            )
            p50, p95, p99 = latency_ms(runs)
            count = queries[step.name]
            target = f"ratio >= {TARGET_RATIO}; p99 < {TARGET_P99_MS:.0f} ms"
            met = ratio >= TARGET_RATIO and p99 < TARGET_P99_MS
            if not step.api:
                target += f"; <= {TARGET_QUERIES} queries"
                met = met and count <= TARGET_QUERIES
            print(
                columns(
                    step.name,
                    f"{rate:.0f}",
                    f"{p50:.0f}",
                    f"{p95:.0f}",
                    f"{p99:.0f}",
                    f"{floor_rate:.0f}",
                    f"{ratio:.2f}",
                    count,
                    f"{target}: {'meets' if met else 'MISSES'}",
                )
            )
            if len(runs) > 1:
                print(
                    "    rounds (step/floor req/s): "
                    + ", ".join(
                        f"{run.rate:.0f}/{against.rate:.0f}"
                        for run, against in zip(runs, floors, strict=True)
                    )
                )
            label = step.path.split("?")[0].format(loan="<id>", application="<id>")
            floor_name = "API answer" if step.api else "page"
            rows.append(
                result(
                    f"{'API' if step.api else 'page'} {label}",
                    product=f"{rate:.0f} req/s, p50/p95/p99 {p50:.0f}/{p95:.0f}/{p99:.0f} ms,"
                    f" {count} queries",
                    baseline=f"{floor_rate:.0f} req/s (a signed-in {floor_name} reading nothing)",
                    ratio=f"{ratio:.2f}",
                    target=target,
                    met=met,
                )
            )
    return rows


def run(scale: str) -> None:
    import redis

    from bench.support import django_setup_and_migrate

    django_setup_and_migrate()
    sizes = SCALES[scale]
    seed(sizes["borrowers"])
    applications(sizes["users"] + SPARE)
    people = virtual_users(sizes["users"] + SPARE)
    spare, people = people[:SPARE], people[SPARE:]
    collect_static()
    queries = count_queries(spare[0], spare[1])
    print(
        "  queries per request: " + ", ".join(f"{name} {count}" for name, count in queries.items()),
        flush=True,
    )
    # Nothing a borrower sees comes from an earlier run's cache (Redis db 10, the benchmark's).
    redis.Redis.from_url(CACHE).flushdb()
    log = BASE_DIR / "var" / "bench" / "gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    from django.db import connections

    connections.close_all()  # the server's workers open their own
    port = free_port()
    server = start_server(port, log)
    try:
        warm_up(port, spare[1:], f"http://127.0.0.1:{port}")
        print(
            f"  gunicorn on 127.0.0.1:{port}: {WORKERS} sync workers, DEBUG off; {len(people):,}"
            f" different borrowers in {sizes['rounds']} round(s), {LANES} requests in flight",
            flush=True,
        )
        started = time.perf_counter()
        walk = measure(port, people, sizes["rounds"])
        # The load generator shares the 2 cores with the server: what it took of them.
        steps = [run for runs in (*walk.steps.values(), *walk.floors.values()) for run in runs]
        requests = sum(len(run.latencies) for run in steps)
        cpu, seconds = sum(run.cpu for run in steps), sum(run.seconds for run in steps)
        print(
            f"  walked in {time.perf_counter() - started:.0f}s; in the steps after sign-in the"
            f" client used {cpu / seconds:.0%} of one core, {cpu / requests * 1e6:.0f} µs of"
            " CPU a request",
            flush=True,
        )
    finally:
        stop(server)
    rows = summarize(walk, queries)
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    report(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_pages")
    parser.add_argument("--scale", choices=tuple(SCALES), default="full")
    run(parser.parse_args().scale)
