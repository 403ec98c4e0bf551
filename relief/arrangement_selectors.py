"""Reading repayment arrangements (domain.md §9): the arrangement quote of a loan, an
application's arrangement with its schedule and progress, a loan's restructured mark, and the
effect of an option on the schedule (the reviewer's case page).

Selectors: they read and compute, never change anything. The borrower's options page, the
API and the admin show what they return; the words come from `relief.presentation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects

from loans import calculations
from loans import selectors as loan_selectors
from loans.calculations import ZERO
from loans.models import Arrangement, Installment, Loan
from relief import presentation, rules, selectors
from relief.models import ReliefApplication, ReliefPolicy


def arrangements_started_12m(borrower_id: int, *, today: date) -> int:
    """Arrangements the borrower started in the 12 months before `today` (auto-approval)."""
    return Arrangement.objects.filter(
        loan__borrower_id=borrower_id,
        started_on__gt=calculations.months_before(today, 12),
    ).count()


def arrangement_case(
    loan: Loan,
    *,
    state: loan_selectors.LoanState,
    reason: str,
    relief: Decimal = ZERO,
    monthly_income: Decimal | None = None,
    description_given: bool = True,
    has_open_application: bool = False,
    basis: loan_selectors.ArrangementBasis | None = None,
) -> rules.ArrangementCase:
    """What the arrangement rules need of a loan as of `state.today` (its installments with
    penalty brought to that day, or `basis` read from locked installments)."""
    basis = basis or loan_selectors.arrangement_basis_of_state(state)
    history = loan_selectors.arrangement_history(loan)
    return rules.ArrangementCase(
        start=state.today,
        days_overdue=state.dpd,
        overdue_principal=basis.overdue_principal,
        overdue_interest=basis.overdue_interest,
        penalty_outstanding=basis.penalty_outstanding,
        unpaid_principal=basis.unpaid_principal,
        unpaid_amount=basis.unpaid_amount,
        first_unpaid_amount=basis.first_unpaid_amount,
        unpaid_due_dates=basis.unpaid_due_dates,
        regular_installment=basis.regular_installment,
        annual_rate=loan.annual_rate,
        day_of_month=basis.day_of_month,
        reason=reason,
        relief=relief,
        monthly_income=monthly_income,
        description_given=description_given,
        written_off=loan.status == Loan.Status.WRITTEN_OFF,
        legal_proceedings=loan.legal_proceedings,
        fraud_flag=loan.fraud_flag,
        has_open_application=has_open_application,
        has_active_arrangement=history.has_active,
        last_deferral_on=history.last_deferral_on,
        plan_broken_on=history.plan_broken_on,
        arrangements_12m=arrangements_started_12m(loan.borrower_id, today=state.today),
    )


@dataclass(frozen=True)
class LoanArrangementQuote:
    """The arrangement quote of a loan, with the relief quote it was given (when relief is
    asked for too), the loan's state and the policy version that made both."""

    quote: rules.ArrangementQuote
    relief: rules.Quote | None
    state: loan_selectors.LoanState
    policy: ReliefPolicy
    case: rules.ArrangementCase


def loan_arrangement_quote(
    loan: Loan,
    *,
    reason: str,
    kinds: tuple[str, ...] = rules.KINDS,
    monthly_income: Decimal | None = None,
    with_relief: bool = True,
    description_given: bool = True,
    today: date | None = None,
) -> LoanArrangementQuote:
    """Every option the active policy offers the loan, with `with_relief` the relief quote's
    amount waived first (as an application asking for both would be: domain.md §9)."""
    today = today or loan_selectors.local_today()
    loan_quote = selectors.loan_quote(loan, reason=reason, today=today)
    relief_quote = loan_quote.quote if with_relief else None
    relief = relief_quote.amount if relief_quote is not None and relief_quote.eligible else ZERO
    case = arrangement_case(
        loan,
        state=loan_quote.state,
        reason=reason,
        relief=relief,
        monthly_income=monthly_income,
        description_given=description_given,
        has_open_application=loan_quote.case.has_open_application,
    )
    policy = selectors.policy_rules(loan_quote.policy)
    return LoanArrangementQuote(
        quote=rules.arrangement_quote(case, policy, kinds=kinds),
        relief=relief_quote,
        state=loan_quote.state,
        policy=loan_quote.policy,
        case=case,
    )


