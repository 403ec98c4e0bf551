"""Shared plumbing of the benchmarks: their own PostgreSQL databases and child processes.

Each benchmark measures in a child process whose Django is set up on a database of its own
(`bench_<name>` on the server of DATABASE_URL), so runs never touch development data.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def database_url(name: str) -> str:
    current = os.environ.get("DATABASE_URL", "")
    server = current if current.startswith(("postgres://", "postgresql://")) else DEFAULT_SERVER
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def ensure_database(url: str) -> None:
    """Create the database if it is missing (connecting to the server's `postgres` db)."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def run_child(module: str, scale: str, *, database: str, extra_env: dict | None = None) -> int:
    """Run `python -m <module> --scale <scale>` with Django on the benchmark's database."""
    url = database_url(database)
    ensure_database(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    return subprocess.call([sys.executable, "-m", module, "--scale", scale], cwd=BASE_DIR, env=env)


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
