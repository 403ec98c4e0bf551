"""How the worker spends its time (docs/benchmarks.md, "queue"): emails and SMS in a queue of
their own that every worker consumes after triage, and database connections kept between
tasks by Django's rules instead of reopened for each."""

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

from config.celery import app, close_old_connections


def test_notifications_go_to_their_own_queue_and_triage_to_the_default_one():
    route = app.amqp.router.route
    assert route({}, "relief.send_notification")["queue"].name == "notifications"
    assert route({}, "relief.triage_application")["queue"].name == "celery"


def test_a_worker_started_without_queues_consumes_triage_first_then_notifications():
    assert [queue.name for queue in app.amqp.queues.values()] == ["celery", "notifications"]
    assert app.conf.broker_transport_options["queue_order_strategy"] == "priority"


class EagerTask:
    class request:
        is_eager = True


class WorkerTask:
    class request:
        is_eager = False


@pytest.fixture
def conn_max_age(monkeypatch):
    """The production CONN_MAX_AGE on a fresh connection (the tests' own is 0)."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    connection.close()
    connection.ensure_connection()


@pytest.mark.django_db(transaction=True)
def test_the_worker_reuses_its_database_connection_between_tasks(conn_max_age):
    """Around every task a worker runs Celery's Django fixup (which closes the connections
    unless told to reuse them) and our own check; a hundred short tasks keep one connection."""
    fixup = DjangoWorkerFixup(app)
    before = connection.connection
    for _ in range(100):
        for hook in (fixup.on_task_prerun, close_old_connections, fixup.on_task_postrun):
            hook(sender=WorkerTask)
        connection.ensure_connection()
    assert connection.connection is before


@pytest.mark.django_db(transaction=True)
def test_the_worker_reopens_a_connection_older_than_conn_max_age_between_tasks(conn_max_age):
    before = connection.connection
    connection.close_at = 0  # as if CONN_MAX_AGE had run out long ago
    close_old_connections(sender=WorkerTask)
    connection.ensure_connection()
    assert connection.connection is not before


def test_an_eager_task_leaves_its_callers_connection_alone(db):
    """Run inside the caller (eager), the task must not close the caller's connection, even
    in the middle of its transaction."""
    connection.ensure_connection()
    before = connection.connection
    close_old_connections(sender=EagerTask)
    assert connection.connection is before
