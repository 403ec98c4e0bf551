"""Words for the rules' codes: factors, hints and refusals in the reader's language.

The rules return codes and values; this module is the one place that turns them into
sentences (domain.md §6: "base 50 (M1, 20 days) · history +10 (86% on time) · …").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relief.models import ApplicationStatus, HardshipReason


def reason_label(code: str) -> str:
    return str(HardshipReason(code).label) if code in HardshipReason.values else code


def status_label(code: str) -> str:
    """An application status in the reader's language ("—" for none or an unknown code)."""
    return str(ApplicationStatus(code).label) if code in ApplicationStatus.values else "—"


def reason_evidence_hint(code: str) -> str:
    hints = {
        "serious_illness": _("A hospital record or a doctor's certificate."),
        "accident": _("A police or hospital report of the accident."),
        "natural_disaster": _("A notice from the local government or your insurer."),
        "unemployment": _("A termination letter or proof of unemployment registration."),
        "income_drop": _("Pay slips or bank statements before and after the drop."),
        "family_emergency": _("A document that shows the emergency, such as a hospital bill."),
        "other": _("Anything that shows why you could not pay on time."),
    }
    return hints.get(code, "")


def percent_text(ratio: str | Decimal) -> str:
    return f"{int((Decimal(ratio) * 100).to_integral_value())}%"


def signed(points: int) -> str:
    return f"+{points}" if points > 0 else str(points)


def factor_label(code: str, points: int, params: dict[str, Any]) -> str:
    if code == "base":
        days = params.get("days_overdue", 0)
        return ngettext(
            "Base %(points)s: %(days)s day overdue",
            "Base %(points)s: %(days)s days overdue",
            days,
        ) % {"points": points, "days": days}
    if code == "history":
        return _("Repayment history %(points)s: %(ratio)s paid on time") % {
            "points": signed(points),
            "ratio": percent_text(params.get("on_time_ratio", "1")),
        }
    if code == "prior_reliefs":
        count = params.get("count", 0)
        return ngettext(
            "Earlier relief %(points)s: %(count)s in the last 12 months",
            "Earlier relief %(points)s: %(count)s in the last 12 months",
            count,
        ) % {"points": signed(points), "count": count}
    if code == "hardship":
        return _("%(reason)s %(points)s") % {
            "reason": reason_label(params.get("reason", "")),
            "points": signed(points),
        }
    if code == "evidence":
        return _("Verified evidence %(points)s") % {"points": signed(points)}
    if code == "cap":
        return _("Capped at %(cap)s%%") % {"cap": params.get("cap")}
    if code == "floor":
        return _("Cannot go below 0%")
    return code


def hint_label(code: str, points: int, params: dict[str, Any]) -> str:
    if code == "verified_evidence":
        return _("%(points)s with evidence a reviewer verifies") % {"points": signed(points)}
    return code


NOT_ELIGIBLE = {
    "no_penalty": lambda: _("There is no penalty outstanding on this loan."),
    "open_application": lambda: _("An application for this loan is already open."),
    "too_many_prior_reliefs": lambda: _("Relief was already approved twice in the last 12 months."),
    "written_off": lambda: _("This loan has been written off."),
    "legal_proceedings": lambda: _("This loan is in legal proceedings."),
    "fraud_flag": lambda: _("This loan is under a fraud review."),
}


def not_eligible_label(code: str) -> str:
    label = NOT_ELIGIBLE.get(code)
    return label() if label else code


AUTO_APPROVAL_BLOCKERS = {
    "amount_over_limit": lambda: _("the amount is above the automatic limit"),
    "prior_relief": lambda: _("relief was approved in the last 12 months"),
    "risk_flag": lambda: _("the loan carries a risk flag"),
    "dpd_and_percent": lambda: _("more than 3 days overdue and above 50%"),
    "zero_amount": lambda: _("there is nothing to waive"),
    "evidence_to_verify": lambda: _(
        "evidence is attached that would raise the percent once verified"
    ),
    "not_eligible": lambda: _("not eligible"),
}


def triage_blockers(application) -> list[str]:
    """Why triage sent the case to a reviewer instead of approving it at once: the codes it
    recorded on the event (from the prefetched events; empty if it was approved)."""
    return triage_blockers_of(application.events.all())


def triage_blockers_of(events) -> list[str]:
    for event in events:
        if event.from_status == "submitted" and event.to_status == "in_review":
            return list((event.data or {}).get("auto_approval_blockers", []))
    return []


def blocker_label(code: str) -> str:
    label = AUTO_APPROVAL_BLOCKERS.get(code)
    return label() if label else code


def quote_summary(factors: list[dict[str, Any]], percent: int) -> str:
    """One line a person can read: "Base 50 · history +10 · serious illness +20 = 80%"."""
    parts = [factor_label(f["code"], f["points"], f.get("params", {})) for f in factors]
    return " · ".join(parts) + f" = {percent}%"


def last_note(application, status: str) -> str:
    """What the reviewer wrote when the application last entered `status` (the question of a
    request for information, the reason given with a rejection); "" when nothing."""
    notes = [
        event.note
        for event in application.events.all()
        if event.to_status == status != event.from_status
    ]
    return notes[-1] if notes else ""
