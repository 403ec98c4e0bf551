"""Reading relief: the active policy, quotes for a loan, applications a user may see."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from django.db import connections, router
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from loans import calculations
from loans import selectors as loan_selectors
from loans.calculations import ZERO
from loans.models import Installment, Loan
from relief import presentation, rules
from relief.models import (
    OPEN_STATUSES,
    UNDECIDED_STATUSES,
    ApplicationEvent,
    ApplicationStatus,
    Evidence,
    Notification,
    ReliefApplication,
    ReliefPolicy,
)

# Statuses in which relief was granted (an approval that was declined or let expire was
# never used, so it does not count against the borrower).
GRANTED_STATUSES = (
    ApplicationStatus.APPROVED,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.FULFILLED,
)

_parsed_policies: dict[tuple[int, str], rules.Policy] = {}


def policy_rules(record: ReliefPolicy) -> rules.Policy:
    """The parsed policy of a stored version, parsed once per process (versions never change
    once active; drafts are keyed by their content too)."""
    key = (record.version, repr(record.document) if record.status == "draft" else "")
    policy = _parsed_policies.get(key)
    if policy is None:
        policy = rules.parse_policy(record.document, version=record.version)
        _parsed_policies[key] = policy
    return policy


_active_records: dict[int, ReliefPolicy] = {}


def policy_active(active_id: int | None = None) -> tuple[ReliefPolicy, rules.Policy]:
    """The active policy: its stored version and its parsed rules.

    `active_id`, when the caller has read which version is active (`borrower_record` does,
    in its one query), saves reading the row again: a version's row is read once per
    process (an active version never changes; activating another changes the id)."""
    if active_id is None:
        record = ReliefPolicy.objects.get(status=ReliefPolicy.Status.ACTIVE)
        return record, policy_rules(record)
    record = _active_records.get(active_id)
    if record is None:
        record = ReliefPolicy.objects.get(pk=active_id)
        _active_records[active_id] = record
    # A copy: callers attach it to applications they save.
    return copy.copy(record), policy_rules(record)


def first_day_within_a_year(today: date) -> date:
    """The first local day whose reliefs count as granted in the 12 months before `today`."""
    return today - timedelta(days=364)


def granted_within_a_year(borrower_id: int, today: date) -> Q:
    """The borrower's reliefs granted in the 12 months before `today` (domain.md, the rules'
    `prior_reliefs_12m`)."""
    return Q(
        borrower_id=borrower_id,
        status__in=GRANTED_STATUSES,
        decided_at__date__gte=first_day_within_a_year(today),
    )


def prior_reliefs_12m(borrower_id: int, *, today: date, exclude_id: int | None = None) -> int:
    granted = ReliefApplication.objects.filter(granted_within_a_year(borrower_id, today))
    if exclude_id:
        granted = granted.exclude(pk=exclude_id)
    return granted.count()


def relief_record(
    *, borrower_id: int, loan_id: int, today: date, exclude_id: int | None = None
) -> tuple[int, bool]:
    """The borrower's reliefs granted in 12 months, and whether the loan has an open
    application, in one query (part of `borrower_record_by_orm`)."""
    rows = ReliefApplication.objects.filter(Q(borrower_id=borrower_id) | Q(loan_id=loan_id))
    if exclude_id:
        rows = rows.exclude(pk=exclude_id)
    counts = rows.aggregate(
        prior=Count("pk", filter=granted_within_a_year(borrower_id, today)),
        open=Count("pk", filter=Q(loan_id=loan_id, status__in=OPEN_STATUSES)),
    )
    return counts["prior"], counts["open"] > 0


@dataclass(frozen=True)
class BorrowerRecord:
    """What the rules know of a borrower beyond the loan itself, and which policy is active."""

    history: calculations.HistoryMetrics
    prior_reliefs_12m: int
    has_open_application: bool
    active_policy_id: int | None


@cache
def _borrower_record_sql() -> str:
    """One statement for `borrower_record` (PostgreSQL): $1 borrower, $2 loan, $3 today,
    $4 the history window's start, $5 granted statuses, $6 the first moment counted as
    granted within a year, $7 open statuses, $8 the application left out (or NULL),
    $9 the active status."""
    application = ReliefApplication._meta.db_table
    loan = Loan._meta.db_table
    installment = Installment._meta.db_table
    policy = ReliefPolicy._meta.db_table
    # Safe: table names come from the models; every value is a parameter.
    return f"""
        SELECT
            (SELECT p.id FROM {policy} p WHERE p.status = $9),
            (SELECT count(*) FROM {application} a
              WHERE a.borrower_id = $1 AND a.status = ANY($5) AND a.decided_at >= $6
                AND a.id IS DISTINCT FROM $8),
            EXISTS (SELECT 1 FROM {application} a
              WHERE a.loan_id = $2 AND a.status = ANY($7) AND a.id IS DISTINCT FROM $8),
            (SELECT min(l.disbursed_on) FROM {loan} l WHERE l.borrower_id = $1),
            h.grace_days, h.due_dates, h.paid_off_ons
        FROM (
            SELECT array_agg(l.grace_days) AS grace_days, array_agg(i.due_date) AS due_dates,
                   array_agg(i.paid_off_on) AS paid_off_ons
              FROM {loan} l JOIN {installment} i ON i.loan_id = l.id
             WHERE l.borrower_id = $1 AND i.due_date > $4 AND i.due_date <= $3
               AND i.paid_off_on IS NOT NULL
        ) AS h
    """  # noqa: S608  # nosec B608


def borrower_record(
    *, borrower_id: int, loan_id: int, today: date, exclude_id: int | None = None
) -> BorrowerRecord:
    """The borrower's repayment history, reliefs granted in 12 months, whether the loan has
    an open application (other than `exclude_id`), and the active policy's id.

    Every quote, submission and triage asks all four: on PostgreSQL in one statement
    prepared once per connection (docs/benchmarks.md, "The review queue"); elsewhere with
    the ORM queries `borrower_record_by_orm`, which the tests hold it equal to."""
    connection = connections[router.db_for_read(ReliefApplication)]
    if not hasattr(connection, "fetch_prepared"):
        return borrower_record_by_orm(
            borrower_id=borrower_id, loan_id=loan_id, today=today, exclude_id=exclude_id
        )
    # `granted_within_a_year` as a moment: from local midnight of its first day on.
    granted_since = timezone.make_aware(
        datetime.combine(first_day_within_a_year(today), time.min),
        timezone.get_current_timezone(),
    )
    row = connection.fetch_prepared(
        "relief_borrower_record",
        _borrower_record_sql(),
        [
            borrower_id,
            loan_id,
            today,
            calculations.months_before(today, 24),
            list(GRANTED_STATUSES),
            granted_since,
            list(OPEN_STATUSES),
            exclude_id or None,
            ReliefPolicy.Status.ACTIVE.value,
        ],
    )
    active_id, prior, has_open, first_disbursed_on, grace_days, due_dates, paid_off_ons = row
    past = (
        calculations.PastInstallment(due_date, grace, paid_off_on)
        for grace, due_date, paid_off_on in zip(
            grace_days or (), due_dates or (), paid_off_ons or (), strict=True
        )
    )
    return BorrowerRecord(
        history=calculations.history_metrics(
            past, first_disbursed_on=first_disbursed_on, today=today
        ),
        prior_reliefs_12m=prior,
        has_open_application=has_open,
        active_policy_id=active_id,
    )


def borrower_record_by_orm(
    *, borrower_id: int, loan_id: int, today: date, exclude_id: int | None = None
) -> BorrowerRecord:
    prior, has_open = relief_record(
        borrower_id=borrower_id, loan_id=loan_id, today=today, exclude_id=exclude_id
    )
    return BorrowerRecord(
        history=loan_selectors.borrower_history(borrower_id, today=today),
        prior_reliefs_12m=prior,
        has_open_application=has_open,
        active_policy_id=ReliefPolicy.objects.filter(status=ReliefPolicy.Status.ACTIVE)
        .values_list("pk", flat=True)
        .first(),
    )


def loan_case(
    loan: Loan,
    *,
    reason: str,
    evidence_verified: bool = False,
    state: loan_selectors.LoanState | None = None,
    today: date | None = None,
    exclude_application_id: int | None = None,
    record: BorrowerRecord | None = None,
) -> rules.Case:
    """What the rules need to know of a loan, its borrower and an application's reason."""
    today = today or loan_selectors.local_today()
    state = state or loan_selectors.loan_state(loan, today=today)
    record = record or borrower_record(
        borrower_id=loan.borrower_id,
        loan_id=loan.pk,
        today=today,
        exclude_id=exclude_application_id,
    )
    history = record.history
    return rules.Case(
        days_overdue=state.dpd,
        penalty_outstanding=state.penalty_outstanding,
        on_time_ratio=history.on_time_ratio,
        max_past_dpd=history.max_past_dpd,
        months_on_book=history.months_on_book,
        prior_reliefs_12m=record.prior_reliefs_12m,
        reason=reason,
        evidence_verified=evidence_verified,
        written_off=loan.status == Loan.Status.WRITTEN_OFF,
        legal_proceedings=loan.legal_proceedings,
        fraud_flag=loan.fraud_flag,
        has_open_application=record.has_open_application,
    )


