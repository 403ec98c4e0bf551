"""Early warning and outreach: the services (domain.md §10). By topic:

- `models`: risk model versions (drafts, activation);
- `scoring`: every eligible loan scored as of a day, in bulk;
"""

from risk.services.models import (
    risk_model_activate,
    risk_model_document_check,
    risk_model_draft_create,
    risk_model_draft_update,
)
from risk.services.scoring import risk_scores_compute

__all__ = [
    "risk_model_activate",
    "risk_model_document_check",
    "risk_model_draft_create",
    "risk_model_draft_update",
    "risk_scores_compute",
]
