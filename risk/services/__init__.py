"""Early warning and outreach: the services (domain.md §10). By topic:

- `models`: risk model versions (drafts, activation);
- `scoring`: every eligible loan scored as of a day, in bulk;
- `backtest`: the scores of a past day against what happened next;
- `outreach`: a message before a due date for high-risk loans, the holdout left out.
"""

from risk.services.backtest import risk_backtest_run
from risk.services.models import (
    risk_model_activate,
    risk_model_document_check,
    risk_model_draft_create,
    risk_model_draft_update,
)
from risk.services.outreach import outreach_send
from risk.services.scoring import risk_scores_compute

__all__ = [
    "outreach_send",
    "risk_backtest_run",
    "risk_model_activate",
    "risk_model_document_check",
    "risk_model_draft_create",
    "risk_model_draft_update",
    "risk_scores_compute",
]
