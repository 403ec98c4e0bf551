"""How well scores foretold what happened: AUC, precision and recall at each level, lift by
decile (domain.md §10, the backtest). Pure Python over whole numbers; the figures are
rounded half up only at the end: AUC to 3 places, percentages to 1, lift to 2.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby

from risk.rules.scorecard import LEVELS

DECILES = 10
_AUC_PLACES = Decimal("0.001")
_PERCENT_PLACES = Decimal("0.1")
_LIFT_PLACES = Decimal("0.01")


def _ratio(part: int, whole: int, places: Decimal, scale: int = 1) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part * scale) / Decimal(whole)).quantize(places, rounding=ROUND_HALF_UP)


def percent(part: int, whole: int) -> Decimal | None:
    """100 × part ÷ whole to one place; None when the whole is 0."""
    return _ratio(part, whole, _PERCENT_PLACES, 100)


def auc(scores: Sequence[int], missed: Sequence[bool]) -> Decimal | None:
    """The area under the ROC curve: the chance that a loan that missed scored higher than
    one that did not, ties counting half (the Mann–Whitney U over the two groups). None when
    either group is empty."""
    positives = sum(missed)
    negatives = len(missed) - positives
    if not positives or not negatives:
        return None
    # Twice the rank sum of the positives, ties given their mean rank (kept whole by doubling).
    doubled_rank_sum = 0
    rank = 0
    for _score, group in groupby(sorted(zip(scores, missed, strict=True)), key=lambda p: p[0]):
        outcomes = [outcome for _, outcome in group]
        first, last = rank + 1, rank + len(outcomes)
        doubled_rank_sum += (first + last) * sum(outcomes)
        rank = last
    u_doubled = doubled_rank_sum - positives * (positives + 1)
    return _ratio(u_doubled, 2 * positives * negatives, _AUC_PLACES)


@dataclass(frozen=True)
class LevelFigures:
    """Loans scored at `level` and those that missed; precision and recall of flagging
    every loan at this level or above."""

    level: str
    loans: int
    missed: int
    miss_rate: Decimal | None
    precision: Decimal | None
    recall: Decimal | None


@dataclass(frozen=True)
class DecileFigures:
    """A tenth of the loans, riskiest first (decile 1): how many missed, and how much more
    often than all loans (`lift`)."""

    decile: int
    loans: int
    missed: int
    min_score: int
    max_score: int
    miss_rate: Decimal | None
    lift: Decimal | None


@dataclass(frozen=True)
class Figures:
    loans: int
    missed: int
    miss_rate: Decimal | None
    auc: Decimal | None
    levels: tuple[LevelFigures, ...]
    deciles: tuple[DecileFigures, ...]


def figures(scored: Sequence[tuple[int, int, bool]], level_of: Callable[[int], str]) -> Figures:
    """The backtest's figures over (loan id, score, missed) triples."""
    ordered = sorted(scored, key=lambda row: (-row[1], row[0]))
    scores = [row[1] for row in ordered]
    missed = [row[2] for row in ordered]
    total, total_missed = len(ordered), sum(missed)
    by_level = {level: [0, 0] for level in LEVELS}
    for score, outcome in zip(scores, missed, strict=True):
        entry = by_level[level_of(score)]
        entry[0] += 1
        entry[1] += outcome
    levels = []
    flagged = flagged_missed = 0
    for level in LEVELS:  # high, medium, low: "this level or above" grows as it goes
        loans, level_missed = by_level[level]
        flagged += loans
        flagged_missed += level_missed
        levels.append(
            LevelFigures(
                level=level,
                loans=loans,
                missed=level_missed,
                miss_rate=percent(level_missed, loans),
                precision=percent(flagged_missed, flagged),
                recall=percent(flagged_missed, total_missed),
            )
        )
    # A loan's decile is the tenth its rank falls in (the riskiest loan is in decile 1);
    # with fewer than 10 loans some deciles are empty and left out.
    deciles = []
    for decile, ranks in groupby(range(total), key=lambda rank: rank * DECILES // total + 1):
        ranks = list(ranks)
        start, stop = ranks[0], ranks[-1] + 1
        part = missed[start:stop]
        rate_part, rate_whole = sum(part) * total, len(part) * total_missed
        deciles.append(
            DecileFigures(
                decile=decile,
                loans=len(part),
                missed=sum(part),
                min_score=scores[stop - 1],
                max_score=scores[start],
                miss_rate=percent(sum(part), len(part)),
                lift=_ratio(rate_part, rate_whole, _LIFT_PLACES),
            )
        )
    return Figures(
        loans=total,
        missed=total_missed,
        miss_rate=percent(total_missed, total),
        auc=auc(scores, missed),
        levels=tuple(levels),
        deciles=tuple(deciles),
    )
