"""The quote: how much of the penalty outstanding may be waived under a policy, and why.

Pure Python over `Decimal` and small frozen dataclasses; no Django import, so the rules can
be tested and benchmarked without a database (domain.md §6, house style "pure modules").

Choices made where domain.md is silent (also written in the docstrings below):

- A case that is not eligible still gets its factors computed, so a reviewer can read what
  the score would have been; its `percent` is 0, its `amount` 0.00, it has no hints, and
  its only auto-approval blocker is "not_eligible".
- Factors "base", "history" and "hardship" are always present (0 points included); "prior_reliefs"
  only when there is at least one prior relief; "evidence" only when evidence is verified;
  "cap" or "floor" only when clamping changed the result. The points of all factors sum to
  the percent exactly (the clamp factor carries the difference).
- Days overdue 0 falls in no band: base 0 points, band None.
- An eligible case whose relief amount is 0.00 is not auto-approved ("zero_amount"): an
  automatic offer of nothing helps nobody, a reviewer may still grant something.
- A case with evidence attached but not yet verified is not auto-approved when verifying it
  would raise the percent ("evidence_to_verify"): an instant offer would ignore what the
  quote promised for it; a reviewer looks at the evidence first.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from relief.rules.policy import HARDSHIP_REASONS, Policy

CENT = Decimal("0.01")
ZERO_AMOUNT = Decimal("0.00")

# Codes a quote may carry; interfaces translate them.
NOT_ELIGIBLE_REASONS: tuple[str, ...] = (
    "no_penalty",
    "open_application",
    "too_many_prior_reliefs",
    "written_off",
    "legal_proceedings",
    "fraud_flag",
)
AUTO_APPROVAL_BLOCKERS: tuple[str, ...] = (
    "not_eligible",
    "amount_over_limit",
    "prior_relief",
    "risk_flag",
    "dpd_and_percent",
    "zero_amount",
    "evidence_to_verify",
)

# percent -> percent / 100 as an exact Decimal, so an amount costs one multiplication.
_PERCENT_FRACTIONS: tuple[Decimal, ...] = tuple(Decimal(p).scaleb(-2) for p in range(101))
_DECIMAL_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """What the rules know of one loan and one application (domain.md §4–§6).

    `max_past_dpd` and `months_on_book` are not scored by policy version 1; they are carried
    so that a later policy version can use them without changing every caller.
    `risk_flag` is any risk marker other than written off, legal proceedings and fraud
    (those three make the case ineligible); it only stops auto-approval.
    `evidence_to_verify`: the application has evidence attached that no reviewer has
    verified yet; it stops auto-approval when verifying it would raise the percent.
    """

    days_overdue: int
    penalty_outstanding: Decimal
    on_time_ratio: Decimal
    reason: str
    max_past_dpd: int = 0
    months_on_book: int = 0
    prior_reliefs_12m: int = 0
    evidence_verified: bool = False
    written_off: bool = False
    legal_proceedings: bool = False
    fraud_flag: bool = False
    has_open_application: bool = False
    risk_flag: bool = False
    evidence_to_verify: bool = False

    def __post_init__(self) -> None:
        # Checked once here so that `quote`, which runs in bulk simulations, need not.
        for name in ("days_overdue", "max_past_dpd", "months_on_book", "prior_reliefs_12m"):
            value = getattr(self, name)
            if type(value) is not int or value < 0:
                raise ValueError(f"{name} must be a whole number, 0 or more, got {value!r}")
        if not isinstance(self.penalty_outstanding, Decimal) or not (
            self.penalty_outstanding.is_finite()
        ):
            raise ValueError(
                f"penalty_outstanding must be a finite Decimal, got {self.penalty_outstanding!r}"
            )
        ratio = self.on_time_ratio
        if not isinstance(ratio, Decimal) or not ratio.is_finite() or not 0 <= ratio <= 1:
            raise ValueError(f"on_time_ratio must be a Decimal from 0 to 1, got {ratio!r}")
        if self.reason not in HARDSHIP_REASONS:
            raise ValueError(f"reason must be one of {', '.join(HARDSHIP_REASONS)}")


# --- the quote ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Factor:
    """One reason in the score: `points` it adds, `params` the values that produced it."""

    code: str
    points: int
    params: dict[str, Any] = field(hash=False)


@dataclass(frozen=True, slots=True)
class Hint:
    """Something that would raise the percent, by `points` (after the cap)."""

    code: str
    points: int
    params: dict[str, Any] = field(hash=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    """The rules' suggestion for one case under one policy version."""

    eligible: bool
    percent: int
    amount: Decimal
    penalty_outstanding: Decimal
    factors: tuple[Factor, ...]
    hints: tuple[Hint, ...]
    not_eligible_reasons: tuple[str, ...]
    auto_approvable: bool
    auto_approval_blockers: tuple[str, ...]
    policy_version: int


