"""The Outcomes panel's figures (domain.md §11): satisfaction, repayment after the decision,
approved against rejected, and outreach against the holdout, each with its count.

No query of its own: every figure is summed here from the rows of a report the exports give
(`satisfaction`, `effectiveness`, `outreach-outcomes`), read once per page by
`reports.selectors.dashboard`, so the panel and the files never disagree. A share or a mean
summed up from a report's groups is worked out again from their counts (answers scoring each
of 1–5, asked, observed, repaid), never averaged from their rounded figures, and rounded as
the SQL rounds them (half up, one place).

A figure resting on fewer than `settings.REPORTS_FEW_CASES` cases (30 by default) is marked
too few to read as a trend: `few()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings

from reports.queries.sql import EFFECTIVENESS_WINDOWS

SCORES = (1, 2, 3, 4, 5)
ONE_PLACE = Decimal("0.1")


def rounded(part: int, whole: int, scale: int = 1) -> Decimal | None:
    """scale × part ÷ whole to one place, half up (as SQL's ROUND); None when whole is 0."""
    if not whole:
        return None
    return (Decimal(scale * part) / Decimal(whole)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def percent(part: int, whole: int) -> Decimal | None:
    """100 × part ÷ whole to one place (the reports' `Percent`); None when whole is 0."""
    return rounded(part, whole, 100)


def grouped(rows: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], Any]) -> dict:
    """The rows by `key`, in the order each key first appears."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return groups


def few_cases() -> int:
    return settings.REPORTS_FEW_CASES


def few(count: int | None) -> bool:
    """Whether a figure over `count` cases is too few to read as a trend."""
    return (count or 0) < few_cases()


# --- satisfaction -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Satisfaction:
    """How satisfied the borrowers of one group were: those asked, those who answered, and
    how many answers gave each score from 1 to 5."""

    key: Any
    asked: int
    answered: int
    scores: tuple[int, ...]

    @property
    def response_rate(self) -> Decimal | None:
        return percent(self.answered, self.asked)

    @property
    def mean(self) -> Decimal | None:
        return rounded(sum(s * n for s, n in zip(SCORES, self.scores, strict=True)), self.answered)

    @property
    def shares(self) -> tuple[Decimal | None, ...]:
        """Each score's share of the answers, %."""
        return tuple(percent(count, self.answered) for count in self.scores)


def satisfaction_of(key: Any, rows: Iterable[dict[str, Any]]) -> Satisfaction:
    rows = list(rows)
    return Satisfaction(
        key=key,
        asked=sum(row["asked"] for row in rows),
        answered=sum(row["answered"] for row in rows),
        scores=tuple(sum(row[f"score_{score}"] for row in rows) for score in SCORES),
    )


def satisfaction_by(
    rows: list[dict[str, Any]], key: Callable[[dict[str, Any]], Any], order: Iterable = ()
) -> list[Satisfaction]:
    """The `satisfaction` report's rows summed by `key`: the keys named in `order` first, in
    that order, then the others sorted."""
    groups = grouped(rows, key)
    first = [name for name in order if name in groups]
    rest = sorted((name for name in groups if name not in first), key=str)
    return [satisfaction_of(name, groups[name]) for name in first + rest]


# --- repayment after the decision -------------------------------------------------------------


@dataclass(frozen=True)
class Repaid:
    """Decided cases of one outcome, and for each window (30, 60, 90 days) those observed
    that long after their decision and those of them repaid within it."""

    outcome: str
    cases: int
    observed: dict[int, int]
    repaid: dict[int, int]

    def rate(self, days: int) -> Decimal | None:
        return percent(self.repaid[days], self.observed[days])


def repaid_by_outcome(rows: list[dict[str, Any]]) -> dict[str, Repaid]:
    """The `effectiveness` report's rows (by bucket and outcome) summed over the buckets:
    repaid within 30, 60 and 90 days, approved against rejected."""
    outcomes = grouped(rows, lambda row: row["outcome"])
    windows = EFFECTIVENESS_WINDOWS
    return {
        outcome: Repaid(
            outcome=outcome,
            cases=sum(row["cases"] for row in group),
            observed={days: sum(row[f"observed_{days}d"] for row in group) for days in windows},
            repaid={days: sum(row[f"repaid_{days}d"] for row in group) for days in windows},
        )
        for outcome, group in outcomes.items()
    }
