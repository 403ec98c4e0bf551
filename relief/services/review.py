"""What happens to a case after submission: triage (by the system), decisions (by
reviewers, four eyes on large ones). Its deadlines (SLA escalation, offer expiry) are in
`relief.services.deadlines`."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.errors import ConflictError, DomainError, TemporaryFailure
from loans import selectors as loan_selectors
from loans.calculations import ZERO
from loans.models import Loan
from relief import arrangement_selectors, rules, selectors
from relief.models import (
    UNDECIDED_STATUSES,
    ActorKind,
    ApplicationEvent,
    ApplicationStatus,
    Evidence,
    RejectionReason,
    ReliefApplication,
)
from relief.services import arrangements
from relief.services.evidence import evidence_set_verified
from relief.services.transitions import application_lock, transition

ESCALATION_BOOST = 1000

PERCENT_INVALID = _("The percent must be a whole number from 0 to 100.")
REASON_CODE_REQUIRED = _("Choose a reason for the rejection.")
QUESTION_REQUIRED = _("Write the question the borrower should answer.")
NOT_A_REVIEWER = _("Only reviewers can decide cases.")
NOT_A_SENIOR = _("The second approval must come from a senior reviewer.")
SAME_APPROVER = _("The second approval must come from someone other than the first approver.")
NO_ARRANGEMENT_ASKED = _("This application does not ask for a repayment arrangement.")
OWN_CASE = _(
    "This is your own application: you cannot decide it, verify its evidence or be assigned "
    "to it. Another reviewer must handle it."
)


def policy_of(application: ReliefApplication) -> rules.Policy:
    return selectors.policy_rules(application.policy)


def triage_priority(*, amount: Decimal, dpd: int, waiting: timedelta) -> int:
    """Larger reliefs, later loans and longer waits first (ties go to the SLA due time)."""
    return (
        min(int(amount // 50), 100)
        + min(dpd, 180) // 6
        + min(int(waiting.total_seconds() // 3600), 48)
    )


def sla_start(application: ReliefApplication, *, now: datetime | None = None) -> None:
    now = now or timezone.now()
    hours = policy_of(application).service_levels.decision_hours
    application.sla_due = now + timedelta(hours=hours)
    application.sla_escalated_at = None


def reviewer_with_fewest_open_cases(*, borrower_id: int | None = None):
    """The active reviewer with the fewest undecided cases (ties: the earliest account), never
    the borrower `borrower_id` herself.

    A read that locks nothing: each reviewer's cases are counted in the index of the open
    queue (`relief_undecided_by_assignee`), so no row is shared by every triage (relief
    migration 0014)."""
    open_cases = (
        ReliefApplication.objects.filter(assigned_to=OuterRef("pk"), status__in=UNDECIDED_STATUSES)
        .order_by()
        .values("assigned_to")
        .annotate(count=Count("pk"))
        .values("count")
    )
    reviewers = permissions.users_with(permissions.DECIDE_CASES)
    if borrower_id is not None:
        reviewers = reviewers.exclude(borrower__pk=borrower_id)
    return (
        reviewers.annotate(open_cases=Coalesce(Subquery(open_cases), 0))
        .order_by("open_cases", "id")
        .only("pk")  # triage needs the id; the rest is read if asked for
        .first()
    )


def offer_deadline_from_today(application: ReliefApplication):
    days = policy_of(application).service_levels.offer_valid_days
    return loan_selectors.local_today() + timedelta(days=days)


# PostgreSQL's SQLSTATE for "lock_timeout passed" (lock_not_available).
LOCK_NOT_AVAILABLE = "55P03"


def lock_timeout_set(milliseconds: int) -> None:
    """Until the end of this transaction, give up waiting for a row lock after `milliseconds`
    (PostgreSQL; SQLite has no row locks)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{milliseconds}ms"])


def relief_application_triage(*, application_id: int) -> ReliefApplication:
    """Score a submitted case under the active policy; approve it automatically when the
    policy allows, else send it to review with a priority, an SLA and a reviewer.

    Idempotent: a case no longer `submitted` is left as it is (a redelivered task). Waits at
    most RELIEF_TRIAGE_LOCK_TIMEOUT_MS for the case or its loan while another transaction
    holds them, then raises TemporaryFailure: its task tries again (relief.tasks)."""
    try:
        with transaction.atomic():
            lock_timeout_set(settings.RELIEF_TRIAGE_LOCK_TIMEOUT_MS)
            return application_triage_locked(application_id)
    except OperationalError as exc:
        if getattr(exc.__cause__, "pgcode", None) == LOCK_NOT_AVAILABLE:
            raise TemporaryFailure(f"case {application_id} is locked; triage later") from exc
        raise