def option_document(option: rules.ArrangementOption) -> dict[str, Any]:
    """One option as JSON-ready data (codes and figures)."""
    return {
        "kind": option.kind,
        "periods": option.periods,
        "months": option.months,
        "installment_amount": str(option.installment_amount),
        "last_installment_amount": str(option.last_installment_amount),
        "moved": str(option.moved),
        "extra_interest": str(option.extra_interest),
        "interest_waived": str(option.interest_waived),
        "total": str(option.total),
        "first_due_date": option.first_due_date.isoformat(),
        "last_due_date": option.last_due_date.isoformat(),
        "monthly_payment": str(option.monthly_payment),
        "affordable_limit": None
        if option.affordable_limit is None
        else str(option.affordable_limit),
        "affordable": option.affordable,
        "auto_approvable": option.auto_approvable,
        "auto_approval_blockers": list(option.auto_approval_blockers),
        "needs_second_approval": option.needs_second_approval,
    }


def arrangement_quote_document(
    quote: rules.ArrangementQuote, *, monthly_income: Decimal | None = None
) -> dict[str, Any]:
    """An arrangement quote as JSON-ready data, codes and figures only (frozen on the
    application at submission)."""
    return {
        "eligible": quote.eligible,
        "not_eligible_reasons": list(quote.not_eligible_reasons),
        "relief": str(quote.relief),
        "monthly_income": None if monthly_income is None else str(monthly_income),
        "options": [option_document(option) for option in quote.options],
        "policy_version": quote.policy_version,
    }


def arrangement_quote_for_reader(document: dict[str, Any]) -> dict[str, Any]:
    """A stored or fresh arrangement quote with labels in the reader's language: each option
    in plain words, each reason and blocker too."""
    labelled = dict(document)
    labelled["options"] = [
        {
            **option,
            # The option's name in a form: "plan:6", "deferral:1".
            "value": f"{option['kind']}:{option['periods'] or option['months']}",
            "label": presentation.arrangement_option_label(option),
            "affordability_label": presentation.affordability_label(option),
            "auto_approval_blockers": [
                {"code": code, "label": presentation.arrangement_blocker_label(code)}
                for code in option.get("auto_approval_blockers", [])
            ],
        }
        for option in document.get("options", [])
    ]
    labelled["not_eligible_reasons"] = [
        {"code": code, "label": presentation.arrangement_not_eligible_label(code)}
        for code in document.get("not_eligible_reasons", [])
    ]
    return labelled


def loan_arrangement_quote_for_reader(result: LoanArrangementQuote) -> dict[str, Any]:
    """A loan's arrangement quote as the options page and the API show it: every option in
    plain words with its affordability, the reasons, and the relief waived first (its
    percent and amount; null when relief is not asked for)."""
    document = arrangement_quote_for_reader(
        arrangement_quote_document(result.quote, monthly_income=result.case.monthly_income)
    )
    relief = result.relief
    document["relief"] = (
        None
        if relief is None
        else {
            "percent": relief.percent if relief.eligible else 0,
            "amount": str(result.quote.relief),
        }
    )
    return document


# --- an arrangement as the borrower and the reviewer read it ---------------------------------

ArrangementLine = loan_selectors.ArrangementLine
ArrangementView = loan_selectors.ArrangementView
arrangement_view = loan_selectors.arrangement_view


def application_arrangement(
    application: ReliefApplication, *, today: date | None = None
) -> ArrangementView | None:
    """The application's arrangement with its schedule and progress, if it asks for one."""
    if application.arrangement_id is None:
        return None
    return arrangement_view(application.arrangement, today=today)


def loan_arrangement(loan: Loan, *, today: date | None = None) -> ArrangementView | None:
    """The loan's active arrangement with its schedule and progress, if any."""
    active = loan_selectors.arrangement_active(loan)
    return None if active is None else arrangement_view(active, today=today)


def loan_restructured(loan: Loan, *, today: date | None = None) -> bool:
    """The loan's restructured mark (domain.md §9): active, or in its observation period."""
    return loan_selectors.restructured(loan, today=today)


# --- the effect of an option (the reviewer's case page) --------------------------------------


@dataclass(frozen=True)
class ScheduleEffect:
    """What an option would do to the loan's schedule if it started today: the installments
    it moves (before → after) and the ones it makes."""

    option: rules.ArrangementOption
    moved: tuple[tuple[Installment, date | None], ...]  # (installment, new due date or None)
    new: tuple[tuple[date, Decimal], ...]  # a plan's installments: (due date, amount)


