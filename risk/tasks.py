"""Celery tasks of early warning: each calls a service; running one twice changes nothing
more (scores and outreach are written once per loan and day, once per installment)."""

from celery import shared_task

from risk.services import backtest, outreach, scoring

# Over the whole book these run longer than the project's default task limits (a minute):
# scoring and backtesting 100,000 loans take seconds, a busy morning's messages minutes.
NIGHTLY_LIMIT = 30 * 60
HOURLY_LIMIT = 55 * 60


@shared_task(name="risk.score_loans", soft_time_limit=NIGHTLY_LIMIT, time_limit=NIGHTLY_LIMIT + 60)
def score_loans() -> int:
    """Nightly: score every eligible loan as of today."""
    return scoring.risk_scores_compute().stored


@shared_task(name="risk.backtest", soft_time_limit=NIGHTLY_LIMIT, time_limit=NIGHTLY_LIMIT + 60)
def backtest_latest() -> int:
    """Nightly: backtest the active model as of the last day whose outcome is known."""
    day = backtest.latest_as_of(backtest.DEFAULT_HORIZON_DAYS)
    return backtest.risk_backtest_run(as_of=day).loans


@shared_task(name="risk.send_outreach", soft_time_limit=HOURLY_LIMIT, time_limit=HOURLY_LIMIT + 60)
def send_outreach() -> int:
    """Every hour from 08:00 to 20:00: the day's outreach, and what waited for 08:00."""
    return outreach.outreach_send().sent