def application_triage_locked(application_id: int) -> ReliefApplication:
    application = application_lock(application_id)
    if application.status != ApplicationStatus.SUBMITTED:
        return application
    now = timezone.now()
    today = loan_selectors.local_today()
    borrower = selectors.borrower_record(
        borrower_id=application.borrower_id,
        loan_id=application.loan_id,
        today=today,
        exclude_id=application.pk,
    )
    record, policy = selectors.policy_active()
    if application.policy_id == record.pk:
        application.policy = record  # the usual case: no second read of the same row
    # The loan was read (and locked) with the application.
    # Evidence attached, none verified yet (triage comes first): if verifying it would raise
    # the percent, a reviewer looks at it instead of an instant offer.
    case = selectors.loan_case(
        application.loan,
        reason=application.reason,
        evidence_to_verify=application.evidence.exists(),
        today=today,
        record=borrower,
    )
    quote = rules.quote(case, policy)
    application.triaged_at = now
    data = {"quote": selectors.quote_document(quote)}
    relief_blockers = list(quote.auto_approval_blockers) if application.asks_relief else []
    arrangement_blockers = []
    if application.arrangement_id is not None:
        relief = quote.amount if application.asks_relief and quote.eligible else ZERO
        option = arrangements.arrangement_requote(application, relief=relief)
        if option is None:
            arrangement_blockers = ["option_not_offered"]
        else:
            arrangement_blockers = list(option.auto_approval_blockers)
            data["arrangement"] = arrangement_selectors.option_document(option)
    if not (relief_blockers or arrangement_blockers):
        if application.asks_relief:
            application.decided_percent = quote.percent
            application.decided_amount = quote.amount
        application.decided_at = now
        application.offer_deadline = today + timedelta(days=policy.service_levels.offer_valid_days)
        transition(
            application,
            "auto_approve",
            actor_kind=ActorKind.SYSTEM,
            note=f"auto-approved under policy v{record.version}",
            data=data,
            update_fields=(
                "triaged_at",
                "decided_percent",
                "decided_amount",
                "decided_at",
                "offer_deadline",
            ),
        )
        return application
    application.priority = triage_priority(
        amount=quote.amount, dpd=case.days_overdue, waiting=now - application.created_at
    )
    sla_start(application, now=now)
    if application.assigned_to is None or is_own_case(application, application.assigned_to):
        application.assigned_to = reviewer_with_fewest_open_cases(
            borrower_id=application.borrower_id
        )
    data["auto_approval_blockers"] = relief_blockers
    if application.arrangement_id is not None:
        data["arrangement_blockers"] = arrangement_blockers
    transition(
        application,
        "send_to_review",
        actor_kind=ActorKind.SYSTEM,
        data=data,
        update_fields=("triaged_at", "priority", "sla_due", "sla_escalated_at", "assigned_to"),
    )
    return application


def require_reviewer(user) -> None:
    if not permissions.can_decide_cases(user):
        raise DomainError(NOT_A_REVIEWER, code="forbidden", status=403)


def is_own_case(application: ReliefApplication, user) -> bool:
    """Whether `user` is the borrower of the case (a reviewer may also be a borrower)."""
    if user is None or user.pk is None:
        return False
    return application.borrower.user_id == user.pk


def require_not_own_case(application: ReliefApplication, user) -> None:
    """No one decides, verifies or is given her own case, whichever interface asks."""
    if is_own_case(application, user):
        raise DomainError(OWN_CASE, code="own_case", status=403)


def clean_percent(percent) -> int:
    if isinstance(percent, bool):
        raise DomainError(PERCENT_INVALID, fields={"percent": [str(PERCENT_INVALID)]})
    try:
        value = int(str(percent).strip())
    except (TypeError, ValueError):
        raise DomainError(PERCENT_INVALID, fields={"percent": [str(PERCENT_INVALID)]}) from None
    if not 0 <= value <= 100:
        raise DomainError(PERCENT_INVALID, fields={"percent": [str(PERCENT_INVALID)]})
    return value


