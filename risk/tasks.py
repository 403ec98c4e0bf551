"""Celery tasks of early warning: each calls a service; running one twice changes nothing
more (scores and outreach are written once per loan and day, once per installment)."""

from celery import shared_task

from risk.services import scoring


@shared_task(name="risk.score_loans")
def score_loans() -> int:
    """Nightly: score every eligible loan as of today."""
    return scoring.risk_scores_compute().stored
