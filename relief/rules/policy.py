"""The relief policy as data: its parts, its errors, and its document form (domain.md §6).

A `Policy` is one version of the policy, built and checked by `relief.rules.document.parse_policy`
from the JSON document a policy admin edits; `policy_to_document` turns it back into one.
Pure Python, no Django import.

A valid policy keeps the rules monotonic (better history never earns fewer points, verified
evidence never lowers the points or the cap, a prior relief never adds points), so that the
promises the quote makes to borrowers hold for every policy version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from relief.rules.arrangements_policy import ArrangementPolicy, arrangements_to_document

HARDSHIP_REASONS: tuple[str, ...] = (
    "serious_illness",
    "accident",
    "natural_disaster",
    "unemployment",
    "income_drop",
    "family_emergency",
    "other",
)


class PolicyError(ValueError):
    """A policy document was rejected; `errors` maps each field path to its problem.

    Paths look like "dpd_bands[2].min", "auto_approval.max_amount" or "hardship_points.other";
    "document" names the document itself.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{path}: {problem}" for path, problem in errors.items()))
        self.errors = errors


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
    # Deferral and instalment plans (domain.md §9); None: this version offers none.
    arrangements: ArrangementPolicy | None = None
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
        # Imported here because the document module builds Policy objects from this one.
        from relief.rules.document import parse_policy

        return (parse_policy, (policy_to_document(self), self.version))


def policy_to_document(policy: Policy) -> dict[str, Any]:
    """The JSON document of `policy`; `parse_policy` of it gives the same policy back.

    Money and ratios are decimal strings; the version is not part of the document (it
    belongs to the stored policy record).
    """
    document: dict[str, Any] = {
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
    if policy.arrangements is not None:
        document["arrangements"] = arrangements_to_document(policy.arrangements)
    return document