def schedule_effect(
    option: rules.ArrangementOption, *, state: loan_selectors.LoanState
) -> ScheduleEffect:
    basis = loan_selectors.arrangement_basis_of_state(state)
    if option.kind == rules.PLAN:
        dates = rules.plan_due_dates(state.today, basis.day_of_month, option.periods)
        amounts = rules.plan_split(option.total, option.periods)
        return ScheduleEffect(
            option=option,
            moved=tuple((i, None) for i in basis.overdue),
            new=tuple(zip(dates, amounts, strict=True)),
        )
    dates = rules.deferral_dates(basis.unpaid_due_dates, option.months)
    return ScheduleEffect(option=option, moved=tuple(zip(basis.unpaid, dates, strict=True)), new=())


@dataclass(frozen=True)
class ReviewArrangement:
    """The arrangement part of a case page: what was asked, every option today with its
    affordability, and the effect on the schedule of the one proposed."""

    arrangement: Arrangement
    quote: dict[str, Any]  # arrangement_quote_for_reader of today's quote
    effect: ScheduleEffect | None
    asked_label: str
    proposed_label: str

    @property
    def proposed_value(self) -> str:
        return f"{self.arrangement.kind}:{self.arrangement.term}"


def review_arrangement(
    application: ReliefApplication, *, state: loan_selectors.LoanState
) -> ReviewArrangement | None:
    """What a reviewer reads of the arrangement asked for: today's options (relief at the
    decided or suggested amount waived first), affordability against the stated income, and
    what the proposed option does to the schedule."""
    arrangement = application.arrangement
    if arrangement is None:
        return None
    relief = ZERO
    if application.asks_relief:
        relief = application.decided_amount or rules.relief_amount(
            max(state.penalty_outstanding, ZERO), application.suggested_percent
        )
    case = arrangement_case(
        state.loan,
        state=state,
        reason=application.reason,
        relief=relief,
        monthly_income=application.monthly_income,
    )
    policy = selectors.policy_rules(application.policy)
    quote = rules.arrangement_quote(case, policy)
    option = quote.option(arrangement.kind, arrangement.term)
    return ReviewArrangement(
        arrangement=arrangement,
        quote=arrangement_quote_for_reader(
            arrangement_quote_document(quote, monthly_income=application.monthly_income)
        ),
        effect=None if option is None else schedule_effect(option, state=state),
        asked_label=presentation.arrangement_term_label(
            arrangement.asked_kind, arrangement.asked_term
        ),
        proposed_label=presentation.arrangement_term_label(arrangement.kind, arrangement.term),
    )


# --- the borrower's pages --------------------------------------------------------------------


@dataclass(frozen=True)
class LoanOptions:
    """The options page of a loan (`/loans/<id>/options/`): every arrangement the policy
    offers it today, labelled for the reader and grouped by kind, with the relief quote the
    figures were worked out with (`relief_applied`: its amount is waived first)."""

    state: loan_selectors.LoanState
    quote: dict[str, Any]  # arrangement_quote_for_reader
    plans: list[dict[str, Any]]
    deferrals: list[dict[str, Any]]
    relief: dict[str, Any] | None  # quote_for_reader of the relief quote, when asked for
    relief_applied: bool
    observation_months: int | None
    break_after_days: int | None
    decision_hours: int

    @property
    def any_affordable(self) -> bool:
        return any(option["affordable"] is not False for option in self.quote["options"])


def loan_options(
    loan: Loan,
    *,
    reason: str,
    monthly_income: Decimal | None = None,
    with_relief: bool = True,
    today: date | None = None,
) -> LoanOptions:
    """Every option the active policy offers `loan` today for `reason`, marked affordable or
    not against `monthly_income`, with the relief quote's amount waived first when
    `with_relief` and relief can be had. The description an application needs with reason
    "other" is asked for when applying, so it counts as given here."""
    found = loan_arrangement_quote(
        loan,
        reason=reason,
        monthly_income=monthly_income,
        with_relief=with_relief,
        today=today,
    )
    relief_applied = found.relief is not None and found.relief.eligible
    document = arrangement_quote_for_reader(
        arrangement_quote_document(found.quote, monthly_income=monthly_income)
    )
    # Approved at once only if the relief asked with it would be too.
    relief_at_once = not relief_applied or found.relief.auto_approvable
    for option in document["options"]:
        option["title"] = presentation.arrangement_term_label(
            option["kind"], option["periods"] or option["months"]
        )
        option["at_once"] = option["auto_approvable"] and relief_at_once
    policy = selectors.policy_rules(found.policy)
    terms = policy.arrangements
    return LoanOptions(
        state=found.state,
        quote=document,
        plans=[option for option in document["options"] if option["kind"] == rules.PLAN],
        deferrals=[option for option in document["options"] if option["kind"] == rules.DEFERRAL],
        relief=(
            None
            if found.relief is None
            else selectors.quote_for_reader(selectors.quote_document(found.relief))
        ),
        relief_applied=relief_applied,
        observation_months=terms.observation_months if terms else None,
        break_after_days=terms.plan.break_after_days if terms else None,
        decision_hours=policy.service_levels.decision_hours,
    )


