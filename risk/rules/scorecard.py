"""The early-warning score: a points model over what was known of a loan on one day.

Pure Python; no Django import (domain.md §10). A `Scorecard` is one version of the risk
model, built and checked by `risk.rules.document.parse_scorecard` from the JSON document;
`score` gives a loan's `Features` their points, the score (0–100), its level and the factors
that explain it, like a relief quote's.

Choices made where domain.md is silent:

- Each feature has bands `[{"min": v, "points": p}, …]` in ascending order of `min`, the
  first starting at 0: a value earns the points of the last band whose `min` it reaches.
- A feature with no value (no usual repayment to compare the installment with) earns
  nothing.
- Only factors with points are kept; with the clamp factor ("cap" or "floor", when the
  total left 0..100) the factors' points add up to the score exactly.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

RATIO, COUNT = "ratio", "count"

# The features of domain.md §10, in the order factors are listed, with the kind of value
# each band's `min` is written in: a ratio as decimal text ("0.95"), a count as a number.
FEATURES: tuple[tuple[str, str], ...] = (
    ("on_time_ratio_24m", RATIO),
    ("late_payments_6m", COUNT),
    ("max_dpd_12m", COUNT),
    ("partial_payments_last_3", COUNT),
    ("current_dpd", COUNT),
    ("installment_to_usual", RATIO),
    ("prior_help_12m", COUNT),
    ("months_on_book", COUNT),
)
FEATURE_CODES: tuple[str, ...] = tuple(code for code, _kind in FEATURES)
FEATURE_KINDS: Mapping[str, str] = MappingProxyType(dict(FEATURES))

LEVELS: tuple[str, ...] = ("high", "medium", "low")
SCORE_MIN, SCORE_MAX = 0, 100


@dataclass(frozen=True, slots=True)
class Band:
    """A value of at least `min_value` earns `points` (up to the next band's `min`)."""

    min_value: int | Decimal
    points: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Scorecard:
    """One version of the risk model, parsed and checked by `parse_scorecard`.

    `bands` has every feature of `FEATURES`, each in ascending order of `min` starting at
    0. `high` > `medium`: a score of at least `high` is high risk, of at least `medium`
    medium, else low. `holdout_percent` of eligible loans get no outreach (the holdout).
    """

    version: int
    bands: Mapping[str, tuple[Band, ...]] = field(hash=False)
    high: int
    medium: int
    holdout_percent: int
    # Lookups for the hot path: each feature's band starts and points, in FEATURES order.
    _lookups: tuple[tuple[str, tuple[Any, ...], tuple[int, ...]], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "bands", MappingProxyType(dict(self.bands)))
        object.__setattr__(
            self,
            "_lookups",
            tuple(
                (
                    code,
                    tuple(band.min_value for band in self.bands[code]),
                    tuple(band.points for band in self.bands[code]),
                )
                for code in FEATURE_CODES
            ),
        )

    def level_of(self, score: int) -> str:
        if score >= self.high:
            return "high"
        if score >= self.medium:
            return "medium"
        return "low"


@dataclass(frozen=True, slots=True)
class Features:
    """What was known of one loan (and its borrower) as of the scoring day.

    `on_time_ratio_24m`: the borrower's installments due in the last 24 months and paid by
    the day, the share paid within the grace days (1 when none). `late_payments_6m`: her
    installments due in the last 6 months paid after their grace days, or still unpaid past
    them. `max_dpd_12m`: the most days late of her installments due in the last 12 months
    (paid or not). `partial_payments_last_3`: of the loan's last 3 installments due, those a
    repayment left unpaid (money came in after the due date and did not clear it).
    `current_dpd`: the loan's days past due. `installment_to_usual`: the loan's next
    installment over the mean installment she paid off in the last 12 months (None when she
    paid none). `prior_help_12m`: applications approved for her in the last 12 months
    (relief, an arrangement or both). `months_on_book`: months since her first loan.
    """

    on_time_ratio_24m: Decimal
    late_payments_6m: int
    max_dpd_12m: int
    partial_payments_last_3: int
    current_dpd: int
    installment_to_usual: Decimal | None
    prior_help_12m: int
    months_on_book: int


@dataclass(frozen=True, slots=True)
class Factor:
    """One reason in the score: the feature (or "cap"/"floor"), its points, its value."""

    code: str
    points: int
    value: Any = None

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        return {
            "code": self.code,
            "points": self.points,
            "value": str(value) if isinstance(value, Decimal) else value,
        }


@dataclass(frozen=True, slots=True)
class Score:
    score: int
    level: str
    factors: tuple[Factor, ...]
    model_version: int


def score(features: Features, scorecard: Scorecard) -> Score:
    """The score of one loan: each feature's band points, summed and kept within 0..100."""
    factors = []
    total = 0
    for code, starts, points in scorecard._lookups:
        value = getattr(features, code)
        if value is None:
            continue
        # A value below the first band (none should be) earns the first band's points.
        earned = points[max(bisect_right(starts, value) - 1, 0)]
        if earned:
            total += earned
            factors.append(Factor(code, earned, value))
    clamped = min(max(total, SCORE_MIN), SCORE_MAX)
    if clamped != total:
        factors.append(Factor("cap" if total > SCORE_MAX else "floor", clamped - total))
    return Score(clamped, scorecard.level_of(clamped), tuple(factors), scorecard.version)


def scorecard_to_document(scorecard: Scorecard) -> dict[str, Any]:
    """The JSON document of `scorecard`; `parse_scorecard` of it gives the same back."""
    return {
        "bands": {
            code: [
                {
                    "min": str(band.min_value) if kind == RATIO else band.min_value,
                    "points": band.points,
                }
                for band in scorecard.bands[code]
            ]
            for code, kind in FEATURES
        },
        "levels": {"high": scorecard.high, "medium": scorecard.medium},
        "holdout_percent": scorecard.holdout_percent,
    }
