"""Policy documents: `parse_policy` checks a JSON document whole and builds its `Policy`.

Any problem rejects the document, every problem is named by its field path, and no other
exception escapes; the lookups the quote needs are precomputed by `Policy`, so `quote`
only compares integers and a few decimals. The shipped version 1 is `policy_v1.json`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from relief.rules.arrangements_policy import SECTION as ARRANGEMENTS
from relief.rules.arrangements_policy import read_arrangements
from relief.rules.policy import (
    HARDSHIP_REASONS,
    AutoApproval,
    DpdBand,
    Eligibility,
    FourEyes,
    HistoryTier,
    Policy,
    PolicyError,
    ServiceLevels,
)
from relief.rules.reader import DECIMAL_ZERO, Reader, describe

POLICY_V1_PATH = Path(__file__).with_name("policy_v1.json")
POLICY_V2_PATH = Path(__file__).with_name("policy_v2.json")

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


def parse_policy(document: Any, version: int = 0) -> Policy:
    """Check a policy document and build the `Policy` it describes.

    The whole document is rejected with `PolicyError` if anything is wrong; its `errors` name
    every problem by field path. No other exception escapes, whatever the document holds.
    """
    reader = Reader()
    if type(version) is not int or version < 0:
        reader.fail("version", f"must be a whole number, 0 or more, got {describe(version)}")
    # The arrangements section is optional: a version without it offers no arrangements.
    top = reader.section(document, "", _TOP_LEVEL_KEYS, optional=(ARRANGEMENTS,))
    if top is None:
        raise PolicyError(reader.errors)

    def read(key: str, read_value: Callable[[Reader, Any], Any]) -> Any:
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
    arrangements = read(ARRANGEMENTS, read_arrangements)
    cap_without, cap_with = parts["cap_without_evidence"], parts["cap_with_evidence"]
    if cap_without is not None and cap_with is not None and cap_with < cap_without:
        reader.fail(
            "cap_with_evidence",
            f"must be at least cap_without_evidence ({cap_without}): verified evidence must "
            f"never lower the cap, got {cap_with}",
        )

    if reader.errors:
        raise PolicyError(reader.errors)
    return Policy(version=version, arrangements=arrangements, **parts)


def _read_prior_relief_points(reader: Reader, value: Any) -> int | None:
    points = reader.points(value, "prior_relief_points")
    if points is not None and points > 0:
        reader.fail(
            "prior_relief_points",
            f"must be 0 or less: a prior relief must never raise the relief, got {points}",
        )
        return None
    return points


def _read_evidence_points(reader: Reader, value: Any) -> int | None:
    points = reader.points(value, "evidence_points")
    if points is not None and points < 0:
        reader.fail(
            "evidence_points",
            f"must be 0 or more: verified evidence must never lower the relief, got {points}",
        )
        return None
    return points


def _read_cap_without_evidence(reader: Reader, value: Any) -> int | None:
    return reader.integer(value, "cap_without_evidence", low=0, high=100)


def _read_cap_with_evidence(reader: Reader, value: Any) -> int | None:
    return reader.integer(value, "cap_with_evidence", low=0, high=100)


def _read_eligibility(reader: Reader, value: Any) -> Eligibility | None:
    section = reader.section(value, "eligibility", _ELIGIBILITY_KEYS)
    if section is None:
        return None
    most = reader.integer(
        section.get("max_prior_reliefs_12m"), "eligibility.max_prior_reliefs_12m", low=0
    )
    return None if most is None else Eligibility(max_prior_reliefs_12m=most)


def _read_auto_approval(reader: Reader, value: Any) -> AutoApproval | None:
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


def _read_four_eyes(reader: Reader, value: Any) -> FourEyes | None:
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


def _read_service_levels(reader: Reader, value: Any) -> ServiceLevels | None:
    section = reader.section(value, "service_levels", _SERVICE_LEVEL_KEYS)
    if section is None:
        return None
    # At least 1: a zero deadline would breach or expire on the spot.
    values = (
        reader.integer(section.get("decision_hours"), "service_levels.decision_hours", low=1),
        reader.integer(section.get("offer_valid_days"), "service_levels.offer_valid_days", low=1),
    )
    return None if None in values else ServiceLevels(*values)


def _read_bands(reader: Reader, value: Any) -> tuple[DpdBand, ...] | None:
    if not isinstance(value, list) or not value:
        reader.fail("dpd_bands", f"must be a non-empty list of bands, got {describe(value)}")
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
            reader.fail(f"{path}.code", f"must be a non-empty text, got {describe(code)}")
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


def _read_tiers(reader: Reader, value: Any) -> tuple[HistoryTier, ...] | None:
    if not isinstance(value, list) or not value:
        reader.fail("history_tiers", f"must be a non-empty list of tiers, got {describe(value)}")
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
            low=DECIMAL_ZERO,
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


def _read_hardship(reader: Reader, value: Any) -> dict[str, int] | None:
    if not isinstance(value, dict):
        reader.fail("hardship_points", f"must be an object, got {describe(value)}")
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


def load_default_document(path: Path = POLICY_V1_PATH) -> dict[str, Any]:
    """A shipped document read afresh (version 1 unless `path` says another): a copy to edit."""
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


# The shipped version 1 document (domain.md §6). Shared: copy it before editing.
DEFAULT_POLICY_DOCUMENT: dict[str, Any] = load_default_document()
DEFAULT_POLICY_VERSION = 1


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    """The default policy, version 1, as shipped in policy_v1.json (parsed once)."""
    return parse_policy(DEFAULT_POLICY_DOCUMENT, version=DEFAULT_POLICY_VERSION)


# The shipped version 2 (domain.md §9): version 1 and the `arrangements` section. Shared:
# copy it before editing.
POLICY_V2_DOCUMENT: dict[str, Any] = load_default_document(POLICY_V2_PATH)
POLICY_V2_VERSION = 2


@lru_cache(maxsize=1)
def policy_v2() -> Policy:
    """Version 2 as shipped in policy_v2.json: version 1 with deferral and instalment plans
    (parsed once)."""
    return parse_policy(POLICY_V2_DOCUMENT, version=POLICY_V2_VERSION)
