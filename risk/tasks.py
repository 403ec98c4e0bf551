"""Celery tasks of early warning: each calls a service; running one twice changes nothing
more (scores and outreach are written once per loan and day, once per installment)."""

from celery import shared_task

from risk.services import backtest, outreach, scoring


@shared_task(name="risk.score_loans")
def score_loans() -> int:
    """Nightly: score every eligible loan as of today."""
    return scoring.risk_scores_compute().stored


@shared_task(name="risk.backtest")
def backtest_latest() -> int:
    """Nightly: backtest the active model as of the last day whose outcome is known."""
    day = backtest.latest_as_of(backtest.DEFAULT_HORIZON_DAYS)
    return backtest.risk_backtest_run(as_of=day).loans


@shared_task(name="risk.send_outreach")
def send_outreach() -> int:
    """Every hour from 08:00 to 20:00: the day's outreach, and what waited for 08:00."""
    return outreach.outreach_send().sent
