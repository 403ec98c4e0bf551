"""A reviewer's decision on a case, taken one way whichever interface asks (the review API, the
admin's case page), and what a reviewer may do on a case now (the case page's panel).

The decisions themselves (who may, what is checked, the event written) are the services of
relief.services.review; this module chooses among them by the action's name.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core import permissions
from core.errors import DomainError
from relief.models import UNDECIDED_STATUSES, ReliefApplication
from relief.services.review import (
    is_own_case,
    relief_application_approve,
    relief_application_reject,
    relief_application_request_info,
    relief_application_second_approve,
    relief_application_second_return,
)
from relief.services.transitions import allowed_actions

DECISIONS = ("approve", "reject", "request_info", "second_approve", "second_return")

UNKNOWN_DECISION = _(
    "Choose a decision: approve, reject, request information, second approval or return."
)


def relief_application_decide(
    *,
    application_id: int,
    reviewer,
    action: str,
    version: int,
    percent=None,
    reason_code: str = "",
    note: str = "",
    arrangement=None,
) -> ReliefApplication:
    """Take the decision `action` on a case read at `version`.

    approve needs `percent` (0–100) when relief is asked for, and takes `arrangement`
    (`{"kind": "plan", "periods": N}` or `{"kind": "deferral", "months": N}`) to approve
    another option than the one asked for; reject needs a `reason_code`, request_info a
    question (`note`); second_approve and second_return are a senior reviewer's. Each is
    refused with a DomainError (a ConflictError when the case is not in a state for it, or
    has changed)."""
    note = (note or "").strip()
    case = {"application_id": application_id, "reviewer": reviewer, "version": version}
    if action == "approve":
        return relief_application_approve(
            **case, percent=percent, note=note, arrangement=arrangement
        )
    if action == "reject":
        return relief_application_reject(**case, reason_code=reason_code, note=note)
    if action == "request_info":
        return relief_application_request_info(**case, question=note)
    if action == "second_approve":
        return relief_application_second_approve(**case, note=note)
    if action == "second_return":
        return relief_application_second_return(**case, note=note)
    raise DomainError.for_field("action", UNKNOWN_DECISION)


@dataclass(frozen=True)
class ReviewCapabilities:
    """What `user` may do on a case now; the names are the case page's."""

    can_decide: bool  # a reviewer: may work cases at all
    evidence_visible: bool  # may open the borrower's files
    can_review: bool  # approve, reject or ask for information now
    can_second: bool  # give the second approval or return the case now
    is_first_approver: bool  # gave the first approval, so may not give the second
    can_verify: bool  # mark evidence verified (re-scores the case)
    can_assign: bool  # claim the case or hand it to another reviewer
    is_own_case: bool  # the reviewer is the borrower: may do none of the above


def review_capabilities(*, application: ReliefApplication, user) -> ReviewCapabilities:
    """The same rules the services enforce, asked before the reviewer tries."""
    own = is_own_case(application, user)
    reviewer = permissions.can_decide_cases(user)
    acts = reviewer and not own
    allowed = allowed_actions(application.status)
    undecided = application.status in UNDECIDED_STATUSES
    return ReviewCapabilities(
        can_decide=reviewer,
        evidence_visible=reviewer,
        can_review=acts and "approve" in allowed,
        can_second=acts
        and "second_approve" in allowed
        and permissions.can_give_second_approval(user),
        is_first_approver=application.first_approver_id == user.pk,
        can_verify=acts and undecided,
        can_assign=acts and undecided,
        is_own_case=own,
    )
