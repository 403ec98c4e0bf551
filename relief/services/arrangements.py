"""Repayment arrangements on applications (domain.md §9): the option asked for, proposed with
the application; the option a reviewer approves; the start when the borrower accepts (the
relief asked for with it posted first); and what happens after — completed when paid, broken
when a plan installment is left unpaid too long — each told to the borrower.

The money moves in `loans.services.arrangements`; this module chooses what moves with the
policy's rules and keeps the application's side: its events and notifications. Every change
locks the loan's rows first, then the application (the order a repayment takes them in).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import ConflictError, DomainError
from core.templatetags.money import money
from loans import calculations
from loans import selectors as loan_selectors
from loans.calculations import ZERO
from loans.models import Arrangement, Installment, Loan
from loans.services import (
    arrangements_break,
    arrangements_complete,
    basis_of_locked,
    deferral_start,
    plan_start,
)
from loans.services.arrangements import FIGURE_FIELDS
from relief import arrangement_selectors, rules, selectors
from relief.models import ActorKind, ReliefApplication
from relief.presentation import arrangement_not_eligible_label, arrangement_term_label
from relief.services import review
from relief.services.notifications import notify
from relief.services.transitions import application_lock

ARRANGEMENT_INVALID = _(
    'Choose an arrangement: {"kind": "plan", "periods": N} or {"kind": "deferral", "months": N}.'
)
OPTION_NOT_OFFERED = _("%(option)s is not offered for this loan now.")
NOT_ELIGIBLE = _("This loan cannot have a repayment arrangement now: %(reasons)s")
NOT_AFFORDABLE = _(
    "%(option)s is not affordable: %(payment)s a month is more than %(limit)s, the most the "
    "policy lets it take of the income you stated."
)
ACTIVE_ARRANGEMENT = _("This loan already has an active repayment arrangement.")
NO_LONGER_OFFERED = _(
    "%(option)s can no longer start: the loan has changed since the offer. Please apply again."
)


@dataclass(frozen=True)
class Option:
    """An option asked for or decided: a plan of `term` periods or a deferral of `term`
    months."""

    kind: str
    term: int

    @property
    def label(self) -> str:
        return arrangement_term_label(self.kind, self.term)


def option_clean(value, *, field: str = "arrangement") -> Option:
    """`{"kind": "plan", "periods": N}` or `{"kind": "deferral", "months": N}` (or an
    `Option`), else a DomainError on `field`."""
    if isinstance(value, Option):
        return value
    if not isinstance(value, dict):
        raise DomainError.for_field(field, ARRANGEMENT_INVALID)
    kind = value.get("kind")
    key = {rules.PLAN: "periods", rules.DEFERRAL: "months"}.get(kind)
    term = value.get(key) if key else None
    if isinstance(term, str) and term.strip().isdigit():
        term = int(term.strip())
    if key is None or type(term) is not int or not 1 <= term <= 120:
        raise DomainError.for_field(field, ARRANGEMENT_INVALID)
    return Option(kind, term)


def option_of(arrangement: Arrangement) -> Option:
    return Option(arrangement.kind, arrangement.term)


def option_offered(
    quote: rules.ArrangementQuote, option: Option, *, field: str = "arrangement"
) -> rules.ArrangementOption:
    """The quote's figures of `option`, or why it cannot be had (400 on `field`)."""
    offered = quote.option(option.kind, option.term)
    if offered is not None:
        return offered
    if not quote.eligible or not any(o.kind == option.kind for o in quote.options):
        reasons = [arrangement_not_eligible_label(code) for code in quote.not_eligible_reasons]
        raise DomainError(
            NOT_ELIGIBLE % {"reasons": " ".join(reasons)},
            code="not_eligible",
            fields={field: [" ".join(reasons)]},
            extra={"not_eligible_reasons": list(quote.not_eligible_reasons)},
        )
    raise DomainError.for_field(
        field, OPTION_NOT_OFFERED % {"option": option.label}, code="option_not_offered"
    )


def affordable_check(offered: rules.ArrangementOption, option: Option) -> None:
    """An option the stated income cannot carry cannot be chosen (domain.md §9)."""
    if offered.affordable is False:
        raise DomainError.for_field(
            "arrangement",
            NOT_AFFORDABLE
            % {
                "option": option.label,
                "payment": f"¥{money(offered.monthly_payment)}",
                "limit": f"¥{money(offered.affordable_limit)}",
            },
            code="not_affordable",
        )


def active_arrangement_conflict(loan_id: int) -> ConflictError:
    active = loan_selectors.arrangement_active(loan_id)
    return ConflictError(
        ACTIVE_ARRANGEMENT,
        code="active_arrangement",
        extra={"active_arrangement": active.pk if active else None},
    )


