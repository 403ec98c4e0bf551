"""The early-warning rules: the risk model (data, versioned), the score it gives a loan, the
holdout draw and the backtest's figures.

Pure Python; no Django import, so the rules are tested and benchmarked without a database
(domain.md §10, house style "pure modules"). By topic:

- `scorecard`: the features, the parsed model (`Scorecard`), `score` and its factors;
- `document`: `parse_scorecard`, which checks a document whole, and the shipped default;
- `holdout`: which loans get no outreach, by a stable hash;
- `metrics`: AUC, precision and recall per level, lift by decile.
"""

from risk.rules.document import (
    DEFAULT_RISK_MODEL_DOCUMENT,
    DEFAULT_RISK_MODEL_VERSION,
    RiskModelError,
    default_scorecard,
    parse_scorecard,
)
from risk.rules.holdout import holdout_slot, in_holdout
from risk.rules.metrics import DecileFigures, Figures, LevelFigures, auc, figures
from risk.rules.scorecard import (
    FEATURE_CODES,
    FEATURES,
    LEVELS,
    Band,
    Factor,
    Features,
    Score,
    Scorecard,
    score,
    scorecard_to_document,
)

__all__ = [
    "DEFAULT_RISK_MODEL_DOCUMENT",
    "DEFAULT_RISK_MODEL_VERSION",
    "FEATURES",
    "FEATURE_CODES",
    "LEVELS",
    "Band",
    "DecileFigures",
    "Factor",
    "Features",
    "Figures",
    "LevelFigures",
    "RiskModelError",
    "Score",
    "Scorecard",
    "auc",
    "default_scorecard",
    "figures",
    "holdout_slot",
    "in_holdout",
    "parse_scorecard",
    "score",
    "scorecard_to_document",
]
