"""The holdout: a stable share of eligible loans that gets no outreach (domain.md §10).

Chosen by a hash of (loan, model version), so the same loan stays in (or out of) the holdout
for as long as a model version is active, in every process and on every run, and a new
version draws a new holdout. SHA-256, not Python's `hash`, which differs between processes.
"""

from __future__ import annotations

import hashlib

# The hash is read as a number from 0 to 9,999: a share is held out to a hundredth of a
# percent.
_SLOTS = 10_000


def holdout_slot(loan_id: int, model_version: int) -> int:
    """The loan's place, 0–9,999, in the holdout draw of a model version."""
    digest = hashlib.sha256(f"risk-holdout:{loan_id}:{model_version}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % _SLOTS


def in_holdout(loan_id: int, model_version: int, percent: int) -> bool:
    """Whether the loan is held out (gets no outreach) under this model version."""
    return holdout_slot(loan_id, model_version) < percent * (_SLOTS // 100)
