"""Borrower pages and API under load, against a minimal view on the same server.

The server is what production runs: gunicorn, 2 sync workers, DEBUG off, on loopback, over
the database `bench_pages` holding the demo data of `seed_demo --borrowers 100000` (small:
10,000; kept between runs) and a few thousand applications submitted through the service
(Celery eager, so triaged and notified as in production). Each URL is loaded with `wrk` (20
connections, 2 threads, 6 s a run; small: 3 s, the context rows below 1 s) as signed-in
borrowers: requests take turns among 20 borrowers, each asking for their own loan and
application (a session made through the login form for the first, sessions written with
Django's session store for the others, each with the CSRF cookie a browser holds; API tokens
for the API). The baseline is `bench.urls.minimal_json` on the same server with the same
headers: the middleware, routing and a small JSON body, no query. In the same run, for
context: a signed-in answer that reads nothing of its own, and the same URLs with
`Cache-Control: no-cache`, so that every answer is rendered by its view instead of served
from the page cache (a first visit, or the first after a change). Runs alternate, each product run
next to a baseline run; a ratio is the median of the ratios of those pairs (full: 5 pairs),
so that the machine's drift over minutes cancels.

Targets: requests/s at least half the baseline's; p99 under 100 ms for the pages.

    python -m bench --only pages --scale small
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import logging
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.support import BASE_DIR, report, result, run_child, stop

SCALES = {
    "full": {
        "borrowers": 100_000,
        "applications": 3_000,
        "seconds": 6,
        "context_seconds": 6,
        "rounds": 5,
    },
    # The context rows (floor, rendered every time) in 1 s runs: the small scale's three
    # minutes go to the figures with targets.
    "small": {
        "borrowers": 10_000,
        "applications": 300,
        "seconds": 3,
        "context_seconds": 1,
        "rounds": 1,
    },
}
CONTEXT_KINDS = ("floor", "rendered")
SIGNED_IN = 20  # borrowers whose requests take turns in every run
HISTORY = 4  # applications of each of them (the last one open), for the list page
CONNECTIONS = 20
THREADS = 2
WORKERS = 2
TARGET_RATIO = 0.5
TARGET_P99_MS = 100.0
BASELINE_PATH = "/bench/minimal/"
# What a signed-in answer costs before it reads anything of its own (bench.urls): context,
# not a target.
FLOOR_PATHS = {"session": "/bench/signed-in/", "token": "/api/v1/bench/signed-in/"}
FLOOR_NAMES = {"session": "page", "token": "API answer"}
# A hard reload: the page cache lets the view answer (core.pagecache).
RENDER = {"Cache-Control": "no-cache"}
CACHE = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/10")
DEMO_PASSWORD = "relief-demo"  # the demo accounts' public password

# (name, path with {loan} and {application}, authentication, p99 target applies)
URLS = [
    ("dashboard", "/", "session", True),
    ("loan detail", "/loans/{loan}/", "session", True),
    ("application list", "/applications/", "session", True),
    ("API application", "/api/v1/relief-applications/{application}/", "token", False),
    ("API quote", "/api/v1/loans/{loan}/relief-quote/?reason=serious_illness", "token", False),
]


def main(scale: str = "full") -> list[dict]:
    if not shutil.which("wrk"):
        print("pages: wrk is not installed (apt-get install wrk); skipped", flush=True)
        return [result("borrower pages", product="skipped: no wrk", target="—", met=None)]
    return run_child(
        "bench.bench_pages",
        scale,
        database="bench_pages",
        # bench.settings: the product's settings plus the baseline's URL. No REDIS_URL: the
        # applications made for the pages are triaged in-process (Celery eager).
        # The server's workers share a Redis cache (rate limits), as in production.
        extra_env={"DJANGO_SETTINGS_MODULE": "bench.settings", "CACHE_URL": CACHE},
        unset=("REDIS_URL",),
    )


# ---------------------------------------------------------------------------------------------
# Everything below runs in the child process.


@dataclass(frozen=True)
class SignedIn:
    username: str
    loan: int
    application: int
    session: str
    token: str
    csrf: str  # the CSRF cookie a browser holds once it has shown a form of the site


def seed(borrowers: int) -> None:
    from django.core.management import call_command

    from loans.models import Borrower

    present = Borrower.objects.filter(external_id__startswith="DEMO-B").count()
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
    under review. False if it can be neither."""
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


