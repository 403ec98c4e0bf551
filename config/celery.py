"""The Celery application. Tasks are "just another interface": they take ids and call services."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun

from config.env import env_int

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("relief")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def close_old_connections(sender=None, **kwargs) -> None:
    """Before and after a task, as around a request: close the database connections that are
    broken or older than CONN_MAX_AGE, keep the others (settings.CELERY_DB_REUSE_MAX)."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # an eager task runs inside its caller's connection and transaction
    from django.db import close_old_connections as close

    close()


task_prerun.connect(close_old_connections, weak=False)
task_postrun.connect(close_old_connections, weak=False)

# Schedules live in code, next to the tasks they run.
app.conf.beat_schedule = {
    # Every minute (RELIEF_SWEEP_SECONDS: shorter in the fault tests).
    "sweep-lost-work": {
        "task": "relief.sweep",
        "schedule": float(env_int("RELIEF_SWEEP_SECONDS", 60, minimum=1)),
    },
    "escalate-sla": {"task": "relief.escalate_sla", "schedule": 300.0},
    # Before the accrual: a plan broken tonight accrues its penalty from the day it broke.
    "arrangements-nightly": {
        "task": "relief.arrangements_nightly",
        "schedule": crontab(hour=0, minute=5),
    },
    "accrue-penalties": {
        "task": "loans.accrue_penalties",
        "schedule": crontab(hour=0, minute=10),
    },
    "expire-offers": {"task": "relief.expire_offers", "schedule": crontab(hour=0, minute=20)},
    # After the accrual: the day's early-warning scores, which the outreach reads.
    "score-loans": {"task": "risk.score_loans", "schedule": crontab(hour=1, minute=0)},
    "backtest-risk": {"task": "risk.backtest", "schedule": crontab(hour=1, minute=30)},
    # Outreach is sent from 08:00 (what was picked overnight waits for it) to 21:00 local.
    "send-outreach": {"task": "risk.send_outreach", "schedule": crontab(hour="8-20", minute=0)},
    "purge-expired-exports": {
        "task": "reports.purge_expired_exports",
        "schedule": crontab(hour=3, minute=0),
    },
    "remind-due-installments": {
        "task": "relief.remind_due_installments",
        "schedule": crontab(hour=9, minute=0),
    },
}
