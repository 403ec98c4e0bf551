"""The backtest (domain.md §10): score every loan as of a past day with only what was known
then, and compare with what happened in the next days.

A loan *missed* when an installment of it falling due in (day, day + horizon] was paid more
than 3 days after its due date, or not at all. Only loans eligible on the day with an
installment due in that window are counted; the day must be far enough back for every such
installment's 3 days to have passed. The figures (AUC, precision and recall per level, lift
by decile: `risk.rules.metrics`) are stored, so the ops pages and the `risk-backtest` report
read them without scoring again.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Case, F, IntegerField, Max, Q, Value, When
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from loans.models import Installment
from loans.selectors import local_today
from risk import rules
from risk.models import RiskBacktest, RiskBacktestLine, RiskModel
from risk.selectors import scorecard_of
from risk.services.scoring import scores_as_of

DEFAULT_HORIZON_DAYS = 30
MAX_HORIZON_DAYS = 365
# An installment paid more than this many days after its due date counts as missed.
LATE_AFTER_DAYS = 3

TOO_RECENT = _(
    "What happened after %(day)s is not all known yet: the last installments of a "
    "%(horizon)s-day horizon and their %(late)s days must have passed. Choose %(latest)s or "
    "earlier."
)
BAD_HORIZON = _("The horizon must be from 1 to %(most)s days.")


def latest_as_of(horizon_days: int, today: date | None = None) -> date:
    """The last day whose outcome is complete today."""
    today = today or local_today()
    return today - timedelta(days=horizon_days + LATE_AFTER_DAYS + 1)


def outcomes(day: date, horizon_days: int) -> dict[int, bool]:
    """Loan id → whether it missed an installment due in (day, day + horizon]."""
    late = Q(paid_off_on__isnull=True) | Q(
        paid_off_on__gt=F("due_date") + timedelta(days=LATE_AFTER_DAYS)
    )
    rows = (
        Installment.objects.filter(
            due_date__gt=day, due_date__lte=day + timedelta(days=horizon_days)
        )
        .order_by()
        .values("loan_id")
        .annotate(
            missed=Max(
                Case(When(late, then=Value(1)), default=Value(0), output_field=IntegerField())
            )
        )
        .values_list("loan_id", "missed")
    )
    return {loan_id: bool(missed) for loan_id, missed in rows.iterator(chunk_size=10_000)}


def backtest_figures(
    day: date, horizon_days: int, scorecard: rules.Scorecard
) -> tuple[rules.Figures, list[tuple[int, int, bool]]]:
    """The figures, and the (loan id, score, missed) they are computed from."""
    missed = outcomes(day, horizon_days)
    scored = [
        (loan_id, result.score, missed[loan_id])
        for loan_id, result in scores_as_of(day, scorecard)
        if loan_id in missed
    ]
    return rules.figures(scored, scorecard.level_of), scored


@transaction.atomic
def risk_backtest_run(
    *, as_of: date, horizon_days: int = DEFAULT_HORIZON_DAYS, model: RiskModel | None = None
) -> RiskBacktest:
    """Backtest a risk model version (the active one by default) as of a past day and store
    its figures, replacing those of an earlier run for the same version, day and horizon."""
    if not 1 <= horizon_days <= MAX_HORIZON_DAYS:
        raise DomainError.for_field("horizon", BAD_HORIZON % {"most": MAX_HORIZON_DAYS})
    latest = latest_as_of(horizon_days)
    if as_of > latest:
        raise DomainError.for_field(
            "as_of",
            TOO_RECENT
            % {
                "day": as_of.isoformat(),
                "horizon": horizon_days,
                "late": LATE_AFTER_DAYS,
                "latest": latest.isoformat(),
            },
        )
    model = model or RiskModel.objects.get(status=RiskModel.Status.ACTIVE)
    figures, _scored = backtest_figures(as_of, horizon_days, scorecard_of(model))
    backtest, _created = RiskBacktest.objects.update_or_create(
        model=model,
        as_of=as_of,
        horizon_days=horizon_days,
        defaults={"loans": figures.loans, "missed": figures.missed, "auc": figures.auc},
    )
    backtest.lines.all().delete()
    RiskBacktestLine.objects.bulk_create(
        [
            RiskBacktestLine(
                backtest=backtest,
                kind=RiskBacktestLine.Kind.LEVEL,
                position=position,
                group=line.level,
                loans=line.loans,
                missed=line.missed,
                miss_rate=line.miss_rate,
                precision=line.precision,
                recall=line.recall,
            )
            for position, line in enumerate(figures.levels, start=1)
        ]
        + [
            RiskBacktestLine(
                backtest=backtest,
                kind=RiskBacktestLine.Kind.DECILE,
                position=line.decile,
                group=str(line.decile),
                loans=line.loans,
                missed=line.missed,
                miss_rate=line.miss_rate,
                min_score=line.min_score,
                max_score=line.max_score,
                lift=line.lift,
            )
            for line in figures.deciles
        ]
    )
    return backtest