@dataclass(frozen=True)
class LoanPage:
    """One of the borrower's loans as its page shows it: its state today, the application
    open on it, its active arrangement (schedule and progress, and the application that
    started it) and its restructured mark."""

    state: loan_selectors.LoanState
    open_application: ReliefApplication | None
    arrangement: ArrangementView | None
    arrangement_application_id: int | None
    restructured: loan_selectors.RestructuredMark | None


def loan_page_of_user(user, loan_id: int, *, today: date | None = None) -> LoanPage:
    """A loan of the signed-in borrower with what its page shows; `Loan.DoesNotExist` for a
    loan that is not theirs."""
    today = today or loan_selectors.local_today()
    card = selectors.loan_card_of_user(user, loan_id)
    loan = card.state.loan
    # The mark and the active arrangement both read the loan's started ones: one query.
    prefetch_related_objects(
        [loan],
        Prefetch(
            "arrangements",
            queryset=Arrangement.objects.filter(started_on__isnull=False).select_related(
                "application"
            ),
        ),
    )
    arrangements = list(loan.arrangements.all())
    active = next((a for a in arrangements if a.status == Arrangement.Status.ACTIVE), None)
    application = getattr(active, "application", None) if active is not None else None
    return LoanPage(
        state=card.state,
        open_application=card.open_application,
        arrangement=None if active is None else arrangement_view(active, today=today),
        arrangement_application_id=application.pk if application is not None else None,
        restructured=loan_selectors.restructured_mark(loan, today=today),
    )


def arrangement_option_document(arrangement: Arrangement) -> dict[str, Any]:
    """An arrangement's figures in the shape of a quote's option (`option_document`), for the
    words of `relief.presentation`: as quoted while proposed, as started once active."""
    last = arrangement.installment_amount
    if arrangement.kind == Arrangement.Kind.PLAN and arrangement.periods:
        last = arrangement.total - arrangement.installment_amount * (arrangement.periods - 1)
    return {
        "kind": arrangement.kind,
        "periods": arrangement.periods,
        "months": arrangement.months,
        "installment_amount": str(arrangement.installment_amount),
        "last_installment_amount": str(last),
        "total": str(arrangement.total),
        "extra_interest": str(arrangement.extra_interest),
        "first_due_date": (
            arrangement.first_due_date.isoformat() if arrangement.first_due_date else ""
        ),
        "last_due_date": arrangement.last_due_date.isoformat() if arrangement.last_due_date else "",
    }


@dataclass(frozen=True)
class ApplicationArrangement:
    """The arrangement part of the borrower's application page: what she asked for and what
    was approved (`changed` when a reviewer chose another option), its figures in words, and
    once started its schedule and progress (`view`)."""

    arrangement: Arrangement
    label: str
    asked_label: str
    changed: bool
    figures: str
    status_label: str
    view: ArrangementView | None

    @property
    def started(self) -> bool:
        return self.arrangement.started

    @property
    def next_line(self) -> ArrangementLine | None:
        """The oldest of its installments not paid off yet."""
        if self.view is None:
            return None
        return next((line for line in self.view.lines if line.status != "paid"), None)

    @property
    def next_amount(self) -> Decimal:
        """What is left to pay of the next installment."""
        line = self.next_line
        return ZERO if line is None else max(line.amount - line.paid, ZERO)


def application_arrangement_page(
    application: ReliefApplication, *, today: date | None = None
) -> ApplicationArrangement | None:
    """The application's arrangement as its borrower reads it, if it asks for one."""
    arrangement = application.arrangement
    if arrangement is None:
        return None
    return ApplicationArrangement(
        arrangement=arrangement,
        label=presentation.arrangement_term_label(arrangement.kind, arrangement.term),
        asked_label=presentation.arrangement_term_label(
            arrangement.asked_kind, arrangement.asked_term
        ),
        changed=(arrangement.kind, arrangement.term)
        != (arrangement.asked_kind, arrangement.asked_term),
        figures=presentation.arrangement_option_label(arrangement_option_document(arrangement)),
        status_label=presentation.arrangement_status_label(arrangement.status),
        view=arrangement_view(arrangement, today=today) if arrangement.started else None,
    )
