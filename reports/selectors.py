"""Reading for the ops dashboard: the figures behind each chart, over the chosen filters.

The definitions (approved, decided, SLA breached, repaid within N days) are those of the
reports in reports.queries, so the dashboard and the exports never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from reports.filters import ReportFilters, local_zone
from reports.queries import (
    AGGREGATE_NAMES,
    REPORTS,
    in_range,
    outcome,
    outcome_aggregates,
    outcome_summary,
    sla_breached,
    submitted_month,
)

OUTCOMES = ("approved", "rejected", "withdrawn", "open")
# Longer ranges are shown by week: a bar a day stops being readable.
DAILY_UP_TO_DAYS = 62


def _summary_row(values: dict[str, Any]) -> dict[str, Any]:
    """The outcome aggregates without their query prefix."""
    return {name.removeprefix("r_"): values.get(name) for name in AGGREGATE_NAMES}


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


def outcomes_by(filters: ReportFilters, field: str) -> list[dict[str, Any]]:
    """Counts, approval rate, mean relief percent and relief amounts by one field."""
    return [{"key": row[field], **_summary_row(row)} for row in outcome_summary(filters, field)]


def totals(filters: ReportFilters, now: datetime) -> dict[str, Any]:
    """The range's figures in one row: outcomes, relief, and decision-time breaches."""
    row = _summary_row(in_range(filters).aggregate(**outcome_aggregates()))
    sla = (
        in_range(filters)
        .filter(sla_due__isnull=False)
        .annotate(r_breached=sla_breached(now))
        .aggregate(manual=Count("id"), breached=Count("id", filter=Q(r_breached=True)))
    )
    return {**row, **sla, "breached_pct": percent(sla["breached"], sla["manual"])}


def relief_by_month(filters: ReportFilters) -> list[dict[str, Any]]:
    return [
        {"month": row["r_month"], **_summary_row(row)}
        for row in outcome_summary(filters, "r_month")
    ]


def sla_by_month(filters: ReportFilters, now: datetime) -> list[dict[str, Any]]:
    """Manual cases (those given a decision time) by month: how many breached it."""
    rows = (
        in_range(filters)
        .filter(sla_due__isnull=False)
        .annotate(r_month=submitted_month(), r_breached=sla_breached(now))
        .values("r_month")
        .annotate(manual=Count("id"), breached=Count("id", filter=Q(r_breached=True)))
        .order_by("r_month")
    )
    return [
        {
            "month": row["r_month"],
            "manual": row["manual"],
            "breached": row["breached"],
            "within": row["manual"] - row["breached"],
            "breached_pct": percent(row["breached"], row["manual"]),
        }
        for row in rows
    ]


def effectiveness_rows(filters: ReportFilters, now: datetime) -> list[dict[str, Any]]:
    report = REPORTS["effectiveness"]
    return [
        dict(zip(report.column_names, row, strict=True))
        for row in report.queryset(filters, now=now)
    ]


def arrangement_rows(filters: ReportFilters, now: datetime) -> list[dict[str, Any]]:
    report = REPORTS["arrangements"]
    return [
        dict(zip(report.column_names, row, strict=True))
        for row in report.queryset(filters, now=now)
    ]


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


def effectiveness_overall(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Repaid within 30 days, approved against rejected, all buckets together (from the
    effectiveness report's rows, read once per page)."""
    overall: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = overall.setdefault(row["outcome"], {"observed": 0, "repaid": 0})
        entry["observed"] += row["observed_30d"]
        entry["repaid"] += row["repaid_30d"]
    for entry in overall.values():
        entry["pct"] = percent(entry["repaid"], entry["observed"])
    return overall


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


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
    effectiveness_overall: dict[str, dict[str, Any]]
    totals: dict[str, Any]
    arrangements: list[dict[str, Any]]


def dashboard(filters: ReportFilters, *, now: datetime | None = None) -> Dashboard:
    now = now or timezone.now()
    granularity, by_period = applications_by_period(filters)
    by_month = {row["month"]: row for row in relief_by_month(filters)}
    sla = {row["month"]: row for row in sla_by_month(filters, now)}
    empty_month = {name.removeprefix("r_"): 0 for name in AGGREGATE_NAMES}
    empty_sla = {"manual": 0, "breached": 0, "within": 0, "breached_pct": None}
    months = months_in(filters)
    effectiveness = effectiveness_rows(filters, now)
    return Dashboard(
        filters=filters,
        granularity=granularity,
        by_period=by_period,
        by_bucket=outcomes_by(filters, "bucket_at_submission"),
        by_reason=outcomes_by(filters, "reason"),
        by_month=[by_month.get(m, {**empty_month, "month": m}) for m in months],
        sla=[sla.get(m, {**empty_sla, "month": m}) for m in months],
        effectiveness=effectiveness,
        effectiveness_overall=effectiveness_overall(effectiveness),
        totals=totals(filters, now),
        arrangements=arrangements_by_option(arrangement_rows(filters, now)),
    )
