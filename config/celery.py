"""The Celery application. Tasks are "just another interface": they take ids and call services."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("relief")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Schedules live in code, next to the tasks they run.
app.conf.beat_schedule = {
    "sweep-lost-work": {"task": "relief.sweep", "schedule": 60.0},
    "escalate-sla": {"task": "relief.escalate_sla", "schedule": 300.0},
    "accrue-penalties": {
        "task": "loans.accrue_penalties",
        "schedule": crontab(hour=0, minute=10),
    },
    "expire-offers": {"task": "relief.expire_offers", "schedule": crontab(hour=0, minute=20)},
    "purge-expired-exports": {
        "task": "reports.purge_expired_exports",
        "schedule": crontab(hour=3, minute=0),
    },
    "remind-due-installments": {
        "task": "relief.remind_due_installments",
        "schedule": crontab(hour=9, minute=0),
    },
}