def applications(count: int) -> None:
    """`count` applications on overdue demo loans; the first SIGNED_IN borrowers get HISTORY
    each (earlier ones declined or withdrawn), so their list page has rows to show."""
    from django.db import connection

    from loans.models import Loan
    from loans.selectors import local_today
    from relief.models import ReliefApplication

    present = ReliefApplication.objects.count()
    if present >= count:
        print(f"  reusing {present:,} applications", flush=True)
        return
    started = time.perf_counter()
    # Celery eager on the in-memory broker says once that it has no host name: true, and noise.
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)
    with connection.cursor() as cursor:
        # Loading data, not measuring: no need to wait for each commit to reach the disk.
        cursor.execute("SET synchronous_commit TO off")
    candidates = (
        Loan.objects.filter(
            external_id__startswith="L-B",
            status=Loan.Status.ACTIVE,
            legal_proceedings=False,
            installments__paid_off_on__isnull=True,
            installments__grace_ends_on__lt=local_today(),
        )
        .exclude(relief_applications__isnull=False)
        .select_related("borrower__user")
        .distinct()
        .order_by("id")
    )
    made = present
    signed_in = ReliefApplication.objects.values("borrower").distinct().count()
    for loan in candidates.iterator(chunk_size=500):
        if made >= count:
            break
        rounds = HISTORY if signed_in < SIGNED_IN else 1
        application = None
        for number in range(rounds):
            application = submit(loan)
            if application is None:
                break
            made += 1
            if number < rounds - 1 and not close(application):
                break
        signed_in += application is not None
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO DEFAULT")
        cursor.execute("ANALYZE")
    print(f"  submitted {made - present:,} applications in {time.perf_counter() - started:.0f}s")


def session_for(user) -> str:
    """A signed-in session written with Django's session store, as `login()` leaves it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    backend = "django.contrib.auth.backends.ModelBackend"
    if backend not in settings.AUTHENTICATION_BACKENDS:
        backend = settings.AUTHENTICATION_BACKENDS[-1]
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def signed_in_borrowers() -> list[SignedIn]:
    from django.db.models import Max
    from django.middleware.csrf import CSRF_ALLOWED_CHARS
    from django.utils.crypto import get_random_string
    from rest_framework.authtoken.models import Token

    from relief.models import ReliefApplication

    latest = (
        ReliefApplication.objects.filter(borrower__external_id__startswith="DEMO-B")
        .values("borrower")
        .annotate(last=Max("id"))
        .order_by("borrower")[:SIGNED_IN]
    )
    people = []
    for row in latest:
        application = ReliefApplication.objects.select_related("borrower__user").get(pk=row["last"])
        user = application.borrower.user
        people.append(
            SignedIn(
                username=user.get_username(),
                loan=application.loan_id,
                application=application.pk,
                session=session_for(user),
                token=Token.objects.get_or_create(user=user)[0].key,
                csrf=get_random_string(32, CSRF_ALLOWED_CHARS),
            )
        )
    return people


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
        try:
            if get(port, BASELINE_PATH)[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"gunicorn did not answer on port {port} (see {log})")


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def login_through_form(port: int, username: str) -> tuple[str, str] | None:
    """Sign in as a borrower would (the login page, its CSRF token, the form); the session
    and CSRF cookies, or None if the sign-in did not work."""
    status, body, headers = get(port, "/accounts/login/")
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not cookie or not token:
        return None
    from urllib.parse import urlencode

    form = urlencode(
        {
            "username": username,
            "password": DEMO_PASSWORD,
            "csrfmiddlewaretoken": token.group(1).decode(),
        }
    )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie.group(1)}",
                "Referer": f"http://127.0.0.1:{port}/accounts/login/",
            },
        )
        response = connection.getresponse()
        response.read()
        session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
        if response.status == 302 and session:
            return session.group(1), cookie.group(1)
        return None
    finally:
        connection.close()


def headers_of(person: SignedIn, authentication: str) -> dict[str, str]:
    if authentication == "token":
        return {"Authorization": f"Token {person.token}"}
    return {"Cookie": f"sessionid={person.session}; csrftoken={person.csrf}"}


LUA = """
local targets = %(targets)s
local prepared = {}
local counter = 0

