"""The relief rules: the policy (data, versioned) and the quote it gives for a case.

Pure Python over `Decimal`; no Django import, so the rules are tested and benchmarked
without a database (domain.md §6, house style "pure modules"). By topic:

- `policy`: the parts of a policy, `PolicyError`, and a policy's JSON document;
- `document`: `parse_policy`, which checks a document whole, and the shipped default;
- `reader`: the field-by-field checks `parse_policy` is built from;
- `quote`: the case, the quote and its factors, the relief amount, four eyes.

The names the rest of the code uses are re-exported here: `from relief.rules import quote`.
"""

from relief.rules.document import (
    DEFAULT_POLICY_DOCUMENT,
    DEFAULT_POLICY_VERSION,
    POLICY_V1_PATH,
    default_policy,
    parse_policy,
)
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
    policy_to_document,
)
from relief.rules.quote import (
    AUTO_APPROVAL_BLOCKERS,
    CENT,
    NOT_ELIGIBLE_REASONS,
    ZERO_AMOUNT,
    Case,
    Factor,
    Hint,
    Quote,
    needs_second_approval,
    quote,
    relief_amount,
)

__all__ = [
    "AUTO_APPROVAL_BLOCKERS",
    "CENT",
    "DEFAULT_POLICY_DOCUMENT",
    "DEFAULT_POLICY_VERSION",
    "HARDSHIP_REASONS",
    "NOT_ELIGIBLE_REASONS",
    "POLICY_V1_PATH",
    "ZERO_AMOUNT",
    "AutoApproval",
    "Case",
    "DpdBand",
    "Eligibility",
    "Factor",
    "FourEyes",
    "Hint",
    "HistoryTier",
    "Policy",
    "PolicyError",
    "Quote",
    "ServiceLevels",
    "default_policy",
    "needs_second_approval",
    "parse_policy",
    "policy_to_document",
    "quote",
    "relief_amount",
]
