"""The building blocks of the reports' SQL: column kinds, the outcome definitions, masking
and the few SQL functions Django has no name for (hours between, percent, median).

The definitions here are the ones docs/reports.md gives: every report and the dashboard use
them, so no two figures disagree on what "approved" or "breached" means.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    CharField,
    DateField,
    DecimalField,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import (
    Concat,
    Greatest,
    Left,
    Length,
    Repeat,
    Right,
    TruncMonth,
)
from django.db.models.lookups import LessThan, LessThanOrEqual
from django.utils import timezone
from django.utils.functional import Promise, lazy

from relief.models import ApplicationStatus, ReliefApplication
from reports.filters import ReportFilters, local_zone

S = ApplicationStatus

# An approval was decided (whatever the borrower did with the offer afterwards).
APPROVED_STATUSES = (S.APPROVED, S.ACCEPTED, S.FULFILLED, S.DECLINED, S.EXPIRED)
REJECTED_STATUSES = (S.REJECTED,)
# Cases whose decision clock is running (needs_info waits for the borrower; the clock
# restarts on the answer).
CLOCK_RUNNING_STATUSES = (S.IN_REVIEW, S.PENDING_SECOND_APPROVAL)
EFFECTIVENESS_WINDOWS = (30, 60, 90)

APPROVED_Q = Q(status__in=APPROVED_STATUSES)
REJECTED_Q = Q(status__in=REJECTED_STATUSES)
DECIDED_Q = APPROVED_Q | REJECTED_Q

ZERO_MONEY = Decimal("0.00")
MONEY_OUT = DecimalField(max_digits=16, decimal_places=2)
ONE_PLACE = DecimalField(max_digits=12, decimal_places=1)

# Column kinds: how each value is written in CSV, XLSX and JSON (reports.writers). TEXT may
# hold what people typed (names, ids from the core system) and is guarded against formula
# injection in CSV; CODE is one of our own codes (status, reason, bucket, product). MONEY has
# two decimal places, NUMBER one (hours, percentages), RATIO three (an AUC, a lift); the SQL
# rounds them so.
TEXT, CODE, INT, MONEY, NUMBER, RATIO, BOOL, DATETIME, DATE, MONTH = (
    "text",
    "code",
    "int",
    "money",
    "number",
    "ratio",
    "bool",
    "datetime",
    "date",
    "month",
)


@dataclass(frozen=True)
class Column:
    name: str  # the CSV header and JSON key: stable for programs
    label: Promise  # the XLSX header and the dashboard's table head: for people
    kind: str = TEXT
    # A CODE column's words for people, (code, label) pairs: the XLSX cell shows the label,
    # the CSV adds a `<name>_label` column; programs keep reading the code (docs/reports.md).
    labels: tuple[tuple[str, Promise], ...] = ()

    def label_of(self, code: str) -> str:
        """The code's label in the active language (the code itself when it has none)."""
        return str(dict(self.labels).get(code, code))


@dataclass(frozen=True)
class Report:
    name: str
    title: Promise
    description: Promise
    columns: tuple[Column, ...]
    # (filters, unmasked, now) -> a values_list queryset yielding the columns in order.
    build: Callable[[ReportFilters, bool, datetime], QuerySet] = field(repr=False)
    # A report of one row per application: those applications (`in_range`), counted to
    # decide whether to queue it, an index-only count without the report's joins. None for
    # a report of groups (months, buckets, reasons, reviewers): a few hundred rows at most,
    # never queued, so never counted (counting a GROUP BY would run it twice).
    rows_of: Callable[[ReportFilters], QuerySet] | None = field(default=None, repr=False)

    def queryset(
        self, filters: ReportFilters, *, unmasked: bool = False, now: datetime | None = None
    ) -> QuerySet:
        return self.build(filters, unmasked, now or timezone.now())

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


# --- SQL building blocks ------------------------------------------------------------------


def mask_name(expression: str):
    """张三丰 → 张**: the first character, a star for each of the others."""
    return Concat(
        Left(expression, 1),
        Repeat(Value("*"), Greatest(Length(expression) - 1, Value(0))),
        output_field=CharField(),
    )


def mask_phone(expression: str):
    """13812345678 → 138****5678, the rule of loans.models.mask_phone, in SQL."""
    return Case(
        When(
            LessThan(Length(expression), 7),
            then=Repeat(Value("*"), Length(expression)),
        ),
        default=Concat(
            Left(expression, 3),
            Repeat(Value("*"), Length(expression) - 7),
            Right(expression, 4),
        ),
        output_field=CharField(),
    )


