"""Amounts of money as a person reads them: two places, thousands grouped (12,345.67).

The template keeps the currency sign, so `¥{{ amount|money }}` reads ¥12,345.67 in every
language (Chinese groups digits by thousands with commas too).
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

CENT = Decimal("0.01")


@register.filter
def money(value) -> str:
    """`Decimal("12345.6")` → "12,345.60"; what is not a number is shown as it is."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{amount:,.2f}"
