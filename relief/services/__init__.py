"""Relief services: every change of an application, policy or notification goes through here."""

from relief.services.applications import (
    relief_application_accept,
    relief_application_add_evidence,
    relief_application_answer,
    relief_application_decline,
    relief_application_submit,
    relief_application_withdraw,
)
from relief.services.deadlines import offers_expire, sla_escalate_breached
from relief.services.decisions import (
    DECISIONS,
    ReviewCapabilities,
    relief_application_decide,
    review_capabilities,
)
from relief.services.review import (
    relief_application_approve,
    relief_application_assign,
    relief_application_reject,
    relief_application_request_info,
    relief_application_second_approve,
    relief_application_second_return,
    relief_application_triage,
    relief_application_verify_evidence,
)
from relief.services.waivers import repayment_post

__all__ = [
    "DECISIONS",
    "ReviewCapabilities",
    "offers_expire",
    "relief_application_accept",
    "relief_application_add_evidence",
    "relief_application_answer",
    "relief_application_approve",
    "relief_application_assign",
    "relief_application_decide",
    "relief_application_decline",
    "relief_application_reject",
    "relief_application_request_info",
    "relief_application_second_approve",
    "relief_application_second_return",
    "relief_application_submit",
    "relief_application_triage",
    "relief_application_verify_evidence",
    "relief_application_withdraw",
    "repayment_post",
    "review_capabilities",
    "sla_escalate_breached",
]
