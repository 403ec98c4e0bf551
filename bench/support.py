"""Shared plumbing of the benchmarks: their own PostgreSQL databases and child processes.

Each benchmark measures in a child process whose Django is set up on a database of its own
(`bench_<name>` on the server of DATABASE_URL), so runs never touch development data. The
child runs as production does: DEBUG off (no SQL kept in memory per query), with a benchmark
secret key. It hands its lines of the summary table (`result`) back to the runner through a
JSON file (`report`).
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
FIGURES_ENV = "BENCH_FIGURES"
# Production settings, minus TLS (everything is on loopback). Not a secret: benchmark data only.
CHILD_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-key-not-a-secret-5f0c1e8a9b7d4c3e2a1f0e9d8c7b6a5f",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "LOG_LEVEL": "WARNING",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
}


class BenchmarkFailed(RuntimeError):
    """A benchmark could not measure: its child failed, or a service it needs is missing.
    `python -m bench` prints the reason and exits non-zero after the other benchmarks."""


def database_url(name: str) -> str:
    current = os.environ.get("DATABASE_URL", "")
    server = current if current.startswith(("postgres://", "postgresql://")) else DEFAULT_SERVER
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def ensure_database(url: str) -> None:
    """Create the database if it is missing (connecting to the server's `postgres` db)."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("bench_"):
        raise SystemExit(f"refusing to use database {name!r}: its name must start with bench_")
    admin = urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def run_child(
    module: str,
    scale: str,
    *,
    database: str,
    extra_env: dict | None = None,
    unset: tuple[str, ...] = (),
) -> list[dict]:
    """Run `python -m <module> --scale <scale>` with Django on the benchmark's database and
    return the summary lines it reported; `BenchmarkFailed` if it failed."""
    url = database_url(database)
    ensure_database(url)
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        figures = Path(folder) / "figures.json"
        env = {
            **os.environ,
            **CHILD_ENV,
            "DATABASE_URL": url,
            FIGURES_ENV: str(figures),
            **(extra_env or {}),
        }
        for name in unset:
            env.pop(name, None)
        command = [sys.executable, "-m", module, "--scale", scale]
        code = subprocess.call(command, cwd=BASE_DIR, env=env)
        if code != 0:
            raise BenchmarkFailed(f"{module} exited with code {code} (its output above says why)")
        if not figures.exists():
            raise BenchmarkFailed(f"{module} reported no figures")
        return json.loads(figures.read_text())


def report(rows: list[dict]) -> list[dict]:
    """In a child: hand the summary lines to the runner (a no-op when run by hand)."""
    path = os.environ.get(FIGURES_ENV)
    if path:
        Path(path).write_text(json.dumps(rows))
    return rows


def result(
    job: str,
    *,
    product: str,
    target: str,
    met: bool | None,
    baseline: str = "—",
    ratio: str = "—",
) -> dict:
    """One line of the summary table: what was measured against what, and whether it meets
    its target (None: nothing to judge)."""
    return {
        "job": job,
        "product": product,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "met": met,
    }


def django_setup_and_migrate() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values)


def stop(process: subprocess.Popen, *, timeout: float = 30) -> None:
    """Ask a server or worker started by a benchmark to stop (SIGTERM), kill it if it will not."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()


def raw_connection():
    """A plain psycopg2 connection to the database Django uses: the baselines run on it."""
    import psycopg2
    from django.db import connection

    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )


def per_second(function, cases, policy, *, repeats: int) -> float:
    """Calls of `function(case, policy)` per second over `cases`, best of `repeats` runs: the
    least disturbed by whatever else the machine is doing."""
    import time

    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for case in cases:
            function(case, policy)
        best = min(best, time.perf_counter() - started)
    return len(cases) / best
