"""The prevention reports (domain.md §10): the risk model's backtests, and outreach against
the holdout.

`risk-backtest`: the stored figures of the backtests run in the range (risk.services.backtest
computes them; the product filter does not apply: a backtest covers the whole book).

`outreach-outcomes`: per risk model version (each draws its own holdout), the installments
outreach picked whose outreach day is in the range and whose grace days have ended, those the
borrower was sent a message for against those held out: how many were paid within the grace
days, and the difference of the two rates with its 95% confidence interval (Wald, for the
difference of two independent proportions; docs/prevention.md):

    p1 = on time ÷ contacted,  p2 = on time ÷ held out
    d = p1 − p2,  se = √(p1(1 − p1)/n1 + p2(1 − p2)/n2),  95% CI = d ± 1.96 × se

in percentage points, to one place; empty when either group is.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, NullIf, Sqrt
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.filters import ReportFilters
from reports.queries.sql import (
    CODE,
    DATE,
    DATETIME,
    INT,
    NUMBER,
    RATIO,
    Column,
    Percent,
)
from risk.models import Outreach, RiskBacktestLine, RiskLevel

Z_95 = 1.96
ONE_PLACE_OUT = DecimalField(max_digits=8, decimal_places=1)
THREE_PLACES_OUT = DecimalField(max_digits=8, decimal_places=3)

# --- risk-backtest ----------------------------------------------------------------------------

BACKTEST_ROW_LABELS = tuple(RiskBacktestLine.Kind.choices)
BACKTEST_GROUP_LABELS = tuple(RiskLevel.choices)

BACKTEST_COLUMNS = (
    Column("run_at", _("Run at"), DATETIME),
    Column("as_of", _("Scored as of"), DATE),
    Column("horizon_days", _("Horizon (days)"), INT),
    Column("model_version", _("Risk model version"), INT),
    Column("auc", _("AUC"), RATIO),
    Column("row", _("Row"), CODE, BACKTEST_ROW_LABELS),
    Column("group", _("Level or decile"), CODE, BACKTEST_GROUP_LABELS),
    Column("loans", _("Loans"), INT),
    Column("missed", _("Missed"), INT),
    Column("missed_pct", _("Missed, %"), NUMBER),
    Column("precision_pct", _("Precision at this level or above, %"), NUMBER),
    Column("recall_pct", _("Recall at this level or above, %"), NUMBER),
    Column("min_score", _("Lowest score"), INT),
    Column("max_score", _("Highest score"), INT),
    Column("lift", _("Lift"), RATIO),
)


def risk_backtest(filters: ReportFilters, unmasked: bool, now: datetime) -> QuerySet:
    return (
        RiskBacktestLine.objects.filter(
            backtest__created_at__gte=filters.submitted_from,
            backtest__created_at__lt=filters.submitted_before,
        )
        # Each backtest's levels (high, medium, low), then its deciles (riskiest first).
        .order_by(
            "-backtest__created_at",
            "backtest_id",
            Case(When(kind=RiskBacktestLine.Kind.LEVEL, then=Value(0)), default=Value(1)),
            "position",
        )
        .values_list(
            "backtest__created_at",
            "backtest__as_of",
            "backtest__horizon_days",
            "backtest__model__version",
            Cast("backtest__auc", THREE_PLACES_OUT),
            "kind",
            "group",
            "loans",
            "missed",
            "miss_rate",
            "precision",
            "recall",
            "min_score",
            "max_score",
            Cast("lift", THREE_PLACES_OUT),
        )
    )


# --- outreach-outcomes ------------------------------------------------------------------------

OUTCOME_COLUMNS = (
    Column("model_version", _("Risk model version"), INT),
    Column("contacted", _("Contacted"), INT),
    Column("contacted_on_time", _("Contacted, paid on time"), INT),
    Column("contacted_on_time_pct", _("Contacted, paid on time, %"), NUMBER),
    Column("held_out", _("Held out"), INT),
    Column("held_out_on_time", _("Held out, paid on time"), INT),
    Column("held_out_on_time_pct", _("Held out, paid on time, %"), NUMBER),
    Column("difference_pts", _("Difference (points)"), NUMBER),
    Column("ci_low_pts", _("95% CI, low (points)"), NUMBER),
    Column("ci_high_pts", _("95% CI, high (points)"), NUMBER),
)
OUTCOME_NAMES = tuple(column.name for column in OUTCOME_COLUMNS)


def _share(part: str, whole: str):
    """part ÷ whole as a fraction (a double); NULL when the whole is 0."""
    return ExpressionWrapper(
        Cast(F(part), FloatField()) / NullIf(F(whole), Value(0)), output_field=FloatField()
    )


def _points(expression):
    """A fraction in percentage points, to one place."""
    return Cast(expression * Value(100.0), ONE_PLACE_OUT)


def outcome_comparison(queryset: QuerySet[Outreach]) -> QuerySet:
    """The counts, rates, difference and 95% interval (the module's docstring) over
    `queryset`'s rows, grouped as the caller's `values()` says."""
    on_time = Q(installment__paid_off_on__lte=F("installment__grace_ends_on"))
    contacted, held_out = Q(status=Outreach.Status.SENT), Q(status=Outreach.Status.HELD_OUT)
    counted = queryset.annotate(
        contacted=Count("id", filter=contacted),
        contacted_on_time=Count("id", filter=contacted & on_time),
        held_out=Count("id", filter=held_out),
        held_out_on_time=Count("id", filter=held_out & on_time),
    ).annotate(
        p1=_share("contacted_on_time", "contacted"), p2=_share("held_out_on_time", "held_out")
    )
    spread = Sqrt(
        F("p1") * (Value(1.0) - F("p1")) / F("contacted")
        + F("p2") * (Value(1.0) - F("p2")) / F("held_out")
    )
    return counted.annotate(
        contacted_on_time_pct=Percent(F("contacted_on_time"), F("contacted")),
        held_out_on_time_pct=Percent(F("held_out_on_time"), F("held_out")),
        difference_pts=_points(F("p1") - F("p2")),
        ci_low_pts=_points(F("p1") - F("p2") - Value(Z_95) * spread),
        ci_high_pts=_points(F("p1") - F("p2") + Value(Z_95) * spread),
    )


def observed_outreach(filters: ReportFilters, now: datetime) -> QuerySet[Outreach]:
    """Outreach of the range (by its day), contacted or held out, whose installments' grace
    days have ended by today: whether they were paid on time is known."""
    today = timezone.localtime(now).date()
    rows = Outreach.objects.filter(
        day__gte=filters.date_from,
        day__lte=filters.date_to,
        status__in=(Outreach.Status.SENT, Outreach.Status.HELD_OUT),
        installment__grace_ends_on__lt=today,
    )
    if filters.product:
        rows = rows.filter(loan__product__code=filters.product)
    return rows.order_by()


def outreach_outcomes(filters: ReportFilters, unmasked: bool, now: datetime) -> QuerySet:
    return (
        outcome_comparison(observed_outreach(filters, now).values("model_version"))
        .order_by("model_version")
        .values_list(*OUTCOME_NAMES)
    )
