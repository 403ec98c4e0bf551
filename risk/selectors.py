"""Reading early warning: the active risk model, its parsed scorecard, scored loans."""

from __future__ import annotations

import json

from risk import rules
from risk.models import RiskModel

_parsed: dict[tuple[int, str], rules.Scorecard] = {}
# Parsed scorecards kept per process: a handful of versions, bounded anyway (a draft is keyed
# by its content, so editing one adds entries).
_PARSED_MAX = 64


def active_risk_model() -> RiskModel:
    """The one active version (RiskModel.DoesNotExist when none: a misconfigured install)."""
    return RiskModel.objects.get(status=RiskModel.Status.ACTIVE)


def scorecard_of(model: RiskModel) -> rules.Scorecard:
    """The model's document parsed (checked when it was saved), once per process."""
    key = (model.version, json.dumps(model.document, sort_keys=True))
    scorecard = _parsed.get(key)
    if scorecard is None:
        if len(_parsed) >= _PARSED_MAX:
            _parsed.clear()
        scorecard = _parsed[key] = rules.parse_scorecard(model.document, version=model.version)
    return scorecard
