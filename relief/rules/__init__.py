"""The relief rules: the policy (data, versioned) and the quote it gives for a case.

Pure Python over `Decimal`; no Django import, so the rules are tested and benchmarked
without a database (domain.md §6, house style "pure modules"). By topic:

- `policy`: the parts of a policy, `PolicyError`, and a policy's JSON document;
- `document`: `parse_policy`, which checks a document whole, and the shipped default;
- `reader`: the field-by-field checks `parse_policy` is built from;
- `quote`: the case, the quote and its factors, the relief amount, four eyes;
- `arrangements_policy`: the policy's optional `arrangements` section (domain.md §9);
- `arrangements`: the arrangement quote (deferral and instalment plans), the plan's split,
  deferral dates and interest.

The names the rest of the code uses are re-exported here: `from relief.rules import quote`.
"""

from relief.rules.arrangements import (
    ARRANGEMENT_AUTO_APPROVAL_BLOCKERS,
    ARRANGEMENT_NOT_ELIGIBLE_REASONS,
    DEFERRAL,
    KINDS,
    PLAN,
    ArrangementCase,
    ArrangementOption,
    ArrangementQuote,
    DeferralInterest,
    add_months,
    arrangement_needs_second_approval,
    arrangement_quote,
    deferral_dates,
    deferral_interest,
    plan_due_dates,
    plan_first_due,
    plan_interest,
    plan_split,
)
from relief.rules.arrangements_policy import ArrangementPolicy
from relief.rules.document import (
    DEFAULT_POLICY_DOCUMENT,
    DEFAULT_POLICY_VERSION,
    POLICY_V1_PATH,
    POLICY_V2_DOCUMENT,
    POLICY_V2_PATH,
    POLICY_V2_VERSION,
    default_policy,
    parse_policy,
    policy_v2,
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
    "ARRANGEMENT_AUTO_APPROVAL_BLOCKERS",
    "ARRANGEMENT_NOT_ELIGIBLE_REASONS",
    "AUTO_APPROVAL_BLOCKERS",
    "CENT",
    "DEFAULT_POLICY_DOCUMENT",
    "DEFAULT_POLICY_VERSION",
    "DEFERRAL",
    "HARDSHIP_REASONS",
    "KINDS",
    "NOT_ELIGIBLE_REASONS",
    "PLAN",
    "POLICY_V1_PATH",
    "POLICY_V2_DOCUMENT",
    "POLICY_V2_PATH",
    "POLICY_V2_VERSION",
    "ZERO_AMOUNT",
    "ArrangementCase",
    "ArrangementOption",
    "ArrangementPolicy",
    "ArrangementQuote",
    "AutoApproval",
    "Case",
    "DeferralInterest",
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
    "add_months",
    "arrangement_needs_second_approval",
    "arrangement_quote",
    "default_policy",
    "deferral_dates",
    "deferral_interest",
    "needs_second_approval",
    "parse_policy",
    "plan_due_dates",
    "plan_first_due",
    "plan_interest",
    "plan_split",
    "policy_to_document",
    "policy_v2",
    "quote",
    "relief_amount",
]
