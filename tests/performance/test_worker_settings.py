"""How the worker spends its time (docs/benchmarks.md, "queue"): emails and SMS in a queue of
their own that every worker consumes after triage, and database connections kept between
tasks by Django's rules instead of reopened for each."""

from django.conf import settings
from django.db import connection

from config.celery import app, close_old_connections


def test_notifications_go_to_their_own_queue_and_triage_to_the_default_one():
    route = app.amqp.router.route
    assert route({}, "relief.send_notification")["queue"].name == "notifications"
    assert route({}, "relief.triage_application")["queue"].name == "celery"


def test_a_worker_started_without_queues_consumes_triage_first_then_notifications():
    assert [queue.name for queue in app.amqp.queues.values()] == ["celery", "notifications"]
    assert app.conf.broker_transport_options["queue_order_strategy"] == "priority"


def test_the_worker_reuses_its_database_connection_between_tasks():
    assert app.conf.get("db_reuse_max") == settings.CELERY_DB_REUSE_MAX >= 100


class EagerTask:
    class request:
        is_eager = True


def test_an_eager_task_leaves_its_callers_connection_alone(db):
    """Run inside the caller (eager), the task must not close the caller's connection, even
    in the middle of its transaction."""
    connection.ensure_connection()
    before = connection.connection
    close_old_connections(sender=EagerTask)
    assert connection.connection is before
