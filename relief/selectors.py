"""Reading relief: the active policy, quotes for a loan, applications a user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    F,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from loans import calculations
from loans import selectors as loan_selectors
from loans.calculations import ZERO
from loans.models import Installment, Loan
from relief import presentation, rules, satisfaction
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
# Parsed policies kept per process: a handful of versions in any real deployment, bounded
# anyway (drafts are keyed by their content, so editing one adds entries).
PARSED_POLICIES_KEPT = 32


def policy_rules(record: ReliefPolicy) -> rules.Policy:
    """The parsed policy of a stored version, parsed once per process (versions never change
    once active; drafts are keyed by their content too)."""
    key = (record.version, repr(record.document) if record.status == "draft" else "")
    policy = _parsed_policies.get(key)
    if policy is None:
        policy = rules.parse_policy(record.document, version=record.version)
        if len(_parsed_policies) >= PARSED_POLICIES_KEPT:
            _parsed_policies.pop(next(iter(_parsed_policies)))
        _parsed_policies[key] = policy
    return policy


# The active policy's row in the shared cache: every quote, submission and triage reads it,
# and it changes only when a version is activated (`relief.signals` forgets it then). The
# timeout bounds how long a change made outside the application (SQL typed into psql), or a
# cache that is not shared between processes, can go unseen.
ACTIVE_POLICY_KEY = "relief:active-policy"
ACTIVE_POLICY_TIMEOUT = 60


def policy_active() -> tuple[ReliefPolicy, rules.Policy]:
    """The active policy: its stored version and its parsed rules."""
    record = cache.get(ACTIVE_POLICY_KEY)
    if record is None:
        record = ReliefPolicy.objects.get(status=ReliefPolicy.Status.ACTIVE)
        cache.set(ACTIVE_POLICY_KEY, record, ACTIVE_POLICY_TIMEOUT)
    return record, policy_rules(record)


def active_policy_forget() -> None:
    """Drop the cached active policy: now, and again when the transaction that changed a
    policy commits (a quote read in between may have cached the version being replaced)."""
    cache.delete(ACTIVE_POLICY_KEY)
    transaction.on_commit(lambda: cache.delete(ACTIVE_POLICY_KEY))


def first_day_within_a_year(today: date) -> date:
    """The first local day whose reliefs count as granted in the 12 months before `today`."""
    return today - timedelta(days=364)


def granted_within_a_year(borrower_id: int, today: date) -> Q:
    """The borrower's reliefs granted in the 12 months before `today` (domain.md, the rules'
    `prior_reliefs_12m`)."""
    return Q(
        borrower_id=borrower_id,
        status__in=GRANTED_STATUSES,
        # An application for an arrangement alone granted no relief.
        asks_relief=True,
        decided_at__date__gte=first_day_within_a_year(today),
    )


def prior_reliefs_12m(borrower_id: int, *, today: date, exclude_id: int | None = None) -> int:
    granted = ReliefApplication.objects.filter(granted_within_a_year(borrower_id, today))
    if exclude_id:
        granted = granted.exclude(pk=exclude_id)
    return granted.count()


@dataclass(frozen=True)
class BorrowerRecord:
    """What the rules know of a borrower beyond the loan itself."""

    history: calculations.HistoryMetrics
    prior_reliefs_12m: int
    has_open_application: bool


def borrower_record(
    *, borrower_id: int, loan_id: int, today: date, exclude_id: int | None = None
) -> BorrowerRecord:
    """The borrower's repayment history, reliefs granted in 12 months, and whether the loan
    has an open application (other than `exclude_id`), in one query.

    Every quote, submission and triage asks all three: the history's rows (one per loan of
    the borrower and paid installment in the window, `loans.selectors.history_rows`) carry
    the two relief figures as subqueries."""
    applications = ReliefApplication.objects.all()
    if exclude_id:
        applications = applications.exclude(pk=exclude_id)
    granted = (
        applications.filter(granted_within_a_year(borrower_id, today))
        .order_by()
        .values("borrower_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    rows = list(
        loan_selectors.history_rows(borrower_id, today=today)
        .annotate(
            prior_reliefs=Coalesce(Subquery(granted), 0),
            has_open=Exists(applications.filter(loan_id=loan_id, status__in=OPEN_STATUSES)),
        )
        .values_list(*loan_selectors.HISTORY_COLUMNS, "prior_reliefs", "has_open")
    )
    columns = len(loan_selectors.HISTORY_COLUMNS)
    # A borrower with no loan has no application either.
    prior, has_open = rows[0][columns:] if rows else (0, False)
    return BorrowerRecord(
        history=loan_selectors.history_of_rows([row[:columns] for row in rows], today=today),
        prior_reliefs_12m=prior,
        has_open_application=has_open,
    )


def loan_case(
    loan: Loan,
    *,
    reason: str,
    evidence_verified: bool = False,
    evidence_to_verify: bool = False,
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
        evidence_to_verify=evidence_to_verify and not evidence_verified,
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
    loan: Loan,
    *,
    reason: str,
    evidence_verified: bool = False,
    evidence_to_verify: bool = False,
    today: date | None = None,
) -> LoanQuote:
    """The instant quote for a loan and a hardship reason under the active policy
    (`evidence_to_verify`: the application comes with evidence no one has verified yet)."""
    today = today or loan_selectors.local_today()
    state = loan_selectors.loan_state(loan, today=today)
    record = borrower_record(borrower_id=loan.borrower_id, loan_id=loan.pk, today=today)
    policy_record, policy = policy_active()
    case = loan_case(
        loan,
        reason=reason,
        evidence_verified=evidence_verified,
        evidence_to_verify=evidence_to_verify,
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
        .select_related("loan", "loan__product", "arrangement")
        .order_by("-created_at", "-id")
    )


def application_of_user(user, application_id: int) -> ReliefApplication:
    """One application of the signed-in borrower (404 for anyone else's)."""
    return (
        ReliefApplication.objects.filter(borrower__user=user)
        .select_related("loan", "loan__product", "borrower", "arrangement")
        .prefetch_related(
            Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")),
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id")),
        )
        .annotate(**satisfaction.answered_scores())
        .get(pk=application_id)
    )


def repay_to_fulfil(application: ReliefApplication, *, today: date | None = None) -> Decimal:
    """What the borrower must still repay for the waiver to post, less the relief (which can
    only cover penalty). Before acceptance: everything overdue now. Once accepted: what the
    installments frozen at acceptance still owe — the figure fixed then
    (`repay_to_fulfil_at_acceptance`) less what has been repaid of it since; it never grows."""
    if application.status not in (ApplicationStatus.APPROVED, ApplicationStatus.ACCEPTED):
        return ZERO
    if application.arrangement_id is not None:
        # With an arrangement nothing is repaid first: accepting posts the relief and starts
        # the arrangement (domain.md §9).
        return ZERO
    # The loan as read with the application; only its installments are read here.
    loan = application.loan
    prefetch_related_objects(
        [loan], Prefetch("installments", queryset=Installment.objects.order_by("seq"))
    )
    state = loan_selectors.loan_state(loan, today=today)
    relief = application.decided_amount or ZERO
    if application.repay_to_fulfil_at_acceptance is not None:  # accepted, the figure fixed
        frozen = [i for i in state.installments if i.installment.freeze is not None]
        return fulfil_amount(
            overdue=sum((i.installment.base_outstanding for i in frozen), ZERO),
            penalty=sum((i.penalty_outstanding for i in frozen), ZERO),
            relief=relief,
        )
    return fulfil_amount(
        overdue=state.overdue_amount, penalty=state.penalty_outstanding, relief=relief
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


@dataclass(frozen=True)
class LoanCard:
    """A loan as the borrower's loan pages show it: its state today and the relief
    application open on it, if any."""

    state: loan_selectors.LoanState
    open_application: ReliefApplication | None


def loan_cards_of_user(user, *, today: date | None = None) -> list[LoanCard]:
    """The borrower's dashboard: each of their loans with its open application."""
    open_by_loan = open_applications_by_loan(user)
    return [
        LoanCard(state, open_by_loan.get(state.loan.pk))
        for state in loan_selectors.loan_states_of_user(user, today=today)
    ]


def loan_card_of_user(user, loan_id: int) -> LoanCard:
    """One of the borrower's loans with its open application; `Loan.DoesNotExist` for a
    loan that is not theirs."""
    loan = loan_selectors.loan_of_user(user, loan_id)
    return LoanCard(loan_selectors.loan_state(loan), open_applications_by_loan(user).get(loan.pk))


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
