"""The four reports as SQL, each written once as an ORM queryset (docs/reports.md).

Each report is a `values_list` queryset whose columns are given by `Report.columns`. The same
queryset is what the JSON and XLSX writers iterate and what the CSV writer hands to
PostgreSQL's COPY (compiled with `query.sql_with_params()`), so every format carries the
same numbers. Personal data (names, phones, external ids) is masked *in the SQL* unless the
caller may see it unmasked, so no format can leak it by accident.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    Concat,
    Greatest,
    Left,
    Length,
    Repeat,
    Right,
    TruncDate,
    TruncMonth,
)
from django.db.models.lookups import LessThan, LessThanOrEqual
from django.utils import timezone
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from loans.models import Installment
from relief.models import ApplicationStatus, ReliefApplication
from reports.filters import ReportFilters, local_midnight, local_zone

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
# two decimal places, NUMBER one (hours, percentages); the SQL rounds them so.
TEXT, CODE, INT, MONEY, NUMBER, BOOL, DATETIME, DATE, MONTH = (
    "text",
    "code",
    "int",
    "money",
    "number",
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


@dataclass(frozen=True)
class Report:
    name: str
    title: Promise
    description: Promise
    columns: tuple[Column, ...]
    # (filters, unmasked, now) -> a values_list queryset yielding the columns in order.
    build: Callable[[ReportFilters, bool, datetime], QuerySet] = field(repr=False)

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


class Median(Func):
    """The median, as a scalar over the rows of a subquery (a Func, not an Aggregate, so it
    adds no GROUP BY). SQLite gets `reports_median` from reports.apps."""

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


# --- applications ---------------------------------------------------------------------------

APPLICATION_COLUMNS = (
    Column("application_id", _("Application"), INT),
    Column("submitted_at", _("Submitted at"), DATETIME),
    Column("loan_external_id", _("Loan"), TEXT),
    Column("product", _("Product"), CODE),
    Column("borrower_external_id", _("Borrower id"), TEXT),
    Column("borrower_name", _("Borrower"), TEXT),
    Column("borrower_phone", _("Phone"), TEXT),
    Column("dpd_at_submission", _("DPD at submission"), INT),
    Column("bucket_at_submission", _("Bucket at submission"), CODE),
    Column("reason", _("Reason"), CODE),
    Column("suggested_percent", _("Suggested percent"), INT),
    Column("decided_percent", _("Decided percent"), INT),
    Column("penalty_at_submission", _("Penalty outstanding at submission"), MONEY),
    Column("relief_amount", _("Relief amount"), MONEY),
    Column("waived_amount", _("Waived amount"), MONEY),
    Column("status", _("Status"), CODE),
    Column("decided_by", _("Decided by"), TEXT),
    Column("first_approver", _("First approver"), TEXT),
    Column("decided_at", _("Decided at"), DATETIME),
    Column("hours_to_decision", _("Hours to decision"), NUMBER),
    Column("sla_breached", _("Decision time breached"), BOOL),
    Column("policy_version", _("Policy version"), INT),
)


def applications(filters: ReportFilters, unmasked: bool, now: datetime) -> QuerySet:
    return (
        ReliefApplication.objects.filter(filters.application_q())
        .order_by("created_at", "id")
        .values_list(
            "id",
            "created_at",
            personal("loan__external_id", mask_identifier, unmasked),
            "loan__product__code",
            personal("borrower__external_id", mask_identifier, unmasked),
            personal("borrower__name", mask_name, unmasked),
            personal("borrower__phone", mask_phone, unmasked),
            "dpd_at_submission",
            "bucket_at_submission",
            "reason",
            "suggested_percent",
            "decided_percent",
            "penalty_at_submission",
            "decided_amount",
            "waived_amount",
            "status",
            "decided_by__username",
            "first_approver__username",
            "decided_at",
            HoursBetween("created_at", "decided_at"),
            sla_breached(now),
            "policy_version",
        )
    )


# --- monthly summary ------------------------------------------------------------------------

SUMMARY_COLUMNS = (
    Column("applications", _("Applications"), INT),
    Column("approved", _("Approved"), INT),
    Column("rejected", _("Rejected"), INT),
    Column("approval_rate_pct", _("Approval rate %"), NUMBER),
    Column("mean_decided_percent", _("Mean relief %"), NUMBER),
    Column("total_relief", _("Total relief"), MONEY),
    Column("total_waived", _("Total waived"), MONEY),
)


def outcome_aggregates() -> dict:
    """Counts, approval rate (approved ÷ decided), mean decided percent and relief amounts."""
    return {
        "r_applications": Count("id"),
        "r_approved": Count("id", filter=APPROVED_Q),
        "r_rejected": Count("id", filter=REJECTED_Q),
        "r_approval_rate": Percent(Count("id", filter=APPROVED_Q), Count("id", filter=DECIDED_Q)),
        "r_mean_percent": RoundOne(Avg("decided_percent", filter=APPROVED_Q)),
        "r_total_relief": Coalesce(
            Sum("decided_amount", filter=APPROVED_Q), Value(ZERO_MONEY), output_field=MONEY_OUT
        ),
        "r_total_waived": Coalesce(
            Sum("waived_amount", filter=Q(status=S.FULFILLED)),
            Value(ZERO_MONEY),
            output_field=MONEY_OUT,
        ),
    }


AGGREGATE_NAMES = (
    "r_applications",
    "r_approved",
    "r_rejected",
    "r_approval_rate",
    "r_mean_percent",
    "r_total_relief",
    "r_total_waived",
)


def outcome_summary(filters: ReportFilters, *group_by: str) -> QuerySet:
    """The outcome aggregates grouped by the given annotations/fields (month, bucket, reason)."""
    return (
        in_range(filters)
        .annotate(r_month=submitted_month())
        .values(*group_by)
        .annotate(**outcome_aggregates())
        .order_by(*group_by)
    )


def monthly_summary(filters: ReportFilters, unmasked: bool, now: datetime) -> QuerySet:
    grouping = ("r_month", "bucket_at_submission", "reason")
    return outcome_summary(filters, *grouping).values_list(*grouping, *AGGREGATE_NAMES)


# --- reviewers ------------------------------------------------------------------------------


def reviewers(filters: ReportFilters, unmasked: bool, now: datetime) -> QuerySet:
    """Per reviewer. A decision belongs to the reviewer who made it: the first approver of a
    four-eyes case, else the one who decided; confirming someone's approval is a second
    approval. Automatic approvals have no reviewer and are left out."""
    decided = in_range(filters).filter(decided_at__isnull=False, decided_by__isnull=False)
    own = decided.filter(
        Q(first_approver=OuterRef("pk")) | Q(first_approver__isnull=True, decided_by=OuterRef("pk"))
    )
    seconds = decided.filter(decided_by=OuterRef("pk"), first_approver__isnull=False)
    overrides = APPROVED_Q & ~Q(decided_percent=F("suggested_percent"))

    def scalar(queryset, expression, output_field):
        return Subquery(queryset.annotate(r_value=expression).values("r_value"), output_field)

    return (
        get_user_model()
        .objects.filter(Q(Exists(own)) | Q(Exists(seconds)))
        .order_by("username")
        .values_list(
            "username",
            scalar(own, Func("id", function="COUNT"), IntegerField()),
            scalar(own, count_where(APPROVED_Q), IntegerField()),
            scalar(own, count_where(REJECTED_Q), IntegerField()),
            scalar(own, Median(HoursBetween("created_at", "decided_at")), ONE_PLACE),
            scalar(own, count_where(overrides), IntegerField()),
            scalar(seconds, Func("id", function="COUNT"), IntegerField()),
        )
    )


REVIEWER_COLUMNS = (
    Column("reviewer", _("Reviewer"), TEXT),
    Column("decisions", _("Decisions"), INT),
    Column("approvals", _("Approvals"), INT),
    Column("rejections", _("Rejections"), INT),
    Column("median_hours_to_decision", _("Median hours to decision"), NUMBER),
    Column("overrides", _("Decided other than suggested"), INT),
    Column("second_approvals", _("Second approvals"), INT),
)


# --- effectiveness --------------------------------------------------------------------------


def effectiveness_cases(filters: ReportFilters, now: datetime) -> QuerySet:
    """Decided cases (approved or rejected) with their outcome and, for each window N, the
    local date by which the overdue installments had to be paid."""
    zone = local_zone()
    cases = (
        in_range(filters)
        .filter(DECIDED_Q)
        .annotate(
            r_outcome=Case(
                When(APPROVED_Q, then=Value("approved")),
                default=Value("rejected"),
                output_field=CharField(),
            ),
            r_decision_date=TruncDate("decided_at", tzinfo=zone),
        )
    )
    return cases.annotate(
        **{
            f"r_deadline_{days}": TruncDate(F("decided_at") + timedelta(days=days), tzinfo=zone)
            for days in EFFECTIVENESS_WINDOWS
        }
    )


def repaid_within(days: int) -> Q:
    """Repaid within N days: every installment of the loan due on or before the decision
    date was paid off (principal and interest) no later than N days after that date."""
    unpaid = Installment.objects.filter(
        loan=OuterRef("loan"), due_date__lte=OuterRef("r_decision_date")
    ).filter(Q(paid_off_on__isnull=True) | Q(paid_off_on__gt=OuterRef(f"r_deadline_{days}")))
    return ~Q(Exists(unpaid))


def observed(days: int, today) -> Q:
    """Only cases whose N-day window has ended by today are counted for that window."""
    return Q(decided_at__lt=local_midnight(today - timedelta(days=days - 1)))


def effectiveness(filters: ReportFilters, unmasked: bool, now: datetime) -> QuerySet:
    today = timezone.localtime(now).date()
    aggregates = {"r_cases": Count("id")}
    names = ["r_cases"]
    for days in EFFECTIVENESS_WINDOWS:
        seen = observed(days, today)
        aggregates[f"r_observed_{days}"] = Count("id", filter=seen)
        aggregates[f"r_repaid_{days}"] = Count("id", filter=seen & repaid_within(days))
        aggregates[f"r_rate_{days}"] = Percent(
            Count("id", filter=seen & repaid_within(days)), Count("id", filter=seen)
        )
        names += [f"r_observed_{days}", f"r_repaid_{days}", f"r_rate_{days}"]
    return (
        effectiveness_cases(filters, now)
        .values("bucket_at_submission", "r_outcome")
        .annotate(**aggregates)
        .order_by("bucket_at_submission", "r_outcome")
        .values_list("bucket_at_submission", "r_outcome", *names)
    )


CASES_OBSERVED = _("Cases %(days)s days after the decision")
REPAID_WITHIN = _("Repaid within %(days)s days")
REPAID_WITHIN_PCT = _("Repaid within %(days)s days, %%")


def _interpolate(message, params) -> str:
    return str(message) % params


def interpolate(message: Promise, **params) -> Promise:
    """A lazy message with its parameters filled in when it is shown (in the reader's
    language), not when the module is imported."""
    return lazy(_interpolate, str)(message, params)


EFFECTIVENESS_COLUMNS = (
    Column("bucket_at_submission", _("Bucket at submission"), CODE),
    Column("outcome", _("Outcome"), CODE),
    Column("cases", _("Cases"), INT),
    *(
        column
        for days in EFFECTIVENESS_WINDOWS
        for column in (
            Column(f"observed_{days}d", interpolate(CASES_OBSERVED, days=days), INT),
            Column(f"repaid_{days}d", interpolate(REPAID_WITHIN, days=days), INT),
            Column(f"repaid_{days}d_pct", interpolate(REPAID_WITHIN_PCT, days=days), NUMBER),
        )
    ),
)


REPORTS: dict[str, Report] = {
    report.name: report
    for report in (
        Report(
            name="applications",
            title=_("Applications"),
            description=_("One row per application, as submitted and as decided."),
            columns=APPLICATION_COLUMNS,
            build=applications,
        ),
        Report(
            name="monthly-summary",
            title=_("Monthly summary"),
            description=_("By month of submission, DPD bucket and reason."),
            columns=(
                Column("month", _("Month"), MONTH),
                Column("bucket_at_submission", _("Bucket at submission"), CODE),
                Column("reason", _("Reason"), CODE),
                *SUMMARY_COLUMNS,
            ),
            build=monthly_summary,
        ),
        Report(
            name="reviewers",
            title=_("Reviewers"),
            description=_("Decisions, time to decide, overrides and second approvals."),
            columns=REVIEWER_COLUMNS,
            build=reviewers,
        ),
        Report(
            name="effectiveness",
            title=_("Effectiveness"),
            description=_(
                "Loans repaid within 30, 60 and 90 days of the decision, approved against "
                "rejected, by DPD bucket."
            ),
            columns=EFFECTIVENESS_COLUMNS,
            build=effectiveness,
        ),
    )
}
