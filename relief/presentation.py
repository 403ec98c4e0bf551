"""Words for the rules' codes: factors, hints and refusals in the reader's language.

The rules return codes and values; this module is the one place that turns them into
sentences (domain.md §6: "base 50 (M1, 20 days) · history +10 (86% on time) · …").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.templatetags.money import money
from loans.models import Arrangement
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


def triage_blockers_of(events, key: str = "auto_approval_blockers") -> list[str]:
    for event in events:
        if event.from_status == "submitted" and event.to_status == "in_review":
            return list((event.data or {}).get(key, []))
    return []


def triage_arrangement_blockers_of(events) -> list[str]:
    """Why triage did not approve the arrangement asked for at once (codes)."""
    return triage_blockers_of(events, "arrangement_blockers")


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


# --- repayment arrangements (domain.md §9) ----------------------------------------------------


def _money(amount) -> str:
    return f"¥{money(amount)}"


def arrangement_term_label(kind: str, term: int | None) -> str:
    """ "A plan of 6 monthly installments" / "A deferral of 2 months"."""
    if kind == "plan":
        return ngettext(
            "A plan of %(count)s monthly installment",
            "A plan of %(count)s monthly installments",
            term or 0,
        ) % {"count": term}
    if kind == "deferral":
        return ngettext(
            "A deferral of %(count)s month", "A deferral of %(count)s months", term or 0
        ) % {"count": term}
    return kind


def arrangement_option_label(option: dict[str, Any]) -> str:
    """What an option asks of the borrower, in one sentence: what she pays each month, until
    when, and in total."""
    if option.get("kind") == "plan":
        periods = option.get("periods") or 0
        text = ngettext(
            "%(count)s monthly payment of %(amount)s from %(first)s to %(last)s, "
            "%(total)s in total",
            "%(count)s monthly payments of %(amount)s from %(first)s to %(last)s, "
            "%(total)s in total",
            periods,
        ) % {
            "count": periods,
            "amount": _money(option.get("installment_amount")),
            "first": option.get("first_due_date"),
            "last": option.get("last_due_date"),
            "total": _money(option.get("total")),
        }
        if option.get("last_installment_amount") != option.get("installment_amount"):
            text += _(" (the last one %(amount)s)") % {
                "amount": _money(option.get("last_installment_amount"))
            }
        return text
    months = option.get("months") or 0
    text = ngettext(
        "Pay nothing for %(count)s month: next payment %(amount)s on %(first)s",
        "Pay nothing for %(count)s months: next payment %(amount)s on %(first)s",
        months,
    ) % {
        "count": months,
        "amount": _money(option.get("installment_amount")),
        "first": option.get("first_due_date"),
    }
    if Decimal(option.get("extra_interest") or 0) > 0:
        text += _(", including %(interest)s of interest for the added months") % {
            "interest": _money(option.get("extra_interest"))
        }
    return text


def affordability_label(option: dict[str, Any]) -> str:
    """Whether the option fits the stated income, with the figures ("" without an income)."""
    affordable = option.get("affordable")
    if affordable is None:
        return ""
    figures = {
        "payment": _money(option.get("monthly_payment")),
        "limit": _money(option.get("affordable_limit")),
    }
    if affordable:
        return _("Affordable: %(payment)s a month is within %(limit)s, your limit.") % figures
    return _("Not affordable: %(payment)s a month is more than %(limit)s, your limit.") % figures


ARRANGEMENT_NOT_ELIGIBLE = {
    "not_offered": lambda: _("Repayment arrangements are not offered under the current policy."),
    "written_off": lambda: _("This loan has been written off."),
    "legal_proceedings": lambda: _("This loan is in legal proceedings."),
    "fraud_flag": lambda: _("This loan is under a fraud review."),
    "open_application": lambda: _("An application for this loan is already open."),
    "active_arrangement": lambda: _("This loan already has an active repayment arrangement."),
    "description_required": lambda: _("With the reason “Other”, please describe your situation."),
    "plan_not_offered": lambda: _("Instalment plans are not offered under the current policy."),
    "plan_not_overdue": lambda: _("An instalment plan is for a loan that is overdue."),
    "plan_too_little_overdue": lambda: _(
        "An instalment plan needs a larger overdue amount on the loan."
    ),
    "plan_broken_recently": lambda: _(
        "An instalment plan on this loan was broken in the last 12 months."
    ),
    "deferral_not_offered": lambda: _("Deferrals are not offered under the current policy."),
    "deferral_too_late": lambda: _("This loan is too long overdue for a deferral."),
    "deferral_recently": lambda: _("This loan was already deferred in the last 12 months."),
    "nothing_to_defer": lambda: _("Nothing on this loan is left to defer."),
    "deferral_too_short": lambda: _(
        "No deferral on offer would move the overdue installment past today."
    ),
}


def arrangement_not_eligible_label(code: str) -> str:
    """An arrangement quote's refusal (or a relief quote's, for an application asking both)."""
    label = ARRANGEMENT_NOT_ELIGIBLE.get(code)
    return label() if label else not_eligible_label(code)


ARRANGEMENT_BLOCKERS = {
    "plan_periods_over_limit": lambda: _("the plan is longer than the automatic limit"),
    "deferral_months_over_limit": lambda: _("the deferral is longer than the automatic limit"),
    "amount_over_limit": lambda: _("the amount is above the automatic limit"),
    "recent_arrangement": lambda: _("an arrangement was started in the last 12 months"),
    "risk_flag": lambda: _("the loan carries a risk flag"),
    "not_affordable": lambda: _("it is more than the stated income allows"),
    "option_not_offered": lambda: _("the option asked for is not offered today"),
}


def arrangement_blocker_label(code: str) -> str:
    label = ARRANGEMENT_BLOCKERS.get(code)
    return label() if label else blocker_label(code)


def arrangement_status_label(code: str) -> str:
    return str(Arrangement.Status(code).label) if code in Arrangement.Status.values else code
