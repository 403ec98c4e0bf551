"""Risk model documents: `parse_scorecard` checks a JSON document whole and builds its
`Scorecard`, naming every problem by its field path ("bands.current_dpd[2].min",
"levels.high"), like a relief policy's (relief.rules.document). The shipped version 1 is
`risk_model_v1.json`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from relief.rules.policy import PolicyError
from relief.rules.reader import DECIMAL_ZERO, Reader, describe
from risk.rules.scorecard import FEATURES, RATIO, Band, Scorecard

RISK_MODEL_V1_PATH = Path(__file__).with_name("risk_model_v1.json")
DEFAULT_RISK_MODEL_VERSION = 1

_TOP_LEVEL_KEYS = ("bands", "levels", "holdout_percent")
_LEVEL_KEYS = ("high", "medium")
_BAND_KEYS = ("min", "points")
_FEATURE_KEYS = tuple(code for code, _kind in FEATURES)
# A holdout larger than half would withhold help from more borrowers than it gives it to.
HOLDOUT_PERCENT_MAX = 50


class RiskModelError(PolicyError):
    """A risk model document was rejected; `errors` maps each field path to its problem."""


def parse_scorecard(document: Any, version: int = 0) -> Scorecard:
    """Check a risk model document and build the `Scorecard` it describes.

    The whole document is rejected with `RiskModelError` if anything is wrong; its `errors`
    name every problem by field path. No other exception escapes, whatever it holds.
    """
    reader = Reader()
    if type(version) is not int or version < 0:
        reader.fail("version", f"must be a whole number, 0 or more, got {describe(version)}")
    top = reader.section(document, "", _TOP_LEVEL_KEYS)
    if top is None:
        raise RiskModelError(reader.errors)
    bands = _read_bands(reader, top["bands"]) if "bands" in top else None
    levels = _read_levels(reader, top["levels"]) if "levels" in top else None
    holdout = None
    if "holdout_percent" in top:
        holdout = reader.integer(
            top["holdout_percent"], "holdout_percent", low=0, high=HOLDOUT_PERCENT_MAX
        )
    if reader.errors or bands is None or levels is None or holdout is None:
        raise RiskModelError(reader.errors)
    high, medium = levels
    return Scorecard(
        version=version, bands=bands, high=high, medium=medium, holdout_percent=holdout
    )


def _read_levels(reader: Reader, value: Any) -> tuple[int, int] | None:
    section = reader.section(value, "levels", _LEVEL_KEYS)
    if section is None:
        return None
    high = reader.integer(section.get("high"), "levels.high", low=1, high=100)
    medium = reader.integer(section.get("medium"), "levels.medium", low=1, high=100)
    if high is None or medium is None:
        return None
    if medium >= high:
        reader.fail("levels.medium", f"must be below levels.high ({high}), got {medium}")
        return None
    return high, medium


def _read_bands(reader: Reader, value: Any) -> dict[str, tuple[Band, ...]] | None:
    section = reader.section(value, "bands", _FEATURE_KEYS)
    if section is None:
        return None
    bands = {}
    for code, kind in FEATURES:
        if code in section:
            feature_bands = _read_feature(reader, section[code], f"bands.{code}", kind)
            if feature_bands is not None:
                bands[code] = feature_bands
    return bands if len(bands) == len(FEATURES) else None


def _read_feature(reader: Reader, value: Any, path: str, kind: str) -> tuple[Band, ...] | None:
    if not isinstance(value, list) or not value:
        reader.fail(path, f"must be a non-empty list of bands, got {describe(value)}")
        return None
    bands: list[Band] = []
    complete = True
    for index, raw in enumerate(value):
        band_path = f"{path}[{index}]"
        section = reader.section(raw, band_path, _BAND_KEYS)
        if section is None:
            complete = False
            continue
        if kind == RATIO:
            low: int | Decimal | None = reader.decimal(
                section.get("min"), f"{band_path}.min", low=DECIMAL_ZERO, max_places=4
            )
        else:
            low = reader.integer(section.get("min"), f"{band_path}.min", low=0)
        points = reader.points(section.get("points"), f"{band_path}.points")
        if low is None or points is None:
            complete = False
            continue
        bands.append(Band(min_value=low, points=points))
    if not complete:
        return None
    # Every value from 0 upwards must fall in exactly one band, bands in order.
    if bands[0].min_value != 0:
        reader.fail(f"{path}[0].min", f"the first band must start at 0, got {bands[0].min_value}")
        return None
    for index in range(1, len(bands)):
        before, band = bands[index - 1], bands[index]
        if band.min_value <= before.min_value:
            reader.fail(
                f"{path}[{index}].min",
                f"must be above the band before it ({before.min_value}): list bands from the "
                f"lowest value up",
            )
            return None
    return tuple(bands)


def load_default_document() -> dict[str, Any]:
    """The shipped version 1 document read afresh from risk_model_v1.json: a copy to edit."""
    with RISK_MODEL_V1_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


# The shipped version 1 document (domain.md §10). Shared: copy it before editing.
DEFAULT_RISK_MODEL_DOCUMENT: dict[str, Any] = load_default_document()


@lru_cache(maxsize=1)
def default_scorecard() -> Scorecard:
    """Version 1 as shipped in risk_model_v1.json (parsed once)."""
    return parse_scorecard(DEFAULT_RISK_MODEL_DOCUMENT, version=DEFAULT_RISK_MODEL_VERSION)
