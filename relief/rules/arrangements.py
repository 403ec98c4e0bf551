"""Repayment arrangements (domain.md §9): the quote of every deferral and instalment plan a
policy offers for a loan, and the arithmetic behind it.

Pure Python over `Decimal` and `date`; no Django import. The quote returns codes and figures;
`relief.presentation` turns them into words.

Choices made where domain.md is silent (docs/arrangements.md has them all):

- Plan: the first installment falls on the loan's usual day of the month, the first such day
  at least one month after the start (never sooner: she needs a month to gather it); each
  later one a month after the one before, on the same usual day clamped to the month's end.
- Plan interest (`plan.annual_rate`, default 0) is charged on the declining balance at 30/360:
  `moved × rate × (N + 1) / 24`, rounded half up once, and is part of the plan's total.
- Deferral: each unpaid installment keeps its own day of the month (clamped). An option that
  would leave the oldest unpaid installment due on or before the start is not offered: it
  would still be overdue. Its installment amount is what she pays on the first new due date:
  that installment's unpaid principal and interest, the added interest and the penalty left
  after any relief (a repayment pays penalty first); its total is every moved installment's
  unpaid principal and interest, the added interest and that penalty.
- Affordability compares the largest monthly payment of an option (a plan's last
  installment, which takes the remainder, plus the loan's next regular installment; a
  deferral's first payment) with `max_share` of the stated income. Without an income it is
  not known (`affordable` None) and does not stop the option.
- Auto-approval and four eyes judge an option by its total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from relief.rules.policy import HARDSHIP_REASONS, Policy

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
_DECIMAL_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
_TWELVE = Decimal(12)
_TWENTY_FOUR = Decimal(24)

DEFERRAL = "deferral"
PLAN = "plan"
KINDS: tuple[str, ...] = (DEFERRAL, PLAN)

# Codes a quote may carry; interfaces translate them (relief.presentation).
ARRANGEMENT_NOT_ELIGIBLE_REASONS: tuple[str, ...] = (
    "not_offered",
    "written_off",
    "legal_proceedings",
    "fraud_flag",
    "open_application",
    "active_arrangement",
    "description_required",
    "plan_not_offered",
    "plan_not_overdue",
    "plan_too_little_overdue",
    "plan_broken_recently",
    "deferral_not_offered",
    "deferral_too_late",
    "deferral_recently",
    "nothing_to_defer",
    "deferral_too_short",
)
ARRANGEMENT_AUTO_APPROVAL_BLOCKERS: tuple[str, ...] = (
    "plan_periods_over_limit",
    "deferral_months_over_limit",
    "amount_over_limit",
    "recent_arrangement",
    "risk_flag",
    "not_affordable",
)


# --- dates and money ----------------------------------------------------------------------

# Days in each month of a common year (calendar.monthrange also works out the weekday, which
# costs more than the rest of a quote's dates together).
_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month]


def add_months(day: date, months: int, day_of_month: int | None = None) -> date:
    """`months` calendar months after `day` (before, if negative), on `day_of_month` (else
    the same day), clamped to the month's last day: 31 Jan + 1 month = 28 or 29 Feb."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    wanted = day.day if day_of_month is None else day_of_month
    if wanted > 28:  # every month has the 28th: only later days may need clamping
        wanted = min(wanted, days_in_month(year, month))
    return date(year, month, wanted)


def plan_first_due(start: date, day_of_month: int) -> date:
    """The first of the loan's usual days of the month at least one month after `start`."""
    month_later = add_months(start, 1)
    first = add_months(month_later, 0, day_of_month)
    if first < month_later:
        first = add_months(month_later, 1, day_of_month)
    return first


def plan_due_dates(start: date, day_of_month: int, periods: int) -> tuple[date, ...]:
    """The due dates of a plan of `periods` installments started on `start`."""
    first = plan_first_due(start, day_of_month)
    return tuple(add_months(first, n, day_of_month) for n in range(periods))


def plan_split(total: Decimal, periods: int) -> tuple[Decimal, ...]:
    """`total` in `periods` installments: each `total ÷ periods` rounded down to the fen, the
    last one the remainder, so that they add up to `total` exactly (domain.md §9)."""
    if type(periods) is not int or periods < 1:
        raise ValueError(f"periods must be a whole number, 1 or more, got {periods!r}")
    each = (total / periods).quantize(CENT, rounding=ROUND_DOWN)
    return (each,) * (periods - 1) + (total - each * (periods - 1),)