function init(args)
  for i, target in ipairs(targets) do
    prepared[i] = wrk.format("GET", target[1], target[2])
  end
end

function request()
  counter = counter + 1
  return prepared[(counter %% #prepared) + 1]
end

function done(summary, latency, requests)
  io.write(string.format(
    "WRK_JSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"connect\\": %%d, " ..
    "\\"read\\": %%d, \\"write\\": %%d, \\"status\\": %%d, \\"timeout\\": %%d, " ..
    "\\"p50_us\\": %%d, \\"p99_us\\": %%d, \\"max_us\\": %%d}\\n",
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string of ASCII is a valid Lua string literal


def wrk_script(folder: Path, name: str, targets: list[tuple[str, dict]]) -> Path:
    entries = []
    for path, headers in targets:
        fields = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
        entries.append(f"{{{lua_string(path)}, {{{fields}}}}}")
    script = folder / f"{re.sub(r'[^a-z0-9]+', '-', name)}.lua"
    script.write_text(LUA % {"targets": "{\n  " + ",\n  ".join(entries) + "\n}"})
    return script


def load(port: int, script: Path, seconds: float) -> dict:
    completed = subprocess.run(
        [
            "wrk",
            f"--threads={THREADS}",
            f"--connections={CONNECTIONS}",
            f"--duration={seconds}s",
            "--timeout=10s",
            "--latency",
            f"--script={script}",
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in completed.stdout.splitlines() if x.startswith("WRK_JSON "))
    figures = json.loads(line.removeprefix("WRK_JSON "))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["p99_ms"] = figures["p99_us"] / 1000
    # Socket errors and answers of 400 or more (every target answered 200 before the load).
    figures["errors"] = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    return figures


def paired_ratio(runs: list[dict], against: list[dict]) -> float:
    """The median of the requests/s ratios of runs made one after the other (the i-th of
    each): the machine's speed drifts over minutes, and a pair shares its moment."""
    return statistics.median(a["rps"] / b["rps"] for a, b in zip(runs, against, strict=True))


def check(port: int, path: str, headers: dict) -> str | None:
    """None if the URL answers 200 as wanted, else what went wrong."""
    status, body, answer = get(port, path, headers)
    if status != 200:
        return f"{path} answered {status} {answer.get('Location', '')} {body[:200]!r}"
    return None


def measure(port: int, people: list[SignedIn], scale: str, folder: Path) -> list[dict]:
    sizes = SCALES[scale]
    seconds, rounds = sizes["seconds"], sizes["rounds"]
    rows = []
    for name, pattern, authentication, p99_applies in URLS:
        targets = [
            (
                pattern.format(loan=person.loan, application=person.application),
                headers_of(person, authentication),
            )
            for person in people
        ]
        problem = next(filter(None, (check(port, *target) for target in targets)), None)
        if problem:
            print(f"  {name}: {problem}", flush=True)
            rows.append(result(f"{name} (load)", product="failed", target="—", met=False))
            continue
        floor_path = FLOOR_PATHS[authentication]
        scripts = {
            "product": wrk_script(folder, name, targets),
            "baseline": wrk_script(
                folder, f"{name}-baseline", [(BASELINE_PATH, h) for _, h in targets]
            ),
            "floor": wrk_script(folder, f"{name}-floor", [(floor_path, h) for _, h in targets]),
            # Every answer rendered by its view, as on a first visit or after any change.
            "rendered": wrk_script(
                folder, f"{name}-rendered", [(p, {**h, **RENDER}) for p, h in targets]
            ),
        }
        # Warm both workers (templates, prepared statements, kept answers): every target of
        # every kind a few times over, one request at a time.
        for path, headers in targets * 3:
            for warm_path, warm_headers in (
                (path, headers),
                (path, {**headers, **RENDER}),
                (BASELINE_PATH, headers),
                (floor_path, headers),
            ):
                get(port, warm_path, warm_headers)
        runs: dict[str, list[dict]] = {kind: [] for kind in scripts}
        for number in range(rounds):
            order = list(scripts) if number % 2 == 0 else list(reversed(scripts))
            for kind in order:
                duration = sizes["context_seconds"] if kind in CONTEXT_KINDS else seconds
                runs[kind].append(load(port, scripts[kind], duration))
        rps = {kind: statistics.median(r["rps"] for r in runs[kind]) for kind in runs}
        p99 = {kind: statistics.median(r["p99_ms"] for r in runs[kind]) for kind in runs}
        errors = sum(r["errors"] for kind in runs for r in runs[kind])
        ratio = paired_ratio(runs["product"], runs["baseline"])
        floor_ratio = paired_ratio(runs["product"], runs["floor"])
        rendered_ratio = paired_ratio(runs["rendered"], runs["baseline"])
        met = ratio >= TARGET_RATIO and errors == 0
        target = f"ratio >= {TARGET_RATIO}"
        if p99_applies:
            met = met and p99["product"] < TARGET_P99_MS
            target += f"; p99 < {TARGET_P99_MS:.0f} ms"
        print(
            f"pages {name} ({pattern}): {rps['product']:.0f} req/s, p99 {p99['product']:.0f} ms;"
            f" baseline {rps['baseline']:.0f} req/s, p99 {p99['baseline']:.0f} ms; ratio"
            f" {ratio:.2f} ({target}: {'meets' if met else 'MISSES'}); signed-in floor"
            f" {floor_path} {rps['floor']:.0f} req/s, p99 {p99['floor']:.0f} ms, ratio"
            f" {floor_ratio:.2f}; rendered every time {rps['rendered']:.0f} req/s, p99"
            f" {p99['rendered']:.0f} ms, ratio {rendered_ratio:.2f}"
            + (f"; {errors} failed requests" if errors else "")
            + "\n    runs (product/baseline req/s): "
            + ", ".join(
                f"{a['rps']:.0f}/{b['rps']:.0f}"
                for a, b in zip(runs["product"], runs["baseline"], strict=True)
            ),
            flush=True,
        )
        label = pattern.split("?")[0].replace("{", "<").replace("}", ">")
        rows.append(
            result(
                f"{name} {label}",
                product=f"{rps['product']:.0f} req/s, p99 {p99['product']:.0f} ms",
                baseline=f"{rps['baseline']:.0f} req/s, p99 {p99['baseline']:.0f} ms",
                ratio=f"{ratio:.2f}",
                target=target,
                met=met,
            )
        )
        rows.append(
            result(
                f"  the same, against a signed-in {FLOOR_NAMES[authentication]} that reads nothing",
                product=f"{rps['product']:.0f} req/s",
                baseline=f"{rps['floor']:.0f} req/s, p99 {p99['floor']:.0f} ms",
                ratio=f"{floor_ratio:.2f}",
                target="(context)",
                met=None,
            )
        )
        rows.append(
            result(
                "  the same, every answer rendered by its view (no-cache)",
                product=f"{rps['rendered']:.0f} req/s, p99 {p99['rendered']:.0f} ms",
                baseline=f"{rps['baseline']:.0f} req/s",
                ratio=f"{rendered_ratio:.2f}",
                target="(context)",
                met=None,
            )
        )
    return rows


def run(scale: str) -> None:
    from bench.support import django_setup_and_migrate

    django_setup_and_migrate()
    sizes = SCALES[scale]
    seed(sizes["borrowers"])
    applications(sizes["applications"])
    people = signed_in_borrowers()
    collect_static()
    log = BASE_DIR / "var" / "bench" / "gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    from django.db import connections

    connections.close_all()  # the server's workers open their own
    port = free_port()
    server = start_server(port, log)
    try:
        cookies = login_through_form(port, people[0].username)
        if cookies:
            session, csrf = cookies
            people[0] = SignedIn(**{**people[0].__dict__, "session": session, "csrf": csrf})
        else:
            print("  WARNING: signing in through the login form did not work", flush=True)
        print(
            f"  gunicorn on 127.0.0.1:{port}: {WORKERS} sync workers, DEBUG off; wrk "
            f"{CONNECTIONS} connections, {THREADS} threads, {sizes['seconds']} s a run "
            f"({sizes['context_seconds']} s for the context rows), "
            f"{sizes['rounds']} run(s) of each; {len(people)} borrowers take turns",
            flush=True,
        )
        with tempfile.TemporaryDirectory(prefix="bench-pages-") as folder:
            rows = measure(port, people, scale, Path(folder))
    finally:
        stop(server)
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    report(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_pages")
    parser.add_argument("--scale", choices=tuple(SCALES), default="full")
    run(parser.parse_args().scale)
