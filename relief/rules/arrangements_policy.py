"""The `arrangements` section of a policy document: deferral and instalment plans (domain.md §9).

Optional in a document: a policy without it offers no arrangements (version 1 was written
before they existed and stays as it was for the cases scored under it). When present it is
checked field by field like the rest of the document, every problem named by its path
("arrangements.plan.periods[2]", "arrangements.affordability.max_share"). Pure Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from relief.rules.reader import DECIMAL_ZERO, Reader, describe

SECTION = "arrangements"
_SECTION_KEYS = (
    "deferral",
    "plan",
    "affordability",
    "eligibility",
    "auto_approval",
    "four_eyes",
    "observation_months",
)
_DEFERRAL_KEYS = ("months", "interest_discount_percent")
_PLAN_KEYS = ("periods", "annual_rate", "break_after_days")
_AFFORDABILITY_KEYS = ("max_share",)
_ELIGIBILITY_KEYS = (
    "plan_min_overdue",
    "plan_min_dpd",
    "deferral_max_dpd",
    "months_between_deferrals",
    "months_after_broken_plan",
)
_AUTO_APPROVAL_KEYS = (
    "max_plan_periods",
    "max_deferral_months",
    "max_amount",
    "max_arrangements_12m",
)
_FOUR_EYES_KEYS = ("amount_over", "plan_periods_over")

# domain.md §9: a plan has at most 60 periods; a deferral of more than a year is no longer a
# deferral but a new loan.
MAX_PLAN_PERIODS = 60
MAX_DEFERRAL_MONTHS = 12
MAX_BREAK_AFTER_DAYS = 365
MAX_MONTHS = 120


@dataclass(frozen=True, slots=True)
class DeferralTerms:
    """Each `months` is an option; `interest_discount_percent` of the added interest is waived."""

    months: tuple[int, ...]
    interest_discount_percent: int


@dataclass(frozen=True, slots=True)
class PlanTerms:
    """Each `periods` is an option; `annual_rate` is charged on the plan's declining balance
    (0: no interest); a plan installment unpaid `break_after_days` after its due date breaks
    the plan."""

    periods: tuple[int, ...]
    annual_rate: Decimal
    break_after_days: int


@dataclass(frozen=True, slots=True)
class ArrangementEligibility:
    plan_min_overdue: Decimal
    plan_min_dpd: int
    deferral_max_dpd: int
    months_between_deferrals: int
    months_after_broken_plan: int


@dataclass(frozen=True, slots=True)
class ArrangementAutoApproval:
    """Within these an eligible arrangement is approved without a person: a plan of at most
    `max_plan_periods` or a deferral of at most `max_deferral_months`, a total of at most
    `max_amount`, and at most `max_arrangements_12m` arrangements started in 12 months."""

    max_plan_periods: int
    max_deferral_months: int
    max_amount: Decimal
    max_arrangements_12m: int


@dataclass(frozen=True, slots=True)
class ArrangementFourEyes:
    """An arrangement whose total exceeds `amount_over`, or a plan of more than
    `plan_periods_over` periods, needs a second approval by a senior reviewer."""

    amount_over: Decimal
    plan_periods_over: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ArrangementPolicy:
    """The arrangements a policy version offers, and how they are decided (domain.md §9)."""

    deferral: DeferralTerms
    plan: PlanTerms
    max_share: Decimal
    eligibility: ArrangementEligibility
    auto_approval: ArrangementAutoApproval
    four_eyes: ArrangementFourEyes
    observation_months: int


def read_arrangements(reader: Reader, value: Any) -> ArrangementPolicy | None:
    """The section checked whole; None when anything in it is wrong (the reader has why)."""
    section = reader.section(value, SECTION, _SECTION_KEYS)
    if section is None:
        return None
    parts = {
        "deferral": _read_deferral(reader, section.get("deferral")),
        "plan": _read_plan(reader, section.get("plan")),
        "max_share": _read_affordability(reader, section.get("affordability")),
        "eligibility": _read_eligibility(reader, section.get("eligibility")),
        "auto_approval": _read_auto_approval(reader, section.get("auto_approval")),
        "four_eyes": _read_four_eyes(reader, section.get("four_eyes")),
        "observation_months": reader.integer(
            section.get("observation_months"),
            f"{SECTION}.observation_months",
            low=1,
            high=MAX_MONTHS,
        ),
    }
    deferral, plan = parts["deferral"], parts["plan"]
    if deferral is not None and plan is not None and not deferral.months and not plan.periods:
        reader.fail(
            SECTION,
            "offers no option: give deferral.months or plan.periods, or leave the section out "
            "to offer no arrangements",
        )
    auto, four_eyes = parts["auto_approval"], parts["four_eyes"]
    if auto is not None and four_eyes is not None:
        # An automatic approval must never be one that needs two people.
        if auto.max_amount > four_eyes.amount_over:
            reader.fail(
                f"{SECTION}.auto_approval.max_amount",
                f"must be at most four_eyes.amount_over ({four_eyes.amount_over}): an "
                f"automatic approval must never need a second approval, got {auto.max_amount}",
            )
        if auto.max_plan_periods > four_eyes.plan_periods_over:
            reader.fail(
                f"{SECTION}.auto_approval.max_plan_periods",
                f"must be at most four_eyes.plan_periods_over ({four_eyes.plan_periods_over}): "
                f"an automatic approval must never need a second approval, "
                f"got {auto.max_plan_periods}",
            )
    if any(part is None for part in parts.values()):
        return None
    return ArrangementPolicy(**parts)


def _read_options(reader: Reader, value: Any, path: str, *, low: int, high: int) -> tuple | None:
    """A list of distinct whole numbers from `low` to `high`, in ascending order (may be
    empty: that kind is not offered)."""
    if not isinstance(value, list):
        reader.fail(path, f"must be a list of whole numbers, got {describe(value)}")
        return None
    numbers: list[int] = []
    for index, raw in enumerate(value):
        number = reader.integer(raw, f"{path}[{index}]", low=low, high=high)
        if number is None:
            return None
        if numbers and number <= numbers[-1]:
            reader.fail(
                f"{path}[{index}]",
                f"must be more than the one before it ({numbers[-1]}): list each once, "
                f"smallest first",
            )
            return None
        numbers.append(number)
    return tuple(numbers)


def _read_deferral(reader: Reader, value: Any) -> DeferralTerms | None:
    path = f"{SECTION}.deferral"
    section = reader.section(value, path, _DEFERRAL_KEYS)
    if section is None:
        return None
    months = _read_options(
        reader, section.get("months"), f"{path}.months", low=1, high=MAX_DEFERRAL_MONTHS
    )
    discount = reader.integer(
        section.get("interest_discount_percent"),
        f"{path}.interest_discount_percent",
        low=0,
        high=100,
    )
    if months is None or discount is None:
        return None
    return DeferralTerms(months=months, interest_discount_percent=discount)


def _read_plan(reader: Reader, value: Any) -> PlanTerms | None:
    path = f"{SECTION}.plan"
    section = reader.section(value, path, _PLAN_KEYS)
    if section is None:
        return None
    periods = _read_options(
        reader, section.get("periods"), f"{path}.periods", low=2, high=MAX_PLAN_PERIODS
    )
    rate = reader.decimal(
        section.get("annual_rate"),
        f"{path}.annual_rate",
        low=DECIMAL_ZERO,
        high=Decimal(1),
        max_places=6,
    )
    break_after = reader.integer(
        section.get("break_after_days"),
        f"{path}.break_after_days",
        low=1,
        high=MAX_BREAK_AFTER_DAYS,
    )
    if periods is None or rate is None or break_after is None:
        return None
    return PlanTerms(periods=periods, annual_rate=rate, break_after_days=break_after)


def _read_affordability(reader: Reader, value: Any) -> Decimal | None:
    path = f"{SECTION}.affordability"
    section = reader.section(value, path, _AFFORDABILITY_KEYS)
    if section is None:
        return None
    # More than 0: a share of 0 would make every option unaffordable.
    return reader.decimal(
        section.get("max_share"),
        f"{path}.max_share",
        low=Decimal("0.01"),
        high=Decimal(1),
        max_places=4,
    )


def _read_eligibility(reader: Reader, value: Any) -> ArrangementEligibility | None:
    path = f"{SECTION}.eligibility"
    section = reader.section(value, path, _ELIGIBILITY_KEYS)
    if section is None:
        return None
    values = (
        reader.money(section.get("plan_min_overdue"), f"{path}.plan_min_overdue"),
        # At least 1: a plan moves what is overdue, and a loan 0 days past due has nothing.
        reader.integer(section.get("plan_min_dpd"), f"{path}.plan_min_dpd", low=1),
        reader.integer(section.get("deferral_max_dpd"), f"{path}.deferral_max_dpd", low=0),
        reader.integer(
            section.get("months_between_deferrals"),
            f"{path}.months_between_deferrals",
            low=0,
            high=MAX_MONTHS,
        ),
        reader.integer(
            section.get("months_after_broken_plan"),
            f"{path}.months_after_broken_plan",
            low=0,
            high=MAX_MONTHS,
        ),
    )
    return None if None in values else ArrangementEligibility(*values)


def _read_auto_approval(reader: Reader, value: Any) -> ArrangementAutoApproval | None:
    path = f"{SECTION}.auto_approval"
    section = reader.section(value, path, _AUTO_APPROVAL_KEYS)
    if section is None:
        return None
    values = (
        reader.integer(
            section.get("max_plan_periods"),
            f"{path}.max_plan_periods",
            low=0,
            high=MAX_PLAN_PERIODS,
        ),
        reader.integer(
            section.get("max_deferral_months"),
            f"{path}.max_deferral_months",
            low=0,
            high=MAX_DEFERRAL_MONTHS,
        ),
        reader.money(section.get("max_amount"), f"{path}.max_amount"),
        reader.integer(section.get("max_arrangements_12m"), f"{path}.max_arrangements_12m", low=0),
    )
    return None if None in values else ArrangementAutoApproval(*values)


def _read_four_eyes(reader: Reader, value: Any) -> ArrangementFourEyes | None:
    path = f"{SECTION}.four_eyes"
    section = reader.section(value, path, _FOUR_EYES_KEYS)
    if section is None:
        return None
    values = (
        reader.money(section.get("amount_over"), f"{path}.amount_over"),
        reader.integer(
            section.get("plan_periods_over"),
            f"{path}.plan_periods_over",
            low=0,
            high=MAX_PLAN_PERIODS,
        ),
    )
    return None if None in values else ArrangementFourEyes(*values)


def arrangements_to_document(arrangements: ArrangementPolicy) -> dict[str, Any]:
    """The section's JSON; `read_arrangements` of it gives the same section back."""
    return {
        "deferral": {
            "months": list(arrangements.deferral.months),
            "interest_discount_percent": arrangements.deferral.interest_discount_percent,
        },
        "plan": {
            "periods": list(arrangements.plan.periods),
            "annual_rate": str(arrangements.plan.annual_rate),
            "break_after_days": arrangements.plan.break_after_days,
        },
        "affordability": {"max_share": str(arrangements.max_share)},
        "eligibility": {
            "plan_min_overdue": str(arrangements.eligibility.plan_min_overdue),
            "plan_min_dpd": arrangements.eligibility.plan_min_dpd,
            "deferral_max_dpd": arrangements.eligibility.deferral_max_dpd,
            "months_between_deferrals": arrangements.eligibility.months_between_deferrals,
            "months_after_broken_plan": arrangements.eligibility.months_after_broken_plan,
        },
        "auto_approval": {
            "max_plan_periods": arrangements.auto_approval.max_plan_periods,
            "max_deferral_months": arrangements.auto_approval.max_deferral_months,
            "max_amount": str(arrangements.auto_approval.max_amount),
            "max_arrangements_12m": arrangements.auto_approval.max_arrangements_12m,
        },
        "four_eyes": {
            "amount_over": str(arrangements.four_eyes.amount_over),
            "plan_periods_over": arrangements.four_eyes.plan_periods_over,
        },
        "observation_months": arrangements.observation_months,
    }