def plan_interest(moved: Decimal, annual_rate: Decimal, periods: int) -> Decimal:
    """Interest on a plan's declining balance at 30/360: `moved × rate × (N + 1) / 24`,
    rounded half up (0.00 at the default rate of 0)."""
    return (moved * annual_rate * (periods + 1) / _TWENTY_FOUR).quantize(
        CENT, rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True, slots=True)
class DeferralInterest:
    """The interest a deferral adds: `charged` of `full`, `waived` by the policy's discount."""

    full: Decimal
    waived: Decimal
    charged: Decimal


def deferral_interest(
    unpaid_principal: Decimal, annual_rate: Decimal, months: int, discount_percent: int = 0
) -> DeferralInterest:
    """Interest for `months` added months at the contract rate on the unpaid principal:
    `round_half_up(principal × rate × 30 × months / 360)`, less `discount_percent` of it
    (rounded half up). 1,700.00 at 18% for 1 month: 25.50."""
    full = (unpaid_principal * annual_rate * months / _TWELVE).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    waived = (full * discount_percent / _HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
    return DeferralInterest(full=full, waived=waived, charged=full - waived)


def deferral_dates(due_dates: tuple[date, ...], months: int) -> tuple[date, ...]:
    """Each due date `months` months later, its day of the month kept (clamped)."""
    return tuple(add_months(due, months) for due in due_dates)


# --- the case and the quote ---------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ArrangementCase:
    """What the rules know of a loan for an arrangement starting on `start` (domain.md §9).

    `overdue_principal` and `overdue_interest`: unpaid on installments past due;
    `penalty_outstanding` before `relief` (the relief granted with the arrangement, waived
    before it starts); `unpaid_principal`: of every unpaid installment (the deferral's
    interest base); `unpaid_due_dates`: of the unpaid installments, oldest first, with
    `first_unpaid_amount` the unpaid principal and interest of the oldest and `unpaid_amount`
    of them all; `regular_installment`: the loan's next installment not yet due (0.00 when
    none is left); `day_of_month`: the loan's usual due day. `last_deferral_on`: the start of
    the loan's last deferral; `plan_broken_on`: when a plan on the loan last broke;
    `arrangements_12m`: arrangements the borrower started in the last 12 months.
    """

    start: date
    days_overdue: int
    overdue_principal: Decimal
    overdue_interest: Decimal
    penalty_outstanding: Decimal
    unpaid_principal: Decimal
    unpaid_amount: Decimal
    first_unpaid_amount: Decimal
    unpaid_due_dates: tuple[date, ...]
    regular_installment: Decimal
    annual_rate: Decimal
    day_of_month: int
    reason: str
    relief: Decimal = ZERO
    monthly_income: Decimal | None = None
    description_given: bool = True
    written_off: bool = False
    legal_proceedings: bool = False
    fraud_flag: bool = False
    has_open_application: bool = False
    has_active_arrangement: bool = False
    last_deferral_on: date | None = None
    plan_broken_on: date | None = None
    arrangements_12m: int = 0
    risk_flag: bool = False

    def __post_init__(self) -> None:
        for name in ("days_overdue", "arrangements_12m"):
            value = getattr(self, name)
            if type(value) is not int or value < 0:
                raise ValueError(f"{name} must be a whole number, 0 or more, got {value!r}")
        if type(self.day_of_month) is not int or not 1 <= self.day_of_month <= 31:
            raise ValueError(f"day_of_month must be from 1 to 31, got {self.day_of_month!r}")
        for name in (
            "overdue_principal",
            "overdue_interest",
            "penalty_outstanding",
            "unpaid_principal",
            "unpaid_amount",
            "first_unpaid_amount",
            "regular_installment",
            "annual_rate",
            "relief",
        ):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
                raise ValueError(f"{name} must be a Decimal, 0 or more, got {value!r}")
        income = self.monthly_income
        if income is not None and (
            not isinstance(income, Decimal) or not income.is_finite() or income < 0
        ):
            raise ValueError(f"monthly_income must be a Decimal, 0 or more, got {income!r}")
        if list(self.unpaid_due_dates) != sorted(self.unpaid_due_dates):
            raise ValueError("unpaid_due_dates must be oldest first")
        if self.reason not in HARDSHIP_REASONS:
            raise ValueError(f"reason must be one of {', '.join(HARDSHIP_REASONS)}")

    @property
    def overdue(self) -> Decimal:
        """Unpaid principal and interest past due."""
        return self.overdue_principal + self.overdue_interest

    @property
    def penalty_after_relief(self) -> Decimal:
        return max(self.penalty_outstanding - self.relief, ZERO)


# Not frozen, unlike the rest of the rules' answers: nine of these are built per loan, and a
# frozen dataclass sets each of its 16 fields through object.__setattr__, a third of a bulk
# quote's time. Nothing changes an option after the rules return it.
@dataclass(slots=True, kw_only=True)
class ArrangementOption:
    """One option of the quote: a plan of `periods` installments or a deferral of `months`.

    `moved`: what the arrangement reschedules, `extra_interest` what it adds (a deferral's
    after its discount `interest_waived`); `total` = moved + extra interest. `installment_amount`
    is the first payment (a plan's last one, `last_installment_amount`, takes the remainder).
    `monthly_payment` is the most she pays in a month under it, compared with
    `affordable_limit` (`max_share` of the income; None without an income)."""

    kind: str
    periods: int | None
    months: int | None
    installment_amount: Decimal
    last_installment_amount: Decimal
    moved: Decimal
    extra_interest: Decimal
    interest_waived: Decimal
    total: Decimal
    first_due_date: date
    last_due_date: date
    monthly_payment: Decimal
    affordable_limit: Decimal | None
    affordable: bool | None
    auto_approval_blockers: tuple[str, ...]
    needs_second_approval: bool

    @property
    def term(self) -> int | None:
        """Periods of a plan, months of a deferral."""
        return self.periods if self.kind == PLAN else self.months

    @property
    def auto_approvable(self) -> bool:
        return not self.auto_approval_blockers


@dataclass(frozen=True, slots=True, kw_only=True)
class ArrangementQuote:
    """Every option a policy offers for a case; `not_eligible_reasons` says why the others
    (or all) are not: a quote with options may still say why a kind is not offered."""

    eligible: bool
    options: tuple[ArrangementOption, ...]
    not_eligible_reasons: tuple[str, ...]
    relief: Decimal
    policy_version: int

    def option(self, kind: str, term: int) -> ArrangementOption | None:
        """The option of `kind` with `term` periods (plan) or months (deferral), if offered."""
        for candidate in self.options:
            if candidate.kind == kind and candidate.term == term:
                return candidate
        return None


def arrangement_quote(
    case: ArrangementCase, policy: Policy, *, kinds: tuple[str, ...] = KINDS
) -> ArrangementQuote:
    """Every option of `kinds` that `policy` offers for `case`, with its figures, whether it
    is affordable, and whether it may be approved without a person; and the reasons, in codes,
    why the rest is not offered. Eligible means at least one option."""
    terms = policy.arrangements
    reasons: list[str] = []
    if terms is None:
        reasons.append("not_offered")
    if case.written_off:
        reasons.append("written_off")
    if case.legal_proceedings:
        reasons.append("legal_proceedings")
    if case.fraud_flag:
        reasons.append("fraud_flag")
    if case.has_open_application:
        reasons.append("open_application")
    if case.has_active_arrangement:
        reasons.append("active_arrangement")
    if case.reason == "other" and not case.description_given:
        reasons.append("description_required")
    if reasons or terms is None:
        return ArrangementQuote(
            eligible=False,
            options=(),
            not_eligible_reasons=tuple(reasons),
            relief=case.relief,
            policy_version=policy.version,
        )

    income = case.monthly_income
    limit = (
        None if income is None else (income * terms.max_share).quantize(CENT, rounding=ROUND_DOWN)
    )
    penalty = case.penalty_after_relief
    options: list[ArrangementOption] = []

    if DEFERRAL in kinds:
        eligibility = terms.eligibility
        kind_reasons = []
        if not terms.deferral.months:
            kind_reasons.append("deferral_not_offered")
        if case.days_overdue > eligibility.deferral_max_dpd:
            kind_reasons.append("deferral_too_late")
        last = case.last_deferral_on
        if last is not None and case.start < add_months(last, eligibility.months_between_deferrals):
            kind_reasons.append("deferral_recently")
        if not case.unpaid_due_dates:
            kind_reasons.append("nothing_to_defer")
        if kind_reasons:
            reasons.extend(kind_reasons)
        else:
            deferrals = [
                _deferral_option(case, policy, months, penalty, limit)
                for months in terms.deferral.months
            ]
            offered = [option for option in deferrals if option is not None]
            if not offered:
                reasons.append("deferral_too_short")
            options.extend(offered)

    if PLAN in kinds:
        eligibility = terms.eligibility
        kind_reasons = []
        if not terms.plan.periods:
            kind_reasons.append("plan_not_offered")
        if case.days_overdue < eligibility.plan_min_dpd:
            kind_reasons.append("plan_not_overdue")
        if case.overdue < eligibility.plan_min_overdue:
            kind_reasons.append("plan_too_little_overdue")
        broken = case.plan_broken_on
        if broken is not None and case.start < add_months(
            broken, eligibility.months_after_broken_plan
        ):
            kind_reasons.append("plan_broken_recently")
        if kind_reasons:
            reasons.extend(kind_reasons)
        else:
            moved = case.overdue + penalty
            first_due = plan_first_due(case.start, case.day_of_month)
            for periods in terms.plan.periods:
                option = _plan_option(case, policy, periods, moved, first_due, limit)
                if option is not None:
                    options.append(option)

    return ArrangementQuote(
        eligible=bool(options),
        options=tuple(options),
        not_eligible_reasons=tuple(reasons),
        relief=case.relief,
        policy_version=policy.version,
    )


def _plan_option(
    case: ArrangementCase,
    policy: Policy,
    periods: int,
    moved: Decimal,
    first_due: date,
    limit: Decimal | None,
) -> ArrangementOption | None:
    terms = policy.arrangements
    assert terms is not None
    rate = terms.plan.annual_rate
    extra = plan_interest(moved, rate, periods) if rate else ZERO
    total = moved + extra
    each = (total / periods).quantize(CENT, rounding=ROUND_DOWN)
    if each <= 0:
        # Less than a fen an installment: no plan of this length.
        return None
    last = total - each * (periods - 1)
    monthly = last + case.regular_installment
    affordable = None if limit is None else monthly <= limit
    return ArrangementOption(
        kind=PLAN,
        periods=periods,
        months=None,
        installment_amount=each,
        last_installment_amount=last,
        moved=moved,
        extra_interest=extra,
        interest_waived=ZERO,
        total=total,
        first_due_date=first_due,
        last_due_date=add_months(first_due, periods - 1, case.day_of_month),
        monthly_payment=monthly,
        affordable_limit=limit,
        affordable=affordable,
        auto_approval_blockers=_blockers(case, policy, PLAN, periods, total, affordable),
        needs_second_approval=arrangement_needs_second_approval(
            policy, kind=PLAN, term=periods, total=total
        ),
    )


def _deferral_option(
    case: ArrangementCase, policy: Policy, months: int, penalty: Decimal, limit: Decimal | None
) -> ArrangementOption | None:
    terms = policy.arrangements
    assert terms is not None
    first_due = add_months(case.unpaid_due_dates[0], months)
    if first_due <= case.start:
        # Still overdue after the move: this deferral would not help.
        return None
    interest = deferral_interest(
        case.unpaid_principal, case.annual_rate, months, terms.deferral.interest_discount_percent
    )
    extra = interest.charged
    first_payment = case.first_unpaid_amount + extra + penalty
    total = case.unpaid_amount + extra + penalty
    affordable = None if limit is None else first_payment <= limit
    return ArrangementOption(
        kind=DEFERRAL,
        periods=None,
        months=months,
        installment_amount=first_payment,
        last_installment_amount=first_payment,
        moved=case.unpaid_amount,
        extra_interest=extra,
        interest_waived=interest.waived,
        total=total,
        first_due_date=first_due,
        last_due_date=add_months(case.unpaid_due_dates[-1], months),
        monthly_payment=first_payment,
        affordable_limit=limit,
        affordable=affordable,
        auto_approval_blockers=_blockers(case, policy, DEFERRAL, months, total, affordable),
        needs_second_approval=arrangement_needs_second_approval(
            policy, kind=DEFERRAL, term=months, total=total
        ),
    )


def _blockers(
    case: ArrangementCase,
    policy: Policy,
    kind: str,
    term: int,
    total: Decimal,
    affordable: bool | None,
) -> tuple[str, ...]:
    terms = policy.arrangements
    assert terms is not None
    auto = terms.auto_approval
    blockers = []
    if kind == PLAN and term > auto.max_plan_periods:
        blockers.append("plan_periods_over_limit")
    if kind == DEFERRAL and term > auto.max_deferral_months:
        blockers.append("deferral_months_over_limit")
    if total > auto.max_amount:
        blockers.append("amount_over_limit")
    if case.arrangements_12m > auto.max_arrangements_12m:
        blockers.append("recent_arrangement")
    if case.risk_flag:
        blockers.append("risk_flag")
    if affordable is False:
        blockers.append("not_affordable")
    return tuple(blockers)


def arrangement_needs_second_approval(
    policy: Policy, *, kind: str, term: int, total: Decimal
) -> bool:
    """Four eyes (domain.md §9): the total exceeds the limit, or a plan is longer than the
    limit's periods. False under a policy that offers no arrangements."""
    terms = policy.arrangements
    if terms is None:
        return False
    four_eyes = terms.four_eyes
    return total > four_eyes.amount_over or (kind == PLAN and term > four_eyes.plan_periods_over)
