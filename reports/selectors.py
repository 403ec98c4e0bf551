"""Reading for the ops dashboard: the figures behind each chart, over the chosen filters.

The definitions (approved, decided, SLA breached, repaid within N days) are those of the
reports in reports.queries, so the dashboard and the exports never disagree; several panels
read a report's own rows (effectiveness, outreach-outcomes, satisfaction and its comments).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from reports.filters import ReportFilters, local_zone
from reports.outcomes import Repaid, grouped, percent, repaid_by_outcome, rounded
from reports.queries import (
    REPORTS,
    in_range,
    outcome,
    outcome_aggregates,
    sla_breached,
    submitted_month,
)
from reports.queries.sql import APPROVED_Q, ZERO_MONEY
from risk.models import RiskBacktest

OUTCOMES = ("approved", "rejected", "withdrawn", "open")
# The Outcomes panel shows the latest few comments; the export has them all.
COMMENTS_SHOWN = 5
# Longer ranges are shown by week: a bar a day stops being readable.
DAILY_UP_TO_DAYS = 62


@dataclass(frozen=True)
class Period:
    start: date
    label: str


def periods(filters: ReportFilters) -> tuple[str, list[Period]]:
    """The days (or weeks, for long ranges) of the range, each with its label."""
    days = (filters.date_to - filters.date_from).days + 1
    if days <= DAILY_UP_TO_DAYS:
        return "day", [
            Period(day, f"{day:%m-%d}")
            for day in (filters.date_from + timedelta(days=n) for n in range(days))
        ]
    first = filters.date_from - timedelta(days=filters.date_from.weekday())
    weeks = []
    week = first
    while week <= filters.date_to:
        weeks.append(Period(week, f"{week:%m-%d}"))
        week += timedelta(days=7)
    return "week", weeks


def applications_by_period(filters: ReportFilters) -> tuple[str, list[dict[str, Any]]]:
    """Applications per day (or week) of submission, by outcome."""
    granularity, all_periods = periods(filters)
    zone = local_zone()
    trunc = (
        TruncDate("created_at", tzinfo=zone)
        if granularity == "day"
        else TruncWeek("created_at", tzinfo=zone)
    )
    counts: dict[tuple[date, str], int] = {}
    rows = (
        in_range(filters)
        .annotate(r_period=trunc, r_outcome=outcome())
        .values("r_period", "r_outcome")
        .annotate(r_count=Count("id"))
    )
    for row in rows:
        period = row["r_period"]
        if isinstance(period, datetime):
            period = period.date()
        counts[(period, row["r_outcome"])] = row["r_count"]
    table = []
    for period in all_periods:
        row = {"period": period.start, "label": period.label}
        for name in OUTCOMES:
            row[name] = counts.get((period.start, name), 0)
        row["total"] = sum(row[name] for name in OUTCOMES)
        table.append(row)
    return granularity, table


def decision_time_aggregates() -> dict:
    """Manual cases (those given a decision time) and how many breached it; over rows
    annotated with `r_breached` (`sla_breached`)."""
    manual = Q(sla_due__isnull=False)
    return {
        "r_manual": Count("id", filter=manual),
        "r_breached": Count("id", filter=manual & Q(r_breached_case=True)),
    }


def sla_row(manual: int, breached: int) -> dict[str, Any]:
    return {
        "manual": manual,
        "breached": breached,
        "within": manual - breached,
        "breached_pct": percent(breached, manual),
    }


def cell_aggregates() -> dict:
    """The outcome figures of a group of applications as counts and sums, which add up over
    groups: the approval rate and the mean relief % are worked out from them (`summed`)
    exactly as the reports' `outcome_aggregates` work them out in SQL."""
    aggregates = outcome_aggregates()
    return {
        **{name: aggregates[name] for name in SUMMED_NAMES},
        "r_percent_sum": Sum("decided_percent", filter=APPROVED_Q),
        "r_percent_count": Count("decided_percent", filter=APPROVED_Q),
    }


SUMMED_NAMES = ("r_applications", "r_approved", "r_rejected", "r_total_relief", "r_total_waived")


def outcome_cells(filters: ReportFilters, now: datetime) -> list[dict[str, Any]]:
    """The range's applications counted by month of submission, bucket and reason, in one
    read (a few hundred rows at most): the totals, the months and the buckets' and reasons'
    figures are all summed from these cells (`summed`)."""
    return list(
        in_range(filters)
        .annotate(r_month=submitted_month(), r_breached_case=sla_breached(now))
        .values("r_month", "bucket_at_submission", "reason")
        .annotate(**cell_aggregates(), **decision_time_aggregates())
        .order_by()
    )


