"""What a borrower does with an application: submit, add evidence, answer, withdraw,
accept or decline the offer."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core import publishing
from core.errors import ConflictError, DomainError
from loans import selectors as loan_selectors
from loans.calculations import ZERO
from loans.models import Loan
from loans.selectors import local_today
from loans.services import clean_amount, loan_lock, penalty_freeze
from relief import arrangement_selectors, rules, selectors, tasks
from relief.models import (
    OPEN_STATUSES,
    ActorKind,
    Evidence,
    HardshipReason,
    ReliefApplication,
)
from relief.presentation import not_eligible_label
from relief.services import arrangements
from relief.services.evidence import evidence_add_many, evidence_files_removed_on_failure
from relief.services.review import sla_start
from relief.services.sweeper import triage_lease_end
from relief.services.transitions import application_lock, transition, transition_check

OPEN_APPLICATION = _("This loan already has an open application (#%(id)s).")
NOT_ELIGIBLE = _("This loan cannot get relief now: %(reasons)s")
UNKNOWN_REASON = _("Choose one of the hardship reasons.")
DESCRIPTION_TOO_LONG = _("Please keep the description under 4,000 characters.")
ANSWER_REQUIRED = _("Please write an answer.")
OFFER_EXPIRED = _("This offer expired on %(deadline)s and can no longer be accepted.")
NOTHING_ASKED = _("Ask for relief, a repayment arrangement, or both.")
DESCRIPTION_REQUIRED = _("With the reason “Other”, please describe your situation.")


def triage_enqueue(application_id: int) -> None:
    """Triage after commit; if the broker is away the sweeper triages it once the case's
    triage lease has passed."""
    publishing.publish_on_commit(
        tasks.triage_application, application_id, what=f"the triage of {application_id}"
    )


def open_application_conflict(loan_id: int) -> ConflictError:
    open_id = (
        ReliefApplication.objects.filter(loan_id=loan_id, status__in=OPEN_STATUSES)
        .values_list("pk", flat=True)
        .first()
    )
    return ConflictError(
        OPEN_APPLICATION % {"id": open_id},
        code="open_application",
        extra={"open_application": open_id},
    )


def relief_application_submit(
    *,
    loan: Loan,
    reason: str,
    description: str = "",
    uploads=(),
    submitted_by,
    relief: bool = True,
    arrangement=None,
    monthly_income=None,
) -> ReliefApplication:
    """Apply on a loan with a hardship reason (and evidence files) for relief, a repayment
    arrangement (`{"kind": "plan", "periods": N}` or `{"kind": "deferral", "months": N}`),
    or both (domain.md §9); `monthly_income` marks what is affordable.

    The quotes are taken now under the active policy and frozen on the application; an
    arrangement is proposed with it. The loan row is locked, so two submissions at once make
    one application; the database's one-open-application index backs that up.
    """
    if reason not in HardshipReason.values:
        raise DomainError.for_field("reason", UNKNOWN_REASON)
    description = (description or "").strip()
    if len(description) > 4000:
        raise DomainError.for_field("description", DESCRIPTION_TOO_LONG)
    option = None if arrangement is None else arrangements.option_clean(arrangement)
    if not relief and option is None:
        raise DomainError.for_field("arrangement", NOTHING_ASKED, code="nothing_asked")
    income = None
    if monthly_income not in (None, ""):
        income = clean_amount(monthly_income, field="monthly_income")
    if option is not None and reason == HardshipReason.OTHER and not description:
        raise DomainError.for_field("description", DESCRIPTION_REQUIRED)
    try:
        # A submission that fails after its files were written takes them away again.
        with evidence_files_removed_on_failure(), transaction.atomic():
            # Only the loan row is locked; its borrower and account come in the same query
            # (the notification's recipient).
            locked = (
                Loan.objects.select_for_update(of=("self",))
                .select_related("borrower", "borrower__user")
                .get(pk=loan.pk)
            )
            # The locked row, so the penalty is read after the lock (a repayment posted
            # meanwhile is counted), not from the caller's possibly stale prefetch. The case
            # behind the quote says whether the loan has an open application.
            loan_quote = selectors.loan_quote(
                locked, reason=reason, evidence_to_verify=bool(uploads)
            )
            if loan_quote.case.has_open_application:
                raise open_application_conflict(locked.pk)
            quote = loan_quote.quote
            if relief and not quote.eligible:
                reasons = [not_eligible_label(code) for code in quote.not_eligible_reasons]
                raise DomainError(
                    NOT_ELIGIBLE % {"reasons": " ".join(reasons)},
                    code="not_eligible",
                    extra={"not_eligible_reasons": list(quote.not_eligible_reasons)},
                )
            application = ReliefApplication(
                loan=locked,
                borrower=locked.borrower,
                reason=reason,
                description=description,
                asks_relief=relief,
                monthly_income=income,
                policy=loan_quote.policy,
                policy_version=quote.policy_version,
                quote=selectors.quote_document(quote),
                suggested_percent=quote.percent if relief else 0,
                suggested_amount=quote.amount if relief else ZERO,
                penalty_at_submission=quote.penalty_outstanding,
                dpd_at_submission=loan_quote.state.dpd,
                bucket_at_submission=loan_quote.state.bucket,
                # The triage sent on commit counts as queued for one lease (the sweeper).
                triage_claimed_until=triage_lease_end(),
            )
            if option is not None:
                arrangement_ask(application, loan_quote=loan_quote, option=option)
            transition(application, "submit", actor_kind=ActorKind.BORROWER, actor=submitted_by)
            evidence_add_many(application=application, uploads=uploads, uploaded_by=submitted_by)
            triage_enqueue(application.pk)
            return application
    except IntegrityError as exc:
        if "one_open_application_per_loan" in str(exc):
            raise open_application_conflict(loan.pk) from exc
        raise


def arrangement_ask(
    application: ReliefApplication, *, loan_quote: selectors.LoanQuote, option
) -> None:
    """The arrangement asked for, checked against the arrangement quote of the moment (the
    relief quote's amount waived first when relief is asked too) and proposed with the
    application, its quote frozen on it."""
    loan = application.loan
    if loan_selectors.arrangement_active(loan.pk) is not None:
        raise arrangements.active_arrangement_conflict(loan.pk)
    relief_quote = loan_quote.quote
    relief = relief_quote.amount if application.asks_relief and relief_quote.eligible else ZERO
    case = arrangement_selectors.arrangement_case(
        loan,
        state=loan_quote.state,
        reason=application.reason,
        relief=relief,
        monthly_income=application.monthly_income,
        description_given=bool(application.description),
    )
    policy = selectors.policy_rules(loan_quote.policy)
    quote = rules.arrangement_quote(case, policy)
    offered = arrangements.option_offered(quote, option)
    arrangements.affordable_check(offered, option)
    application.arrangement = arrangements.arrangement_propose(
        loan=loan, option=option, offered=offered, policy=policy
    )
    application.arrangement_quote = arrangement_selectors.arrangement_quote_document(
        quote, monthly_income=application.monthly_income
    )


@transaction.atomic
def relief_application_withdraw(
    *, application_id: int, user, version: int | None = None
) -> ReliefApplication:
    """The borrower takes the application back (before a decision)."""
    application = application_lock(application_id, version=version)
    transition(application, "withdraw", actor_kind=ActorKind.BORROWER, actor=user)
    return application


@transaction.atomic
def relief_application_accept(
    *, application_id: int, user, version: int | None = None
) -> ReliefApplication:
    """The borrower accepts the offer: the figure to repay is fixed from now to the deadline
    (the penalty of the installments overdue now is frozen, domain.md §7), and the waiver
    posts once that figure is repaid in time.

    An offer past its deadline cannot be accepted, even before the nightly expiry runs."""
    # The loan first, then the application: the order a repayment locks them in.
    loan_id = ReliefApplication.objects.values_list("loan_id", flat=True).get(pk=application_id)
    loan, installments = loan_lock(loan_id)
    application = application_lock(application_id, version=version)
    transition_check(application, "accept")
    today = local_today()
    if application.offer_deadline and application.offer_deadline < today:
        raise ConflictError(
            OFFER_EXPIRED % {"deadline": application.offer_deadline.isoformat()},
            code="offer_expired",
            extra={"offer_deadline": application.offer_deadline.isoformat()},
        )
    if application.arrangement_id is not None:
        # With an arrangement the relief posts at once and the arrangement starts for the
        # rest (domain.md §9): nothing is left to repay first, so the offer is fulfilled.
        data = arrangements.arrangement_start(
            application, loan=loan, installments=installments, today=today
        )
        application.accepted_on = today
        transition(
            application,
            "accept",
            actor_kind=ActorKind.BORROWER,
            actor=user,
            update_fields=("accepted_on",),
            message=None,
        )
        transition(
            application,
            "fulfil",
            actor_kind=ActorKind.SYSTEM,
            note=f"arrangement started, waiver {application.waived_amount} posted",
            data=data,
            update_fields=("waived_amount",),
            message="arrangement_started",
        )
        return application
    frozen = penalty_freeze(
        loan=loan, installments=installments, on=today, until=application.offer_deadline
    )
    amount = selectors.fulfil_amount(
        overdue=frozen.overdue, penalty=frozen.penalty, relief=application.decided_amount or ZERO
    )
    application.accepted_on = today
    application.repay_to_fulfil_at_acceptance = amount
    transition(
        application,
        "accept",
        actor_kind=ActorKind.BORROWER,
        actor=user,
        data={
            "repay_to_fulfil": str(amount),
            "penalty_frozen_until": application.offer_deadline.isoformat(),
        },
        update_fields=("accepted_on", "repay_to_fulfil_at_acceptance"),
    )
    return application


@transaction.atomic
def relief_application_decline(
    *, application_id: int, user, version: int | None = None
) -> ReliefApplication:
    application = application_lock(application_id, version=version)
    transition(application, "decline", actor_kind=ActorKind.BORROWER, actor=user)
    return application


@evidence_files_removed_on_failure()
@transaction.atomic
def relief_application_answer(
    *, application_id: int, user, text: str, uploads=(), version: int | None = None
) -> ReliefApplication:
    """The borrower answers a request for information; the case returns to review with a
    fresh decision deadline."""
    text = (text or "").strip()
    if not text and not uploads:
        raise DomainError.for_field("text", ANSWER_REQUIRED)
    if len(text) > 4000:
        raise DomainError.for_field("text", DESCRIPTION_TOO_LONG)
    application = application_lock(application_id, version=version)
    # Check the move before storing files, so a refused answer stores nothing.
    transition_check(application, "answer")
    evidence_add_many(application=application, uploads=uploads, uploaded_by=user)
    sla_start(application)
    transition(
        application,
        "answer",
        actor_kind=ActorKind.BORROWER,
        actor=user,
        note=text,
        update_fields=("sla_due", "sla_escalated_at"),
    )
    return application


@evidence_files_removed_on_failure()
@transaction.atomic
def relief_application_add_evidence(*, application_id: int, user, uploads) -> list[Evidence]:
    application = application_lock(application_id)
    return evidence_add_many(application=application, uploads=uploads, uploaded_by=user)
