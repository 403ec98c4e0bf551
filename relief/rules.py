"""The relief policy and the quote: how much of the penalty outstanding may be waived, and why.

Pure Python over `Decimal` and small frozen dataclasses; no Django import, so the rules can
be tested and benchmarked without a database (domain.md §6, house style "pure modules").

A policy is data: a JSON document that a policy admin edits, checked whole by
`parse_policy` (any problem rejects the document, every problem is named by its field
path) and turned into a `Policy` with its lookups precomputed, so `quote` only compares
integers and a few decimals.

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
- A valid policy must keep the rules monotonic (better history never earns fewer points,
  verified evidence never lowers the points or the cap, a prior relief never adds points),
  so that the promises the quote makes to borrowers hold for every policy version.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

CENT = Decimal("0.01")
ZERO_AMOUNT = Decimal("0.00")

HARDSHIP_REASONS: tuple[str, ...] = (
    "serious_illness",
    "accident",
    "natural_disaster",
    "unemployment",
    "income_drop",
    "family_emergency",
    "other",
)

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
)

POLICY_V1_PATH = Path(__file__).with_name("policy_v1.json")

# percent -> percent / 100 as an exact Decimal, so an amount costs one multiplication.
_PERCENT_FRACTIONS: tuple[Decimal, ...] = tuple(Decimal(p).scaleb(-2) for p in range(101))
_DECIMAL_ZERO = Decimal(0)


class PolicyError(ValueError):
    """A policy document was rejected; `errors` maps each field path to its problem.

    Paths look like "dpd_bands[2].min", "auto_approval.max_amount" or "hardship_points.other";
    "document" names the document itself.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{path}: {problem}" for path, problem in errors.items()))
        self.errors = errors


# --- the case -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """What the rules know of one loan and one application (domain.md §4–§6).

    `max_past_dpd` and `months_on_book` are not scored by policy version 1; they are carried
    so that a later policy version can use them without changing every caller.
    `risk_flag` is any risk marker other than written off, legal proceedings and fraud
    (those three make the case ineligible); it only stops auto-approval.
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


# --- the policy -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DpdBand:
    """Days overdue `min_days`..`max_days` (None: no upper end) earn `points` as the base."""

    code: str
    min_days: int
    max_days: int | None
    points: int


@dataclass(frozen=True, slots=True)
class HistoryTier:
    """An on-time ratio of at least `min_on_time_ratio` earns `points`."""

    min_on_time_ratio: Decimal
    points: int


@dataclass(frozen=True, slots=True)
class Eligibility:
    """More than `max_prior_reliefs_12m` approved reliefs in 12 months: not eligible."""

    max_prior_reliefs_12m: int


@dataclass(frozen=True, slots=True)
class AutoApproval:
    """Limits within which an eligible quote is approved without a person."""

    max_amount: Decimal
    max_prior_reliefs_12m: int
    max_dpd_any_percent: int
    max_percent_otherwise: int


@dataclass(frozen=True, slots=True)
class FourEyes:
    """A decision above these needs a second approval by a senior reviewer."""

    amount_over: Decimal
    points_over_suggestion: int


