"""Choose the test backends: PostgreSQL and Redis when they answer, else SQLite and eager Celery.

Prints shell `export` lines for `make test` to eval, and a line saying what it chose on
stderr. Under CI (CI=true) both real services are required: it fails with a clear message.
"""

import os
import socket
import sys
from urllib.parse import urlparse, urlunparse

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/relief"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"
# The cache (rate limits) in a database of its own: the tests empty it between
# tests, which must never touch the broker's queues.
DEFAULT_CACHE_DB = 2


def answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def main() -> int:
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    postgres = database_url.startswith("postgres") and answers(database_url, 5432)
    redis = answers(redis_url, 6379)
    if ci and not (postgres and redis):
        missing = [name for name, ok in (("PostgreSQL", postgres), ("Redis", redis)) if not ok]
        print(
            f"CI needs PostgreSQL and Redis, but {' and '.join(missing)} did not answer "
            f"(DATABASE_URL={database_url}, REDIS_URL={redis_url}).",
            file=sys.stderr,
        )
        return 1
    lines = []
    if postgres:
        lines.append(f"export DATABASE_URL='{database_url}'")
    else:
        lines.append("export DATABASE_URL='sqlite:///test-db.sqlite3'")
    if redis:
        lines.append(f"export REDIS_URL='{redis_url}'")
        lines.append(f"export RELIEF_TEST_REDIS_URL='{redis_url}'")
        cache_url = os.environ.get("CACHE_URL") or urlunparse(
            urlparse(redis_url)._replace(path=f"/{DEFAULT_CACHE_DB}")
        )
        lines.append(f"export CACHE_URL='{cache_url}'")
    else:
        lines.append("unset REDIS_URL CACHE_URL")
    print("\n".join(lines))
    print(
        "Test backends: database={} , broker={}".format(
            "PostgreSQL " + database_url if postgres else "SQLite (PostgreSQL did not answer)",
            "Redis " + redis_url if redis else "none, Celery eager (Redis did not answer)",
        ),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
