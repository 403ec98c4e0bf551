"""The commands' date options, read the same way everywhere."""

from datetime import date

from django.core.management.base import CommandError

from loans.selectors import local_today


def day_option(raw: str | None, name: str) -> date:
    """`raw` as a date (YYYY-MM-DD), today (Asia/Shanghai) when not given."""
    try:
        return date.fromisoformat(raw) if raw else local_today()
    except ValueError:
        raise CommandError(f"{name} must be YYYY-MM-DD, got {raw!r}") from None