def mask_identifier(expression: str):
    """L-2024-000123 → *********0123: the last four characters, enough to match a case
    someone already has in hand, not enough to look one up."""
    return Case(
        When(
            LessThanOrEqual(Length(expression), 4),
            then=Repeat(Value("*"), Length(expression)),
        ),
        default=Concat(Repeat(Value("*"), Length(expression) - 4), Right(expression, 4)),
        output_field=CharField(),
    )


def personal(expression: str, mask: Callable, unmasked: bool):
    return F(expression) if unmasked else mask(expression)


class HoursBetween(Func):
    """Hours from the first timestamp to the second, to one decimal place."""

    arg_joiner = " - "
    output_field = ONE_PLACE

    def __init__(self, start, end, **extra):
        super().__init__(end, start, **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "ROUND((EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)::numeric, 1)"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        end, start = self.get_source_expressions()
        end_sql, end_params = compiler.compile(end)
        start_sql, start_params = compiler.compile(start)
        return (
            f"ROUND((julianday({end_sql}) - julianday({start_sql})) * 24.0, 1)",
            (*end_params, *start_params),
        )


class Percent(Func):
    """100 × part ÷ whole to one decimal place; empty when the whole is 0. The literal 100.0
    is numeric on PostgreSQL, so ROUND(…, 1) exists there (it does not for double)."""

    output_field = ONE_PLACE

    def __init__(self, part, whole, **extra):
        super().__init__(part, whole, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        part, whole = self.get_source_expressions()
        part_sql, part_params = compiler.compile(part)
        whole_sql, whole_params = compiler.compile(whole)
        return (
            f"ROUND(100.0 * ({part_sql}) / NULLIF({whole_sql}, 0), 1)",
            (*part_params, *whole_params),
        )


class RoundOne(Func):
    """A mean to one decimal place (numeric on PostgreSQL, where AVG gives many)."""

    template = "ROUND(CAST(%(expressions)s AS NUMERIC), 1)"
    output_field = ONE_PLACE


class MedianSql:
    """The SQL of a median rounded to one place, for `Median` and `MedianOf` alike."""

    output_field = ONE_PLACE

    def as_postgresql(self, compiler, connection, **extra_context):
        template = (
            "ROUND(CAST(percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s) "
            "AS NUMERIC), 1)"
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        template = "ROUND(reports_median(%(expressions)s), 1)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


class Median(MedianSql, Func):
    """The median, as a scalar over the rows of a subquery (a Func, not an Aggregate, so it
    adds no GROUP BY). SQLite gets `reports_median` from reports.apps."""


class MedianOf(MedianSql, Aggregate):
    """The median as an aggregate (each group's, in a GROUP BY); NULLs are left out."""

    function = "percentile_cont"


def count_where(condition: Q) -> Func:
    """COUNT of the rows meeting `condition`, as a scalar (no GROUP BY added)."""
    return Func(
        Case(When(condition, then=Value(1)), output_field=IntegerField()),
        function="COUNT",
        output_field=IntegerField(),
    )


def sla_breached(now: datetime) -> Case:
    """A manual case breached its decision time if it was escalated, decided after its due
    time, or is still waiting on a reviewer past it."""
    return Case(
        When(
            Q(sla_escalated_at__isnull=False)
            | Q(sla_due__isnull=False, decided_at__isnull=False, decided_at__gt=F("sla_due"))
            | Q(decided_at__isnull=True, status__in=CLOCK_RUNNING_STATUSES, sla_due__lt=now),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


def outcome() -> Case:
    return Case(
        When(APPROVED_Q, then=Value("approved")),
        When(REJECTED_Q, then=Value("rejected")),
        When(status=S.WITHDRAWN, then=Value("withdrawn")),
        default=Value("open"),
        output_field=CharField(),
    )


def submitted_month():
    return TruncMonth("created_at", tzinfo=local_zone(), output_field=DateField())


def in_range(filters: ReportFilters) -> QuerySet:
    return ReliefApplication.objects.filter(filters.application_q()).order_by()


def _interpolate(message, params) -> str:
    return str(message) % params


def interpolate(message: Promise, **params) -> Promise:
    """A lazy message with its parameters filled in when it is shown (in the reader's
    language), not when the module is imported."""
    return lazy(_interpolate, str)(message, params)
