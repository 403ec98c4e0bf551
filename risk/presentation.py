"""Words for the risk model's codes: each factor of a score in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relief.presentation import percent_text, signed
from risk.models import RiskLevel


def level_label(code: str) -> str:
    return str(RiskLevel(code).label) if code in RiskLevel.values else code


def factor_label(code: str, points: int, value: Any) -> str:
    """ "Late payments in 6 months: 2 +18", in the reader's language."""
    words = {
        "on_time_ratio_24m": lambda: (
            _("Paid on time in 24 months: %(value)s") % {"value": percent_text(value)}
        ),
        "late_payments_6m": lambda: (
            ngettext(
                "%(value)s late payment in 6 months", "%(value)s late payments in 6 months", value
            )
            % {"value": value}
        ),
        "max_dpd_12m": lambda: (
            ngettext(
                "Up to %(value)s day late in 12 months",
                "Up to %(value)s days late in 12 months",
                value,
            )
            % {"value": value}
        ),
        "partial_payments_last_3": lambda: (
            ngettext(
                "%(value)s of the last 3 installments partly paid",
                "%(value)s of the last 3 installments partly paid",
                value,
            )
            % {"value": value}
        ),
        "current_dpd": lambda: (
            ngettext("%(value)s day past due now", "%(value)s days past due now", value)
            % {"value": value}
        ),
        "installment_to_usual": lambda: (
            _("Next installment %(value)s× the usual repayment") % {"value": value}
        ),
        "prior_help_12m": lambda: (
            ngettext(
                "%(value)s relief or arrangement in 12 months",
                "%(value)s reliefs or arrangements in 12 months",
                value,
            )
            % {"value": value}
        ),
        "months_on_book": lambda: (
            ngettext("%(value)s month with us", "%(value)s months with us", value)
            % {"value": value}
        ),
        "cap": lambda: _("Scores stop at 100"),
        "floor": lambda: _("Scores start at 0"),
    }
    text = words[code]() if code in words else code
    return f"{text} {signed(points)}"


def factors_for_reader(factors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A stored score's factors with their labels in the reader's language."""
    return [
        {**factor, "label": factor_label(factor["code"], factor["points"], factor.get("value"))}
        for factor in factors
    ]