def summed(cells: list[dict[str, Any]]) -> dict[str, Any]:
    """The outcome figures of some cells together: counts, approval rate (approved ÷
    decided), mean decided percent of the approved, relief granted and waived, and the
    decision-time breaches (`sla`)."""

    def total(name: str):
        return sum((cell[name] or 0 for cell in cells), start=0)

    approved, rejected = total("r_approved"), total("r_rejected")
    return {
        "applications": total("r_applications"),
        "approved": approved,
        "rejected": rejected,
        "approval_rate": percent(approved, approved + rejected),
        "mean_percent": rounded(total("r_percent_sum"), total("r_percent_count")),
        "total_relief": ZERO_MONEY + total("r_total_relief"),
        "total_waived": ZERO_MONEY + total("r_total_waived"),
        "sla": sla_row(total("r_manual"), total("r_breached")),
    }


def summed_by(cells: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    """`summed` for each value of `key` in the cells, in the order of those values."""
    groups = grouped(cells, lambda cell: cell[key])
    return {name: summed(groups[name]) for name in sorted(groups)}


def report_rows(
    name: str, filters: ReportFilters, now: datetime, limit: int | None = None
) -> list[dict[str, Any]]:
    """A report's rows (its first `limit`) as dicts by column name, masked (the dashboard
    shows what the export holds)."""
    report = REPORTS[name]
    rows = report.queryset(filters, now=now)
    if limit is not None:
        rows = rows[:limit]
    return [dict(zip(report.column_names, row, strict=True)) for row in rows]


def latest_backtest() -> RiskBacktest | None:
    """The risk model's last backtest run, with its lines (whatever the range: one is run
    every night as of the last day whose outcome is known)."""
    return (
        RiskBacktest.objects.select_related("model")
        .prefetch_related("lines")
        .order_by("-created_at", "-pk")
        .first()
    )


ARRANGEMENT_COUNTS = ("asked", "started", "active", "completed", "broken")
ARRANGEMENT_AMOUNTS = ("total", "relief_waived", "paid")


def arrangements_by_option(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The arrangements report's rows added up by option (kind and term), deferrals first,
    then plans from the shortest: the dashboard's panel."""
    options: dict[tuple[str, int], dict[str, Any]] = {}
    for row in rows:
        entry = options.setdefault(
            (row["kind"], row["term"]),
            {
                "kind": row["kind"],
                "term": row["term"],
                **dict.fromkeys(ARRANGEMENT_COUNTS, 0),
                **dict.fromkeys(ARRANGEMENT_AMOUNTS, Decimal("0.00")),
            },
        )
        for name in (*ARRANGEMENT_COUNTS, *ARRANGEMENT_AMOUNTS):
            entry[name] += row[name]
    for entry in options.values():
        entry["broken_pct"] = percent(entry["broken"], entry["started"])
    return [options[key] for key in sorted(options)]


def months_in(filters: ReportFilters) -> list[date]:
    month = filters.date_from.replace(day=1)
    months = []
    while month <= filters.date_to:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


@dataclass(frozen=True)
class Dashboard:
    filters: ReportFilters
    granularity: str
    by_period: list[dict[str, Any]]
    by_bucket: list[dict[str, Any]]
    by_reason: list[dict[str, Any]]
    by_month: list[dict[str, Any]]
    sla: list[dict[str, Any]]
    effectiveness: list[dict[str, Any]]
    # Repaid within 30, 60 and 90 days by outcome, all buckets together (from `effectiveness`).
    repaid: dict[str, Repaid]
    totals: dict[str, Any]
    arrangements: list[dict[str, Any]]
    backtest: RiskBacktest | None = None
    outreach: list[dict[str, Any]] = field(default_factory=list)
    # The Outcomes panel: the `satisfaction` report's rows and the latest masked comments.
    satisfaction: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)


def dashboard(filters: ReportFilters, *, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    granularity, by_period = applications_by_period(filters)
    cells = outcome_cells(filters, now)
    read = summed_by(cells, "r_month")
    months = months_in(filters)
    month_rows = [read.get(month) or summed([]) for month in months]
    overall = summed(cells)
    sla = overall.pop("sla")
    effectiveness = report_rows("effectiveness", filters, now)
    return Dashboard(
        filters=filters,
        granularity=granularity,
        by_period=by_period,
        by_bucket=_keyed(summed_by(cells, "bucket_at_submission")),
        by_reason=_keyed(summed_by(cells, "reason")),
        by_month=[
            {**{key: value for key, value in row.items() if key != "sla"}, "month": month}
            for month, row in zip(months, month_rows, strict=True)
        ],
        sla=[{**row["sla"], "month": month} for month, row in zip(months, month_rows, strict=True)],
        effectiveness=effectiveness,
        repaid=repaid_by_outcome(effectiveness),
        totals={**overall, "manual": sla["manual"], "breached": sla["breached"]},
        arrangements=arrangements_by_option(report_rows("arrangements", filters, now)),
        backtest=latest_backtest(),
        outreach=report_rows("outreach-outcomes", filters, now),
        satisfaction=report_rows("satisfaction", filters, now),
        comments=report_rows("satisfaction-comments", filters, now, limit=COMMENTS_SHOWN),
    )


def _keyed(groups: dict[Any, dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"key": key, **{k: v for k, v in row.items() if k != "sla"}} for key, row in groups.items()
    ]