def figures_set(arrangement: Arrangement, offered: rules.ArrangementOption) -> None:
    """The arrangement's option and figures as quoted (in memory; the caller saves)."""
    arrangement.kind = offered.kind
    arrangement.periods = offered.periods
    arrangement.months = offered.months
    arrangement.installment_amount = offered.installment_amount
    arrangement.total = offered.total
    arrangement.moved = offered.moved
    arrangement.extra_interest = offered.extra_interest
    arrangement.first_due_date = offered.first_due_date
    arrangement.last_due_date = offered.last_due_date


def arrangement_propose(
    *, loan: Loan, option: Option, offered: rules.ArrangementOption, policy: rules.Policy
) -> Arrangement:
    """The arrangement an application asks for, proposed with it. Its break and observation
    terms are the policy's of the moment, kept with it."""
    terms = policy.arrangements
    assert terms is not None  # an option was offered, so the policy has the section
    arrangement = Arrangement(
        loan=loan,
        asked_kind=option.kind,
        asked_term=option.term,
        break_after_days=terms.plan.break_after_days,
        observation_months=terms.observation_months,
    )
    figures_set(arrangement, offered)
    arrangement.save()
    return arrangement


def application_case(
    application: ReliefApplication, *, loan: Loan, relief: Decimal, today: date | None = None
) -> tuple[loan_selectors.LoanState, rules.ArrangementCase]:
    """The arrangement case of an application's loan today, `relief` waived first (its own
    open application does not count against it)."""
    state = loan_selectors.loan_state(loan, today=today)
    return state, arrangement_selectors.arrangement_case(
        loan,
        state=state,
        reason=application.reason,
        relief=relief,
        monthly_income=application.monthly_income,
    )


def arrangement_requote(
    application: ReliefApplication, *, relief: Decimal, option: Option | None = None
) -> rules.ArrangementOption | None:
    """Today's figures of the application's option (or of `option`), `relief` waived first;
    None when it is not offered today."""
    loan = (
        Loan.objects.select_related("product")
        .prefetch_related("installments")
        .get(pk=application.loan_id)
    )
    _state, case = application_case(application, loan=loan, relief=relief)
    quote = rules.arrangement_quote(case, selectors.policy_rules(application.policy))
    option = option or option_of(application.arrangement)
    return quote.option(option.kind, option.term)


def arrangement_decide(
    application: ReliefApplication, *, relief: Decimal, option: Option | None
) -> tuple[rules.ArrangementOption, bool]:
    """A reviewer approves the application's arrangement, or `option` instead of the one
    asked (the borrower then accepts or declines it). Returns its figures today and whether it
    needs four eyes; refuses an option not offered today (400 on "arrangement")."""
    arrangement = application.arrangement
    chosen = option or option_of(arrangement)
    loan = (
        Loan.objects.select_related("product")
        .prefetch_related("installments")
        .get(pk=application.loan_id)
    )
    _state, case = application_case(application, loan=loan, relief=relief)
    policy = selectors.policy_rules(application.policy)
    offered = option_offered(rules.arrangement_quote(case, policy), chosen)
    figures_set(arrangement, offered)
    arrangement.save(update_fields=FIGURE_FIELDS)
    return offered, offered.needs_second_approval


def waiver_post_now(installments: list[Installment], *, loan: Loan, amount: Decimal) -> Decimal:
    """Post a waiver of up to `amount` at once, spread over the penalty outstanding oldest
    first (the relief asked for with an arrangement: its condition is the arrangement)."""
    penalty = sum((i.penalty_outstanding for i in installments), ZERO)
    waiver = min(amount, max(penalty, ZERO))
    pieces = calculations.spread_waiver(
        waiver, [(index, i.penalty_outstanding) for index, i in enumerate(installments)]
    )
    for index, piece in pieces:
        installments[index].penalty_waived += piece
    Installment.objects.bulk_update(
        [installments[index] for index, _piece in pieces],
        ["penalty_waived", "penalty_accrued", "penalty_held", "accrued_through"],
    )
    return waiver