def quote(case: Case, policy: Policy) -> Quote:
    """Score `case` under `policy`: the suggested percent, the amount, and the reasons.

    The percent is the sum of the factors' points clamped to 0..cap, where the cap is
    `cap_with_evidence` when evidence is verified and `cap_without_evidence` otherwise.
    The amount is penalty × percent / 100, rounded half up to the fen, never above the
    penalty. A case that is not eligible gets percent 0, amount 0.00 and no hints, but its
    factors are still computed so a reviewer can see what the score would have been.
    """
    # Runs in bulk (simulating a draft policy over past cases): plain locals, integer points,
    # one Decimal multiplication. Keep it that way.
    days = case.days_overdue
    band_index = bisect_right(policy._band_starts, days) - 1
    if band_index >= 0:
        band = policy.dpd_bands[band_index]
        base_points = band.points
        band_code = band.code
    else:
        # Nothing overdue: no band applies (and the case normally has no penalty either).
        base_points = 0
        band_code = None

    ratio = case.on_time_ratio
    # Tiers run from the highest ratio down and the last starts at 0, so one always matches.
    for tier in policy._tiers:
        if ratio >= tier[0]:
            break
    _, history_points, tier_text = tier

    reason = case.reason
    hardship_points = policy.hardship_points[reason]
    prior = case.prior_reliefs_12m
    verified = case.evidence_verified

    factors = [
        Factor("base", base_points, {"days_overdue": days, "band": band_code}),
        Factor(
            "history",
            history_points,
            {"on_time_ratio": str(ratio), "min_on_time_ratio": tier_text},
        ),
    ]
    total = base_points + history_points + hardship_points
    if prior:
        prior_points = prior * policy.prior_relief_points
        total += prior_points
        factors.append(Factor("prior_reliefs", prior_points, {"count": prior}))
    factors.append(Factor("hardship", hardship_points, {"reason": reason}))
    if verified:
        total += policy.evidence_points
        factors.append(Factor("evidence", policy.evidence_points, {}))
        cap = policy.cap_with_evidence
    else:
        cap = policy.cap_without_evidence

    if total > cap:
        percent = cap
        factors.append(Factor("cap", cap - total, {"cap": cap, "uncapped": total}))
    elif total < 0:
        percent = 0
        factors.append(Factor("floor", -total, {"floor": 0, "uncapped": total}))
    else:
        percent = total

    penalty = case.penalty_outstanding
    not_eligible_reasons: list[str] = []
    if penalty <= _DECIMAL_ZERO:
        not_eligible_reasons.append("no_penalty")
    if case.has_open_application:
        not_eligible_reasons.append("open_application")
    if prior > policy.eligibility.max_prior_reliefs_12m:
        not_eligible_reasons.append("too_many_prior_reliefs")
    if case.written_off:
        not_eligible_reasons.append("written_off")
    if case.legal_proceedings:
        not_eligible_reasons.append("legal_proceedings")
    if case.fraud_flag:
        not_eligible_reasons.append("fraud_flag")

    if not_eligible_reasons:
        return Quote(
            eligible=False,
            percent=0,
            amount=ZERO_AMOUNT,
            penalty_outstanding=penalty,
            factors=tuple(factors),
            hints=(),
            not_eligible_reasons=tuple(not_eligible_reasons),
            auto_approvable=False,
            auto_approval_blockers=("not_eligible",),
            policy_version=policy.version,
        )

    amount = _amount(penalty, percent)

    hints: tuple[Hint, ...] = ()
    if not verified:
        # Evidence adds points and lifts the cap; hint only the rise the borrower would see.
        with_evidence = min(max(total + policy.evidence_points, 0), policy.cap_with_evidence)
        if with_evidence > percent:
            hints = (
                Hint(
                    "verified_evidence",
                    with_evidence - percent,
                    {"evidence_points": policy.evidence_points, "cap": policy.cap_with_evidence},
                ),
            )

    auto = policy.auto_approval
    blockers: list[str] = []
    if amount > auto.max_amount:
        blockers.append("amount_over_limit")
    if prior > auto.max_prior_reliefs_12m:
        blockers.append("prior_relief")
    if case.risk_flag:
        blockers.append("risk_flag")
    if days > auto.max_dpd_any_percent and percent > auto.max_percent_otherwise:
        blockers.append("dpd_and_percent")
    if not amount:
        blockers.append("zero_amount")
    if case.evidence_to_verify and hints:
        # `hints` holds only the rise verified evidence would bring, and only when it would.
        blockers.append("evidence_to_verify")

    return Quote(
        eligible=True,
        percent=percent,
        amount=amount,
        penalty_outstanding=penalty,
        factors=tuple(factors),
        hints=hints,
        not_eligible_reasons=(),
        auto_approvable=not blockers,
        auto_approval_blockers=tuple(blockers),
        policy_version=policy.version,
    )


def relief_amount(penalty: Decimal, percent: int) -> Decimal:
    """Penalty × percent / 100, rounded half up to the fen, never above the penalty.

    0.00 when the penalty is zero or negative. `percent` is a whole number from 0 to 100.
    """
    if type(percent) is not int or not 0 <= percent <= 100:
        raise ValueError(f"percent must be a whole number from 0 to 100, got {percent!r}")
    if not isinstance(penalty, Decimal):
        raise TypeError(f"penalty must be a Decimal, got {penalty!r}")
    if penalty <= _DECIMAL_ZERO:
        return ZERO_AMOUNT
    return _amount(penalty, percent)


def _amount(penalty: Decimal, percent: int) -> Decimal:
    amount = (penalty * _PERCENT_FRACTIONS[percent]).quantize(CENT, rounding=ROUND_HALF_UP)
    if amount > penalty:
        # Only when the penalty itself has more than two places: rounding up must not
        # waive more than is owed.
        return penalty.quantize(CENT, rounding=ROUND_DOWN)
    return amount


def needs_second_approval(
    policy: Policy, *, suggested_percent: int, decided_percent: int, decided_amount: Decimal
) -> bool:
    """Four eyes: the amount exceeds the limit, or the decision exceeds the suggestion by
    more than the allowed points (domain.md §6)."""
    four_eyes = policy.four_eyes
    return (
        decided_amount > four_eyes.amount_over
        or decided_percent - suggested_percent > four_eyes.points_over_suggestion
    )
