"""Publishing a task after a commit without holding the request: Redis gets half a second.

Work a change enqueues (a triage, a message, an export) is published after its transaction
commits. From a web process, through a broker connection of its own with short timeouts and
no retry (`settings.PUBLISH_BROKER_TRANSPORT_OPTIONS`): with Redis away or frozen, publishing
gives up within about half a second, the row stays as it was saved (the case "submitted",
the message "pending") and the sweeper sends it once Redis is back. After a failure the
process does not try again for `PAUSE` seconds, so a request with several tasks, and the
requests right after it, do not each wait.

A worker (a task enqueuing more work) publishes with the app's own broker options and
publish retries (settings.CELERY_BROKER_TRANSPORT_OPTIONS, CELERY_TASK_PUBLISH_RETRY_POLICY),
as it consumes: only publishing from web processes is cut short.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import transaction
from kombu import pools

log = logging.getLogger(__name__)

# Seconds without trying after a failed publish.
PAUSE = 5.0
_paused_until = 0.0


def publish_on_commit(task, *args, what: str) -> None:
    """Publish `task(*args)` once the current transaction commits (never before: a rolled
    back change must not be acted on); `what` names the work in the log."""
    transaction.on_commit(lambda: publish(task, *args, what=what))


def publish(task, *args, what: str) -> bool:
    """Publish now; False (logged) when the broker is away or was a moment ago."""
    global _paused_until
    app = task.app
    # A web process (or a command): short and once. In a worker, or in-process (development
    # without Redis), the app's own broker options and publish retries.
    short = not app.conf.task_always_eager and app.current_worker_task is None
    if short and time.monotonic() < _paused_until:
        log.warning("not enqueuing %s: the broker was away a moment ago; left for later", what)
        return False
    try:
        if short:
            connection = app.connection_for_write(
                transport_options=settings.PUBLISH_BROKER_TRANSPORT_OPTIONS
            )
            with pools.producers[connection].acquire(block=True, timeout=1) as producer:
                task.apply_async(args, producer=producer, retry=False)
        else:
            task.delay(*args)
    except Exception:
        if short:
            _paused_until = time.monotonic() + PAUSE
        log.warning("could not enqueue %s; left for later", what, exc_info=True)
        return False
    return True


def resume() -> None:
    """Try again at the next publish (a test that switched brokers)."""
    global _paused_until
    _paused_until = 0.0
