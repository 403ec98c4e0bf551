"""What tests across folders share that is neither a fixture nor a factory: the Redis the
worker tests use, waiting for a worker's result, and running work in threads at once."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from urllib.parse import urlparse

from django.db import connection


def redis_test_url() -> str | None:
    """The Redis of the worker tests (RELIEF_TEST_REDIS_URL, else REDIS_URL, else database 1
    on localhost), or None when nothing answers there."""
    url = os.environ.get("RELIEF_TEST_REDIS_URL") or os.environ.get("REDIS_URL")
    url = url or "redis://127.0.0.1:6379/1"
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname, parsed.port or 6379), 1).close()
    except OSError:
        return None
    return url


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    """True as soon as `condition()` is; False if it is still not after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def run_at_once(*works) -> list:
    """Run each of `works` in its own thread, released at the same instant; each outcome is
    its result or the exception it raised (the outcome under test). Each thread closes its
    database connection when done."""
    barrier = threading.Barrier(len(works))
    outcomes: list = [None] * len(works)

    def run(index, work):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = work()
        except Exception as exc:  # the outcome under test, kept for the assertions
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def run_together(work, count: int = 2) -> list:
    """Run the same `work()` in `count` threads released at the same instant."""
    return run_at_once(*[work] * count)
