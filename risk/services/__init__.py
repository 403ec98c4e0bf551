"""Early warning and outreach: the services (domain.md §10). By topic:

- `scoring`: every eligible loan scored as of a day, in bulk;
"""

from risk.services.scoring import risk_scores_compute

__all__ = ["risk_scores_compute"]