def current_penalty(application: ReliefApplication) -> Decimal:
    loan = Loan.objects.prefetch_related("installments").get(pk=application.loan_id)
    return loan_selectors.loan_state(loan).penalty_outstanding


@transaction.atomic
def relief_application_approve(
    *,
    application_id: int,
    reviewer,
    percent=None,
    note: str = "",
    version: int | None = None,
    arrangement=None,
) -> ReliefApplication:
    """Approve at `percent` of the penalty outstanding now (when relief is asked for) and the
    arrangement asked for, or `arrangement` instead (another option: the borrower then
    accepts or declines it). Beyond the policy's four-eyes limits, for relief or for the
    arrangement, the case waits for a senior reviewer's second approval."""
    require_reviewer(reviewer)
    application = application_lock(application_id, version=version)
    percent = clean_percent(percent) if application.asks_relief else None
    require_not_own_case(application, reviewer)
    if arrangement is not None and application.arrangement_id is None:
        raise DomainError.for_field("arrangement", NO_ARRANGEMENT_ASKED)
    option = None if arrangement is None else arrangements.option_clean(arrangement)
    data: dict = {}
    four_eyes = False
    amount = None
    if application.asks_relief:
        penalty = current_penalty(application)
        amount = rules.relief_amount(penalty, percent)
        data = {"percent": percent, "amount": str(amount), "penalty_outstanding": str(penalty)}
        four_eyes = rules.needs_second_approval(
            policy_of(application),
            suggested_percent=application.suggested_percent,
            decided_percent=percent,
            decided_amount=amount,
        )
    application.decided_percent = percent
    application.decided_amount = amount
    if application.arrangement_id is not None:
        asked = (application.arrangement.asked_kind, application.arrangement.asked_term)
        offered, arrangement_four_eyes = arrangements.arrangement_decide(
            application, relief=amount or ZERO, option=option
        )
        four_eyes = four_eyes or arrangement_four_eyes
        data["arrangement"] = arrangement_selectors.option_document(offered)
        data["arrangement_changed"] = (offered.kind, offered.term) != asked
    if four_eyes:
        application.first_approver = reviewer
        transition(
            application,
            "approve_pending_second",
            actor_kind=ActorKind.REVIEWER,
            actor=reviewer,
            note=note,
            data=data,
            update_fields=("decided_percent", "decided_amount", "first_approver"),
        )
        return application
    application.decided_by = reviewer
    application.decided_at = timezone.now()
    application.offer_deadline = offer_deadline_from_today(application)
    transition(
        application,
        "approve",
        actor_kind=ActorKind.REVIEWER,
        actor=reviewer,
        note=note,
        data=data,
        update_fields=(
            "decided_percent",
            "decided_amount",
            "decided_by",
            "decided_at",
            "offer_deadline",
        ),
    )
    return application


@transaction.atomic
def relief_application_second_approve(
    *, application_id: int, reviewer, note: str = "", version: int | None = None
) -> ReliefApplication:
    """A different senior reviewer confirms a large or out-of-policy approval."""
    application = application_lock(application_id, version=version)
    if not permissions.can_give_second_approval(reviewer):
        raise DomainError(NOT_A_SENIOR, code="forbidden", status=403)
    require_not_own_case(application, reviewer)
    if application.first_approver_id == reviewer.pk:
        raise ConflictError(SAME_APPROVER, code="same_approver")
    application.decided_by = reviewer
    application.decided_at = timezone.now()
    application.offer_deadline = offer_deadline_from_today(application)
    transition(
        application,
        "second_approve",
        actor_kind=ActorKind.REVIEWER,
        actor=reviewer,
        note=note,
        data={"first_approver": application.first_approver_id},
        update_fields=("decided_by", "decided_at", "offer_deadline"),
    )
    return application


@transaction.atomic
def relief_application_second_return(
    *, application_id: int, reviewer, note: str = "", version: int | None = None
) -> ReliefApplication:
    """The senior reviewer sends the case back to review with a note."""
    application = application_lock(application_id, version=version)
    if not permissions.can_give_second_approval(reviewer):
        raise DomainError(NOT_A_SENIOR, code="forbidden", status=403)
    require_not_own_case(application, reviewer)
    application.decided_percent = None
    application.decided_amount = None
    transition(
        application,
        "second_return",
        actor_kind=ActorKind.REVIEWER,
        actor=reviewer,
        note=note,
        update_fields=("decided_percent", "decided_amount"),
    )
    return application