def arrangement_start(
    application: ReliefApplication,
    *,
    loan: Loan,
    installments: list[Installment],
    today: date,
) -> dict:
    """Accepting an offer with an arrangement, on the locked loan: the relief asked with it
    is waived at once, then the arrangement starts for the rest (domain.md §9). Returns what
    happened, for the event."""
    arrangement = application.arrangement
    basis = basis_of_locked(loan, installments, today)
    waived = ZERO
    if application.asks_relief and application.decided_amount:
        waived = waiver_post_now(installments, loan=loan, amount=application.decided_amount)
        basis = basis_of_locked(loan, installments, today)
    state = loan_selectors.loan_state(loan, today=today)
    case = arrangement_selectors.arrangement_case(
        loan,
        state=state,
        reason=application.reason,
        monthly_income=None,  # chosen when applying; the start does not ask again
        basis=basis,
    )
    policy = selectors.policy_rules(application.policy)
    option = option_of(arrangement)
    offered = rules.arrangement_quote(case, policy, kinds=(option.kind,)).option(
        option.kind, option.term
    )
    if offered is None:
        raise ConflictError(
            NO_LONGER_OFFERED % {"option": option.label}, code="arrangement_not_offered"
        )
    if option.kind == rules.PLAN:
        plan_start(
            arrangement=arrangement,
            loan=loan,
            installments=installments,
            on=today,
            amounts=rules.plan_split(offered.total, offered.periods),
            due_dates=rules.plan_due_dates(today, basis.day_of_month, offered.periods),
            interest=offered.extra_interest,
        )
    else:
        deferral_start(
            arrangement=arrangement,
            loan=loan,
            installments=installments,
            on=today,
            due_dates=rules.deferral_dates(basis.unpaid_due_dates, offered.months),
            interest=offered.extra_interest,
            penalty=basis.penalty_outstanding,
        )
    application.waived_amount = waived
    return {
        "waived": str(waived),
        "arrangement": arrangement.pk,
        "kind": arrangement.kind,
        "term": arrangement.term,
        "installment_amount": str(arrangement.installment_amount),
        "total": str(arrangement.total),
        "first_due_date": arrangement.first_due_date.isoformat(),
    }


# --- after the start: completed, broken; told to the borrower ---------------------------------

MESSAGES = {
    Arrangement.Status.COMPLETED: "arrangement_completed",
    Arrangement.Status.BROKEN: "arrangement_broken",
}


def arrangement_told(application: ReliefApplication, *, status: str, note: str, data: dict):
    """An application event for an arrangement's change (the application's own status stays)
    and the borrower's notification, once."""
    # The review module imports this one: its names are looked up when called.
    event = review.event_write(
        application,
        actor_kind=ActorKind.SYSTEM,
        note=note,
        data={"arrangement": application.arrangement_id, "arrangement_status": status, **data},
    )
    borrower = application.borrower
    notify(
        recipient=borrower.user,
        kind=MESSAGES[status],
        language=borrower.language,
        channel_preference=borrower.notification_channel,
        context={"application": application, "arrangement": application.arrangement},
        application=application,
        event=event,
        link=reverse("application-detail", args=[application.pk]),
        event_is_new=True,
    )
    return event


def arrangements_told(ids: list[int], *, status: str) -> None:
    """Write the event and notification of each arrangement that just changed to `status`."""
    for application_id in ReliefApplication.objects.filter(arrangement_id__in=ids).values_list(
        "pk", flat=True
    ):
        application = application_lock(application_id)
        arrangement = Arrangement.objects.get(pk=application.arrangement_id)
        application.arrangement = arrangement
        day = arrangement.broken_on or arrangement.completed_on
        arrangement_told(
            application,
            status=status,
            note=f"arrangement {status} on {day}",
            data={"on": day.isoformat() if day else None},
        )


def arrangement_complete_after_repayment(*, loan_id: int) -> list[int]:
    """A repayment just recorded on the locked loan may have paid an arrangement off: it is
    completed now, not at night, and the borrower told."""
    completed = arrangements_complete(now=timezone.now(), loan_id=loan_id)
    arrangements_told(completed, status=Arrangement.Status.COMPLETED)
    return completed


def arrangements_nightly(*, today: date | None = None) -> dict[str, int]:
    """The nightly job (Celery beat): break every arrangement with an installment of its own
    unpaid `break_after_days` after its due date, complete every one paid off — set-based —
    and tell each borrower. Running it twice for a day changes nothing more."""
    today = today or loan_selectors.local_today()
    now = timezone.now()
    with transaction.atomic():
        broken = arrangements_break(day=today, now=now)
        completed = arrangements_complete(now=now)
        arrangements_told([id_ for id_, _kind, _on in broken], status=Arrangement.Status.BROKEN)
        arrangements_told(completed, status=Arrangement.Status.COMPLETED)
    return {"broken": len(broken), "completed": len(completed)}


__all__ = [
    "Option",
    "active_arrangement_conflict",
    "affordable_check",
    "arrangement_complete_after_repayment",
    "arrangement_decide",
    "arrangement_propose",
    "arrangement_requote",
    "arrangement_start",
    "arrangements_nightly",
    "option_clean",
    "option_offered",
]