@dataclass(frozen=True)
class LoanQuote:
    quote: rules.Quote
    state: loan_selectors.LoanState
    policy: ReliefPolicy
    reason: str
    case: rules.Case


def loan_quote(
    loan: Loan, *, reason: str, evidence_verified: bool = False, today: date | None = None
) -> LoanQuote:
    """The instant quote for a loan and a hardship reason under the active policy."""
    today = today or loan_selectors.local_today()
    state = loan_selectors.loan_state(loan, today=today)
    record = borrower_record(borrower_id=loan.borrower_id, loan_id=loan.pk, today=today)
    policy_record, policy = policy_active(record.active_policy_id)
    case = loan_case(
        loan,
        reason=reason,
        evidence_verified=evidence_verified,
        state=state,
        today=today,
        record=record,
    )
    return LoanQuote(
        quote=rules.quote(case, policy), state=state, policy=policy_record, reason=reason, case=case
    )


def quote_document(quote: rules.Quote) -> dict[str, Any]:
    """A quote as JSON-ready data, codes and values only (frozen on the application)."""
    return {
        "eligible": quote.eligible,
        "percent": quote.percent,
        "amount": str(quote.amount),
        "penalty_outstanding": str(quote.penalty_outstanding),
        "factors": [
            {"code": f.code, "points": f.points, "params": f.params} for f in quote.factors
        ],
        "hints": [{"code": h.code, "points": h.points, "params": h.params} for h in quote.hints],
        "not_eligible_reasons": list(quote.not_eligible_reasons),
        "auto_approvable": quote.auto_approvable,
        "auto_approval_blockers": list(quote.auto_approval_blockers),
        "policy_version": quote.policy_version,
    }