@transaction.atomic
def relief_application_reject(
    *, application_id: int, reviewer, reason_code: str, note: str = "", version: int | None = None
) -> ReliefApplication:
    require_reviewer(reviewer)
    if reason_code not in RejectionReason.values:
        raise DomainError(REASON_CODE_REQUIRED, fields={"reason_code": [str(REASON_CODE_REQUIRED)]})
    application = application_lock(application_id, version=version)
    require_not_own_case(application, reviewer)
    application.rejection_reason = reason_code
    application.decided_by = reviewer
    application.decided_at = timezone.now()
    transition(
        application,
        "reject",
        actor_kind=ActorKind.REVIEWER,
        actor=reviewer,
        note=note,
        data={"reason_code": reason_code},
        update_fields=("rejection_reason", "decided_by", "decided_at"),
    )
    return application


@transaction.atomic
def relief_application_request_info(
    *, application_id: int, reviewer, question: str, version: int | None = None
) -> ReliefApplication:
    require_reviewer(reviewer)
    question = (question or "").strip()
    if not question:
        raise DomainError(QUESTION_REQUIRED, fields={"note": [str(QUESTION_REQUIRED)]})
    application = application_lock(application_id, version=version)
    require_not_own_case(application, reviewer)
    transition(
        application, "request_info", actor_kind=ActorKind.REVIEWER, actor=reviewer, note=question
    )
    return application


@transaction.atomic
def relief_application_assign(
    *, application_id: int, reviewer, assignee, version: int | None = None
) -> ReliefApplication:
    """Claim a case (assignee = reviewer) or hand it to another reviewer."""
    require_reviewer(reviewer)
    require_reviewer(assignee)
    application = application_lock(application_id, version=version)
    if application.status not in UNDECIDED_STATUSES:
        raise ConflictError(_("Only open cases can be assigned."), code="transition_not_allowed")
    require_not_own_case(application, reviewer)
    require_not_own_case(application, assignee)
    application.assigned_to = assignee
    application.version += 1
    application.save(update_fields=["assigned_to", "version", "updated_at"])
    event_write(
        application,
        actor_kind=ActorKind.REVIEWER,
        actor=reviewer,
        note=f"assigned to {assignee.get_username()}",
        data={"assigned_to": assignee.pk},
    )
    return application


def event_write(application, *, actor_kind, actor=None, note="", data=None) -> ApplicationEvent:
    """An event that records something other than a change of status."""
    return ApplicationEvent.objects.create(
        application=application,
        actor_kind=actor_kind,
        actor=actor,
        from_status=application.status,
        to_status=application.status,
        note=note,
        data=data or {},
    )


@transaction.atomic
def relief_application_verify_evidence(
    *, evidence_id: int, reviewer, verified: bool, version: int | None = None
) -> ReliefApplication:
    """Mark a file verified (or not) and re-score the case: verified evidence adds points
    and lifts the cap. The submission's quote is kept; the new one is `review_quote`."""
    require_reviewer(reviewer)
    evidence = Evidence.objects.select_related("application").get(pk=evidence_id)
    application = application_lock(evidence.application_id, version=version)
    require_not_own_case(application, reviewer)
    if application.status not in UNDECIDED_STATUSES:
        raise ConflictError(
            _("Evidence can only be verified before the decision."), code="transition_not_allowed"
        )
    evidence_set_verified(evidence=evidence, verified=verified, reviewer=reviewer)
    any_verified = application.evidence.filter(verified_at__isnull=False).exists()
    loan = Loan.objects.select_related("borrower").get(pk=application.loan_id)
    case = selectors.loan_case(
        loan,
        reason=application.reason,
        evidence_verified=any_verified,
        exclude_application_id=application.pk,
    )
    quote = rules.quote(case, policy_of(application))
    application.review_quote = selectors.quote_document(quote)
    application.suggested_percent = quote.percent
    application.suggested_amount = quote.amount
    application.version += 1
    application.save(
        update_fields=[
            "review_quote",
            "suggested_percent",
            "suggested_amount",
            "version",
            "updated_at",
        ]
    )
    event_write(
        application,
        actor_kind=ActorKind.REVIEWER,
        actor=reviewer,
        note=f"evidence {'verified' if verified else 'unverified'}: {evidence.original_name}",
        data={"evidence": evidence.pk, "verified": verified, "suggested_percent": quote.percent},
    )
    return application
