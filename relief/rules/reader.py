"""Reading a JSON policy document field by field, collecting every problem by its path.

Generic checks (objects with exactly the expected keys, bounded whole numbers, decimals
written as text); what a policy's sections mean is in `relief.rules.document`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

# Plain decimal notation only: "500.00", "0.95", "0". No exponents, spaces or underscores,
# which Decimal() would accept but a policy admin would not read the same way.
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_POINTS_MIN, _POINTS_MAX = -100, 100
DECIMAL_ZERO = Decimal(0)


def describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'text "{value}"' if len(value) <= 40 else "text"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return repr(value)


class Reader:
    """Collects every problem of a document instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, path: str, problem: str) -> None:
        self.errors.setdefault(path, problem)

    def section(
        self, value: Any, path: str, keys: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        """An object with exactly `keys`, and any of `optional`; unknown and missing keys
        are reported."""
        if not isinstance(value, dict):
            self.fail(path or "document", f"must be an object, got {describe(value)}")
            return None
        prefix = f"{path}." if path else ""
        for key in value:
            if key not in keys and key not in optional:
                self.fail(f"{prefix}{key}", "unknown key")
        for key in keys:
            if key not in value:
                self.fail(f"{prefix}{key}", "required")
        return value

    def integer(
        self, value: Any, path: str, *, low: int | None = None, high: int | None = None
    ) -> int | None:
        # bool is an int in Python but never a number of days or points in a document.
        if type(value) is not int:
            self.fail(path, f"must be a whole number, got {describe(value)}")
            return None
        if low is not None and high is not None and not low <= value <= high:
            self.fail(path, f"must be from {low} to {high}, got {value}")
            return None
        if low is not None and value < low:
            self.fail(path, f"must be {low} or more, got {value}")
            return None
        return value

    def points(self, value: Any, path: str) -> int | None:
        return self.integer(value, path, low=_POINTS_MIN, high=_POINTS_MAX)

    def decimal(
        self,
        value: Any,
        path: str,
        *,
        low: Decimal,
        high: Decimal | None = None,
        max_places: int | None = None,
    ) -> Decimal | None:
        # Text, not a JSON number: a JSON number reaches Python as a float, and money and
        # ratios must stay exact.
        if type(value) is int or (isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value)):
            number = Decimal(value)
        else:
            self.fail(
                path, f'must be a decimal written as text, like "0.95", got {describe(value)}'
            )
            return None
        exponent = number.as_tuple().exponent
        if max_places is not None and isinstance(exponent, int) and -exponent > max_places:
            self.fail(path, f"must have at most {max_places} decimal places, got {value}")
            return None
        if number < low or (high is not None and number > high):
            bounds = f"from {low} to {high}" if high is not None else f"{low} or more"
            self.fail(path, f"must be {bounds}, got {value}")
            return None
        return number

    def money(self, value: Any, path: str) -> Decimal | None:
        return self.decimal(value, path, low=DECIMAL_ZERO, max_places=2)