def quote_for_reader(document: dict[str, Any]) -> dict[str, Any]:
    """A stored quote with labels in the reader's current language added."""
    labelled = dict(document)
    labelled["factors"] = [
        {**f, "label": presentation.factor_label(f["code"], f["points"], f.get("params", {}))}
        for f in document.get("factors", [])
    ]
    labelled["hints"] = [
        {**h, "label": presentation.hint_label(h["code"], h["points"], h.get("params", {}))}
        for h in document.get("hints", [])
    ]
    labelled["not_eligible_reasons"] = [
        {"code": code, "label": presentation.not_eligible_label(code)}
        for code in document.get("not_eligible_reasons", [])
    ]
    labelled["summary"] = presentation.quote_summary(
        document.get("factors", []), document.get("percent", 0)
    )
    return labelled


def applications_of_user(user) -> QuerySet[ReliefApplication]:
    return (
        ReliefApplication.objects.filter(borrower__user=user)
        .select_related("loan", "loan__product")
        .order_by("-created_at", "-id")
    )


def application_of_user(user, application_id: int) -> ReliefApplication:
    """One application of the signed-in borrower (404 for anyone else's)."""
    return (
        ReliefApplication.objects.filter(borrower__user=user)
        .select_related("loan", "loan__product", "borrower")
        .prefetch_related(
            Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")),
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id")),
        )
        .get(pk=application_id)
    )


def repay_to_fulfil(application: ReliefApplication, *, today: date | None = None) -> Decimal:
    """What the borrower must still repay for the waiver to post: everything overdue now,
    less the relief (which can only cover penalty)."""
    if application.status not in (ApplicationStatus.APPROVED, ApplicationStatus.ACCEPTED):
        return ZERO
    loan = Loan.objects.prefetch_related(
        Prefetch("installments", queryset=Installment.objects.order_by("seq"))
    ).get(pk=application.loan_id)
    state = loan_selectors.loan_state(loan, today=today)
    return fulfil_amount(
        overdue=state.overdue_amount,
        penalty=state.penalty_outstanding,
        relief=application.decided_amount or ZERO,
    )


def fulfil_amount(*, overdue: Decimal, penalty: Decimal, relief: Decimal) -> Decimal:
    return overdue + max(penalty - relief, ZERO)


def unread_count(user) -> int:
    return Notification.objects.filter(
        recipient=user, channel=Notification.Channel.IN_APP, read_at__isnull=True
    ).count()


def notifications_of_user(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)


def open_applications_by_loan(user) -> dict[int, ReliefApplication]:
    """The borrower's open application on each loan that has one, in one query."""
    return {
        application.loan_id: application
        for application in ReliefApplication.objects.filter(
            borrower__user=user, status__in=OPEN_STATUSES
        ).only("id", "loan_id", "status")
    }


def review_queue() -> QuerySet[ReliefApplication]:
    """Cases not yet decided, most urgent first: priority (highest first), then the decision
    due time (soonest first; cases not yet triaged have none and come after), then age."""
    return (
        ReliefApplication.objects.filter(status__in=UNDECIDED_STATUSES)
        .select_related("loan", "borrower", "assigned_to")
        .order_by("-priority", F("sla_due").asc(nulls_last=True), "created_at", "id")
    )


def cases_for(reviewer, *, senior: bool) -> Q:
    """The cases a reviewer should pick up: theirs and nobody's; for a senior reviewer also
    every case waiting for a second approval, except those they gave the first approval of
    (such a case stays assigned to its first approver)."""
    mine = Q(assigned_to=reviewer) | Q(assigned_to__isnull=True)
    if senior:
        mine |= Q(status=ApplicationStatus.PENDING_SECOND_APPROVAL) & ~Q(first_approver=reviewer)
    return mine


def application_for_review(application_id: int) -> ReliefApplication:
    """One application with everything a reviewer reads (events with their actors, files)."""
    return (
        ReliefApplication.objects.select_related(
            "loan", "loan__product", "borrower", "borrower__user", "assigned_to"
        )
        .prefetch_related(
            Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")),
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id")),
        )
        .get(pk=application_id)
    )
