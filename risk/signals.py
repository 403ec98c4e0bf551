"""Receivers of other apps' signals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from risk.services.backtest import DEFAULT_HORIZON_DAYS, latest_as_of, risk_backtest_run
from risk.services.scoring import risk_scores_compute


def demo_prevention(sender, *, today: date, log: Callable[[str], None], **kwargs) -> None:
    """`seed_demo`'s early warning, computed from the demo data like any other: today's scores
    and a backtest as of the last day whose outcome is known."""
    log(risk_scores_compute(day=today).text())
    backtest = risk_backtest_run(
        as_of=latest_as_of(DEFAULT_HORIZON_DAYS, today), horizon_days=DEFAULT_HORIZON_DAYS
    )
    log(
        f"Risk backtest as of {backtest.as_of.isoformat()}: {backtest.loans} loans, "
        f"AUC {backtest.auc if backtest.auc is not None else '–'}."
    )