@dataclass(frozen=True, slots=True)
class ServiceLevels:
    """How long a manual decision may take, and how long an offer stays valid."""

    decision_hours: int
    offer_valid_days: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """One version of the relief policy, parsed and checked by `parse_policy`.

    `dpd_bands` are in ascending order of days and cover 1 day upwards without gaps;
    `history_tiers` are in descending order of ratio and the last starts at 0. Build a
    Policy through `parse_policy`, which guarantees both; the constructor does not check.
    """

    version: int
    dpd_bands: tuple[DpdBand, ...]
    history_tiers: tuple[HistoryTier, ...]
    prior_relief_points: int
    hardship_points: Mapping[str, int] = field(hash=False)
    evidence_points: int
    cap_without_evidence: int
    cap_with_evidence: int
    eligibility: Eligibility
    auto_approval: AutoApproval
    four_eyes: FourEyes
    service_levels: ServiceLevels
    # Lookups for the hot path, derived from the fields above.
    _band_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _tiers: tuple[tuple[Decimal, int, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A read-only view, because default_policy() hands the same object to every caller.
        object.__setattr__(self, "hardship_points", MappingProxyType(dict(self.hardship_points)))
        object.__setattr__(self, "_band_starts", tuple(band.min_days for band in self.dpd_bands))
        object.__setattr__(
            self,
            "_tiers",
            tuple(
                (tier.min_on_time_ratio, tier.points, str(tier.min_on_time_ratio))
                for tier in self.history_tiers
            ),
        )

    def __reduce__(self) -> tuple[Any, tuple[dict[str, Any], int]]:
        # A mapping proxy cannot be pickled; the document can, and parsing it re-checks it.
        return (parse_policy, (policy_to_document(self), self.version))


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


# --- reading and writing policy documents ---------------------------------------------------

_TOP_LEVEL_KEYS = (
    "dpd_bands",
    "history_tiers",
    "prior_relief_points",
    "hardship_points",
    "evidence_points",
    "cap_without_evidence",
    "cap_with_evidence",
    "eligibility",
    "auto_approval",
    "four_eyes",
    "service_levels",
)
_BAND_KEYS = ("code", "min", "max", "points")
_TIER_KEYS = ("min_on_time_ratio", "points")
_ELIGIBILITY_KEYS = ("max_prior_reliefs_12m",)
_AUTO_APPROVAL_KEYS = (
    "max_amount",
    "max_prior_reliefs_12m",
    "max_dpd_any_percent",
    "max_percent_otherwise",
)
_FOUR_EYES_KEYS = ("amount_over", "points_over_suggestion")
_SERVICE_LEVEL_KEYS = ("decision_hours", "offer_valid_days")

# Plain decimal notation only: "500.00", "0.95", "0". No exponents, spaces or underscores,
# which Decimal() would accept but a policy admin would not read the same way.
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_POINTS_MIN, _POINTS_MAX = -100, 100


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'text "{value}"' if len(value) <= 40 else "text"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return repr(value)


class _Reader:
    """Collects every problem of a document instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, path: str, problem: str) -> None:
        self.errors.setdefault(path, problem)

    def section(self, value: Any, path: str, keys: tuple[str, ...]) -> dict[str, Any] | None:
        """An object with exactly `keys`; unknown and missing keys are reported."""
        if not isinstance(value, dict):
            self.fail(path or "document", f"must be an object, got {_describe(value)}")
            return None
        prefix = f"{path}." if path else ""
        for key in value:
            if key not in keys:
                self.fail(f"{prefix}{key}", "unknown key")
        for key in keys:
            if key not in value:
                self.fail(f"{prefix}{key}", "required")
        return value

    def integer(
        self, value: Any, path: str, *, low: int | None = None, high: int | None = None
    ) -> int | None:
        # bool is an int in Python but never a number of days or points in a document.
        if type(value) is not int:
            self.fail(path, f"must be a whole number, got {_describe(value)}")
            return None
        if low is not None and high is not None and not low <= value <= high:
            self.fail(path, f"must be from {low} to {high}, got {value}")
            return None
        if low is not None and value < low:
            self.fail(path, f"must be {low} or more, got {value}")
            return None
        return value

    def points(self, value: Any, path: str) -> int | None:
        return self.integer(value, path, low=_POINTS_MIN, high=_POINTS_MAX)

    def decimal(
        self,
        value: Any,
        path: str,
        *,
        low: Decimal,
        high: Decimal | None = None,
        max_places: int | None = None,
    ) -> Decimal | None:
        # Text, not a JSON number: a JSON number reaches Python as a float, and money and
        # ratios must stay exact.
        if type(value) is int or (isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value)):
            number = Decimal(value)
        else:
            self.fail(
                path, f'must be a decimal written as text, like "0.95", got {_describe(value)}'
            )
            return None
        exponent = number.as_tuple().exponent
        if max_places is not None and isinstance(exponent, int) and -exponent > max_places:
            self.fail(path, f"must have at most {max_places} decimal places, got {value}")
            return None
        if number < low or (high is not None and number > high):
            bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
            self.fail(path, f"must be {bounds}, got {value}")
            return None
        return number

    def money(self, value: Any, path: str) -> Decimal | None:
        return self.decimal(value, path, low=_DECIMAL_ZERO, max_places=2)


def parse_policy(document: Any, version: int = 0) -> Policy:
    """Check a policy document and build the `Policy` it describes.

    The whole document is rejected with `PolicyError` if anything is wrong; its `errors` name
    every problem by field path. No other exception escapes, whatever the document holds.
    """
    reader = _Reader()
    if type(version) is not int or version < 0:
        reader.fail("version", f"must be a whole number, 0 or more, got {_describe(version)}")
    top = reader.section(document, "", _TOP_LEVEL_KEYS)
    if top is None:
        raise PolicyError(reader.errors)

    def read(key: str, read_value: Callable[[_Reader, Any], Any]) -> Any:
        # A missing key is already reported by section(); read only what is there.
        return read_value(reader, top[key]) if key in top else None

    parts = {
        "dpd_bands": read("dpd_bands", _read_bands),
        "history_tiers": read("history_tiers", _read_tiers),
        "prior_relief_points": read("prior_relief_points", _read_prior_relief_points),
        "hardship_points": read("hardship_points", _read_hardship),
        "evidence_points": read("evidence_points", _read_evidence_points),
        "cap_without_evidence": read("cap_without_evidence", _read_cap_without_evidence),
        "cap_with_evidence": read("cap_with_evidence", _read_cap_with_evidence),
        "eligibility": read("eligibility", _read_eligibility),
        "auto_approval": read("auto_approval", _read_auto_approval),
        "four_eyes": read("four_eyes", _read_four_eyes),
        "service_levels": read("service_levels", _read_service_levels),
    }
    cap_without, cap_with = parts["cap_without_evidence"], parts["cap_with_evidence"]
    if cap_without is not None and cap_with is not None and cap_with < cap_without:
        reader.fail(
            "cap_with_evidence",
            f"must be at least cap_without_evidence ({cap_without}): verified evidence must "
            f"never lower the cap, got {cap_with}",
        )

    if reader.errors:
        raise PolicyError(reader.errors)
    return Policy(version=version, **parts)


def _read_prior_relief_points(reader: _Reader, value: Any) -> int | None:
    points = reader.points(value, "prior_relief_points")
    if points is not None and points > 0:
        reader.fail(
            "prior_relief_points",
            f"must be 0 or less: a prior relief must never raise the relief, got {points}",
        )
        return None
    return points


def _read_evidence_points(reader: _Reader, value: Any) -> int | None:
    points = reader.points(value, "evidence_points")
    if points is not None and points < 0:
        reader.fail(
            "evidence_points",
            f"must be 0 or more: verified evidence must never lower the relief, got {points}",
        )
        return None
    return points


def _read_cap_without_evidence(reader: _Reader, value: Any) -> int | None:
    return reader.integer(value, "cap_without_evidence", low=0, high=100)


def _read_cap_with_evidence(reader: _Reader, value: Any) -> int | None:
    return reader.integer(value, "cap_with_evidence", low=0, high=100)


def _read_eligibility(reader: _Reader, value: Any) -> Eligibility | None:
    section = reader.section(value, "eligibility", _ELIGIBILITY_KEYS)
    if section is None:
        return None
    most = reader.integer(
        section.get("max_prior_reliefs_12m"), "eligibility.max_prior_reliefs_12m", low=0
    )
    return None if most is None else Eligibility(max_prior_reliefs_12m=most)


def _read_auto_approval(reader: _Reader, value: Any) -> AutoApproval | None:
    section = reader.section(value, "auto_approval", _AUTO_APPROVAL_KEYS)
    if section is None:
        return None
    values = (
        reader.money(section.get("max_amount"), "auto_approval.max_amount"),
        reader.integer(
            section.get("max_prior_reliefs_12m"), "auto_approval.max_prior_reliefs_12m", low=0
        ),
        reader.integer(
            section.get("max_dpd_any_percent"), "auto_approval.max_dpd_any_percent", low=0
        ),
        reader.integer(
            section.get("max_percent_otherwise"),
            "auto_approval.max_percent_otherwise",
            low=0,
            high=100,
        ),
    )
    return None if None in values else AutoApproval(*values)


def _read_four_eyes(reader: _Reader, value: Any) -> FourEyes | None:
    section = reader.section(value, "four_eyes", _FOUR_EYES_KEYS)
    if section is None:
        return None
    values = (
        reader.money(section.get("amount_over"), "four_eyes.amount_over"),
        reader.integer(
            section.get("points_over_suggestion"),
            "four_eyes.points_over_suggestion",
            low=0,
            high=100,
        ),
    )
    return None if None in values else FourEyes(*values)


def _read_service_levels(reader: _Reader, value: Any) -> ServiceLevels | None:
    section = reader.section(value, "service_levels", _SERVICE_LEVEL_KEYS)
    if section is None:
        return None
    # At least 1: a zero deadline would breach or expire on the spot.
    values = (
        reader.integer(section.get("decision_hours"), "service_levels.decision_hours", low=1),
        reader.integer(section.get("offer_valid_days"), "service_levels.offer_valid_days", low=1),
    )
    return None if None in values else ServiceLevels(*values)


def _read_bands(reader: _Reader, value: Any) -> tuple[DpdBand, ...] | None:
    if not isinstance(value, list) or not value:
        reader.fail("dpd_bands", f"must be a non-empty list of bands, got {_describe(value)}")
        return None
    bands: list[DpdBand] = []
    codes: set[str] = set()
    complete = True
    for index, raw in enumerate(value):
        path = f"dpd_bands[{index}]"
        section = reader.section(raw, path, _BAND_KEYS)
        if section is None:
            complete = False
            continue
        code = section.get("code")
        if not isinstance(code, str) or not code.strip():
            reader.fail(f"{path}.code", f"must be a non-empty text, got {_describe(code)}")
            code = None
        elif code in codes:
            reader.fail(f"{path}.code", f'"{code}" is used by another band')
        else:
            codes.add(code)
        low = reader.integer(section.get("min"), f"{path}.min", low=1)
        high = section.get("max")
        if high is not None:
            high = reader.integer(high, f"{path}.max", low=1)
            if high is None:
                complete = False
            elif low is not None and high < low:
                reader.fail(f"{path}.max", f"must be at least min ({low}), got {high}")
                complete = False
        points = reader.points(section.get("points"), f"{path}.points")
        if code is None or low is None or points is None:
            complete = False
            continue
        bands.append(DpdBand(code=code, min_days=low, max_days=high, points=points))
    if not complete:
        return None

    # Every day overdue from 1 upwards must fall in exactly one band, bands in order.
    next_day = 1
    last = len(bands) - 1
    for index, band in enumerate(bands):
        path = f"dpd_bands[{index}]"
        if index == 0 and band.min_days != 1:
            reader.fail(f"{path}.min", f"the first band must start at 1, got {band.min_days}")
        elif band.min_days > next_day:
            reader.fail(
                f"{path}.min",
                f"leaves a gap: days {next_day} to {band.min_days - 1} are in no band; "
                f"must start at {next_day}",
            )
        elif band.min_days < next_day:
            reader.fail(
                f"{path}.min",
                f"overlaps the band before it, which ends at {next_day - 1}; "
                f"must start at {next_day}",
            )
        if band.max_days is None:
            if index != last:
                reader.fail(f"{path}.max", "only the last band may be open-ended (null)")
                return None
            break
        next_day = band.max_days + 1
    if bands[last].max_days is not None:
        reader.fail(
            f"dpd_bands[{last}].max",
            "the last band must be open-ended (null) so that every day overdue falls in a band",
        )
    return tuple(bands)


def _read_tiers(reader: _Reader, value: Any) -> tuple[HistoryTier, ...] | None:
    if not isinstance(value, list) or not value:
        reader.fail("history_tiers", f"must be a non-empty list of tiers, got {_describe(value)}")
        return None
    tiers: list[HistoryTier] = []
    complete = True
    for index, raw in enumerate(value):
        path = f"history_tiers[{index}]"
        section = reader.section(raw, path, _TIER_KEYS)
        if section is None:
            complete = False
            continue
        ratio = reader.decimal(
            section.get("min_on_time_ratio"),
            f"{path}.min_on_time_ratio",
            low=_DECIMAL_ZERO,
            high=Decimal(1),
        )
        points = reader.points(section.get("points"), f"{path}.points")
        if ratio is None or points is None:
            complete = False
            continue
        tiers.append(HistoryTier(min_on_time_ratio=ratio, points=points))
    if not complete:
        return None

    # Highest ratio first, so the first tier reached is the one that applies.
    for index in range(1, len(tiers)):
        before, tier = tiers[index - 1], tiers[index]
        path = f"history_tiers[{index}]"
        if tier.min_on_time_ratio >= before.min_on_time_ratio:
            reader.fail(
                f"{path}.min_on_time_ratio",
                f"must be lower than the tier before it ({before.min_on_time_ratio}): "
                f"list tiers from the highest ratio down",
            )
        elif tier.points > before.points:
            reader.fail(
                f"{path}.points",
                f"must be at most the points of the tier before it ({before.points}): "
                f"a better on-time ratio must never earn fewer points",
            )
    last = len(tiers) - 1
    if tiers[last].min_on_time_ratio != 0:
        reader.fail(
            f"history_tiers[{last}].min_on_time_ratio",
            "the lowest tier must start at 0 so that every on-time ratio falls in a tier",
        )
    return tuple(tiers)


def _read_hardship(reader: _Reader, value: Any) -> dict[str, int] | None:
    if not isinstance(value, dict):
        reader.fail("hardship_points", f"must be an object, got {_describe(value)}")
        return None
    for key in value:
        if key not in HARDSHIP_REASONS:
            reader.fail(
                f"hardship_points.{key}",
                f"unknown hardship reason; the reasons are {', '.join(HARDSHIP_REASONS)}",
            )
    points: dict[str, int] = {}
    for reason in HARDSHIP_REASONS:
        path = f"hardship_points.{reason}"
        if reason not in value:
            reader.fail(path, "required: every hardship reason needs its points")
            continue
        reason_points = reader.points(value[reason], path)
        if reason_points is not None:
            points[reason] = reason_points
    return points if len(points) == len(HARDSHIP_REASONS) else None


def policy_to_document(policy: Policy) -> dict[str, Any]:
    """The JSON document of `policy`; `parse_policy` of it gives the same policy back.

    Money and ratios are decimal strings; the version is not part of the document (it
    belongs to the stored policy record).
    """
    return {
        "dpd_bands": [
            {"code": band.code, "min": band.min_days, "max": band.max_days, "points": band.points}
            for band in policy.dpd_bands
        ],
        "history_tiers": [
            {"min_on_time_ratio": str(tier.min_on_time_ratio), "points": tier.points}
            for tier in policy.history_tiers
        ],
        "prior_relief_points": policy.prior_relief_points,
        "hardship_points": dict(policy.hardship_points),
        "evidence_points": policy.evidence_points,
        "cap_without_evidence": policy.cap_without_evidence,
        "cap_with_evidence": policy.cap_with_evidence,
        "eligibility": {"max_prior_reliefs_12m": policy.eligibility.max_prior_reliefs_12m},
        "auto_approval": {
            "max_amount": str(policy.auto_approval.max_amount),
            "max_prior_reliefs_12m": policy.auto_approval.max_prior_reliefs_12m,
            "max_dpd_any_percent": policy.auto_approval.max_dpd_any_percent,
            "max_percent_otherwise": policy.auto_approval.max_percent_otherwise,
        },
        "four_eyes": {
            "amount_over": str(policy.four_eyes.amount_over),
            "points_over_suggestion": policy.four_eyes.points_over_suggestion,
        },
        "service_levels": {
            "decision_hours": policy.service_levels.decision_hours,
            "offer_valid_days": policy.service_levels.offer_valid_days,
        },
    }


def _load_default_document() -> dict[str, Any]:
    with POLICY_V1_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


# The shipped version 1 document (domain.md §6). Shared: copy it before editing.
DEFAULT_POLICY_DOCUMENT: dict[str, Any] = _load_default_document()
DEFAULT_POLICY_VERSION = 1


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    """The default policy, version 1, as shipped in policy_v1.json (parsed once)."""
    return parse_policy(DEFAULT_POLICY_DOCUMENT, version=DEFAULT_POLICY_VERSION)
