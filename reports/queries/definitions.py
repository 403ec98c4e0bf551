"""The reports: applications, monthly-summary, reviewers, effectiveness, arrangements,
satisfaction and satisfaction-comments (`reports.queries.satisfaction`), risk-backtest and
outreach-outcomes (`reports.queries.prevention`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loans.models import Arrangement, Installment
from relief.models import ApplicationStatus, HardshipReason, ReliefApplication
from reports.filters import ReportFilters, local_midnight, local_zone
from reports.models import ReviewerDecision
from reports.queries.prevention import (
    BACKTEST_COLUMNS,
    OUTCOME_COLUMNS,
    outreach_outcomes,
    risk_backtest,
)
from reports.queries.satisfaction import (
    SATISFACTION_COLUMNS,
    SATISFACTION_COMMENT_COLUMNS,
    satisfaction,
    satisfaction_comments,
)
from reports.queries.sql import (
    APPROVED_Q,
    BOOL,
    CODE,
    DATETIME,
    DECIDED_Q,
    EFFECTIVENESS_WINDOWS,
    INT,
    MONEY,
    MONEY_OUT,
    MONTH,
    NUMBER,
    ONE_PLACE,
    REJECTED_Q,
    TEXT,
    ZERO_MONEY,
    Column,
    HoursBetween,
    MedianOf,
    Percent,
    Report,
    RoundOne,
    S,
    in_range,
    interpolate,
    mask_identifier,
    mask_name,
    mask_phone,
    personal,
    sla_breached,
    submitted_month,
)

# The codes' words in CSV label columns and XLSX cells (Column.labels).
REASON_LABELS = tuple(HardshipReason.choices)
OUTCOME_LABELS = (("approved", _("Approved")), ("rejected", _("Rejected")))

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
    Column("reason", _("Reason"), CODE, REASON_LABELS),
    Column("suggested_percent", _("Suggested percent"), INT),
    Column("decided_percent", _("Decided percent"), INT),
    Column("penalty_at_submission", _("Penalty outstanding at submission"), MONEY),
    Column("relief_amount", _("Relief amount"), MONEY),
    Column("waived_amount", _("Waived amount"), MONEY),
    Column("status", _("Status"), CODE, tuple(ApplicationStatus.choices)),
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
    approval. Automatic approvals have no reviewer and are left out.

    One aggregate over the range's decisions (`ReviewerDecision`, a row per reviewer taking
    part), whatever the number of users."""
    own = Q(role=ReviewerDecision.Role.OWN)
    overrides = own & APPROVED_Q & ~Q(decided_percent=F("suggested_percent"))
    hours = Case(When(own, then=HoursBetween("created_at", "decided_at")), output_field=ONE_PLACE)
    return (
        ReviewerDecision.objects.filter(filters.application_q())
        .values("reviewer__username")
        .annotate(
            r_decisions=Count("id", filter=own),
            r_approvals=Count("id", filter=own & APPROVED_Q),
            r_rejections=Count("id", filter=own & REJECTED_Q),
            r_median=MedianOf(hours),
            r_overrides=Count("id", filter=overrides),
            r_seconds=Count("id", filter=Q(role=ReviewerDecision.Role.SECOND)),
        )
        .order_by("reviewer__username")
        .values_list(
            "reviewer__username",
            "r_decisions",
            "r_approvals",
            "r_rejections",
            "r_median",
            "r_overrides",
            "r_seconds",
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
    date was paid off (principal and interest) no later than N days after that date. Read
    from `repaid_on`, which the decision and the repayments keep (relief.services.outcomes):
    one column per case, not a probe of its installments per window."""
    return Q(repaid_on__lte=F(f"r_deadline_{days}"))


def observed(days: int, today) -> Q:
    """Only cases whose N-day window has ended by today are counted for that window."""
    return Q(decided_at__lt=local_midnight(today - timedelta(days=days - 1)))


# A case whose repayment arrangement started is measured by the arrangement's own
# installments, not by the windows: moving what was overdue into a plan settles those
# installments without a payment, and a deferral moves their due dates past the decision.
ARRANGEMENT_STARTED_Q = Q(arrangement__started_on__isnull=False)


def plan_installments(today, *, on_time: bool = False):
    """A case's plan installments whose grace days ended before `today` (the question of
    paying on time is settled), or only those paid off within them (`on_time`)."""
    rows = Installment.objects.filter(
        arrangement=OuterRef("arrangement"), kind=Installment.Kind.PLAN, grace_ends_on__lt=today
    )
    if on_time:
        rows = rows.filter(paid_off_on__lte=F("grace_ends_on"))
    counted = rows.order_by().values("arrangement").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def effectiveness(filters: ReportFilters, unmasked: bool, now: datetime) -> QuerySet:
    today = timezone.localtime(now).date()
    aggregates = {"r_cases": Count("id")}
    names = ["r_cases"]
    for days in EFFECTIVENESS_WINDOWS:
        seen = observed(days, today) & ~ARRANGEMENT_STARTED_Q
        aggregates[f"r_observed_{days}"] = Count("id", filter=seen)
        aggregates[f"r_repaid_{days}"] = Count("id", filter=seen & repaid_within(days))
        aggregates[f"r_rate_{days}"] = Percent(
            Count("id", filter=seen & repaid_within(days)), Count("id", filter=seen)
        )
        names += [f"r_observed_{days}", f"r_repaid_{days}", f"r_rate_{days}"]
    aggregates.update(
        r_arrangements=Count("id", filter=ARRANGEMENT_STARTED_Q),
        r_plan_due=Sum("r_case_plan_due"),
        r_plan_on_time=Sum("r_case_plan_on_time"),
        r_plan_on_time_pct=Percent(Sum("r_case_plan_on_time"), Sum("r_case_plan_due")),
    )
    names += ["r_arrangements", "r_plan_due", "r_plan_on_time", "r_plan_on_time_pct"]
    return (
        effectiveness_cases(filters, now)
        .annotate(
            r_case_plan_due=plan_installments(today),
            r_case_plan_on_time=plan_installments(today, on_time=True),
        )
        .values("bucket_at_submission", "r_outcome")
        .annotate(**aggregates)
        .order_by("bucket_at_submission", "r_outcome")
        .values_list("bucket_at_submission", "r_outcome", *names)
    )


CASES_OBSERVED = _("Cases %(days)s days after the decision")
REPAID_WITHIN = _("Repaid within %(days)s days")
REPAID_WITHIN_PCT = _("Repaid within %(days)s days, %%")


EFFECTIVENESS_COLUMNS = (
    Column("bucket_at_submission", _("Bucket at submission"), CODE),
    Column("outcome", _("Outcome"), CODE, OUTCOME_LABELS),
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
    Column("arrangements_started", _("Arrangements started"), INT),
    Column("plan_installments_due", _("Plan installments due"), INT),
    Column("plan_installments_on_time", _("Plan installments paid on time"), INT),
    Column("plan_installments_on_time_pct", _("Plan installments paid on time, %"), NUMBER),
)


# --- arrangements ---------------------------------------------------------------------------

ARRANGEMENT_KIND_LABELS = tuple(Arrangement.Kind.choices)


def arrangement_status(status: str) -> Q:
    return Q(arrangement__status=status)


def arrangement_paid():
    """What has been paid on an arrangement's own installments: a plan's plan installments, a
    deferral's rescheduled ones (principal, interest and penalty)."""
    own = Installment.objects.filter(arrangement=OuterRef("arrangement")).filter(
        Q(kind=Installment.Kind.PLAN) | Q(arrangement__kind=Arrangement.Kind.DEFERRAL)
    )
    paid = (
        own.order_by()
        .values("arrangement")
        .annotate(paid=Sum(F("principal_paid") + F("interest_paid") + F("penalty_paid")))
        .values("paid")
    )
    return Coalesce(Subquery(paid, output_field=MONEY_OUT), Value(ZERO_MONEY))


def money_sum(field: str, condition: Q):
    return Coalesce(Sum(field, filter=condition), Value(ZERO_MONEY), output_field=MONEY_OUT)


def arrangements(filters: ReportFilters, unmasked: bool, now: datetime) -> QuerySet:
    """Repayment arrangements asked for in the applications submitted in the range, by month
    of submission, kind, term (the periods of a plan, the months of a deferral; the option
    approved, else the one asked for) and product, as they stand now: how many started, are
    active, completed or broke, and their amounts."""
    started = ARRANGEMENT_STARTED_Q
    broken = arrangement_status(Arrangement.Status.BROKEN)
    grouping = ("r_month", "arrangement__kind", "r_term", "loan__product__code")
    return (
        in_range(filters)
        .filter(arrangement__isnull=False)
        .annotate(
            r_month=submitted_month(),
            r_term=Coalesce("arrangement__periods", "arrangement__months"),
            r_paid=arrangement_paid(),
        )
        .values(*grouping)
        .annotate(
            r_asked=Count("id"),
            r_started=Count("id", filter=started),
            r_active=Count("id", filter=arrangement_status(Arrangement.Status.ACTIVE)),
            r_completed=Count("id", filter=arrangement_status(Arrangement.Status.COMPLETED)),
            r_broken=Count("id", filter=broken),
            r_broken_pct=Percent(Count("id", filter=broken), Count("id", filter=started)),
            r_moved=money_sum("arrangement__moved", started),
            r_interest=money_sum("arrangement__extra_interest", started),
            r_total=money_sum("arrangement__total", started),
            r_waived=money_sum("waived_amount", started),
            r_paid_total=money_sum("r_paid", started),
        )
        .order_by(*grouping)
        .values_list(
            *grouping,
            "r_asked",
            "r_started",
            "r_active",
            "r_completed",
            "r_broken",
            "r_broken_pct",
            "r_moved",
            "r_interest",
            "r_total",
            "r_waived",
            "r_paid_total",
        )
    )


ARRANGEMENT_COLUMNS = (
    Column("month", _("Month"), MONTH),
    Column("kind", _("Kind"), CODE, ARRANGEMENT_KIND_LABELS),
    Column("term", _("Periods or months"), INT),
    Column("product", _("Product"), CODE),
    Column("asked", _("Arrangements asked for"), INT),
    Column("started", _("Started"), INT),
    Column("active", _("Active"), INT),
    Column("completed", _("Completed"), INT),
    Column("broken", _("Broken"), INT),
    Column("broken_pct", _("Broken, % of started"), NUMBER),
    Column("moved", _("Amount rescheduled"), MONEY),
    Column("extra_interest", _("Interest added"), MONEY),
    Column("total", _("Total arranged"), MONEY),
    Column("relief_waived", _("Relief waived with them"), MONEY),
    Column("paid", _("Paid on their installments"), MONEY),
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
            rows_of=in_range,
        ),
        Report(
            name="monthly-summary",
            title=_("Monthly summary"),
            description=_("By month of submission, DPD bucket and reason."),
            columns=(
                Column("month", _("Month"), MONTH),
                Column("bucket_at_submission", _("Bucket at submission"), CODE),
                Column("reason", _("Reason"), CODE, REASON_LABELS),
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
        Report(
            name="arrangements",
            title=_("Repayment arrangements"),
            description=_(
                "Plans and deferrals asked for, by month, kind, periods and product: started, "
                "active, completed and broken, with their amounts."
            ),
            columns=ARRANGEMENT_COLUMNS,
            build=arrangements,
        ),
        Report(
            name="satisfaction",
            title=_("Satisfaction"),
            description=_(
                "How satisfied borrowers are after the decision and after the waiver: asked, "
                "answered, mean score and each score's count, by month, outcome, reason and "
                "policy version."
            ),
            columns=SATISFACTION_COLUMNS,
            build=satisfaction,
        ),
        Report(
            name="satisfaction-comments",
            title=_("Satisfaction comments"),
            description=_("What borrowers wrote with their score, numbers masked."),
            columns=SATISFACTION_COMMENT_COLUMNS,
            build=satisfaction_comments,
        ),
        Report(
            name="risk-backtest",
            title=_("Risk backtest"),
            description=_(
                "How the early-warning scores foretold missed installments: AUC, precision and "
                "recall per level, lift by decile, for the backtests run in the range."
            ),
            columns=BACKTEST_COLUMNS,
            build=risk_backtest,
        ),
        Report(
            name="outreach-outcomes",
            title=_("Outreach outcomes"),
            description=_(
                "Installments paid on time after an outreach message against the holdout, "
                "with the difference and its 95% confidence interval, by risk model version."
            ),
            columns=OUTCOME_COLUMNS,
            build=outreach_outcomes,
        ),
    )
}
