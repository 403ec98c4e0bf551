"""Money and time arithmetic of loans: penalty, days overdue, DPD, allocation, history.

Pure functions over `Decimal`, `date` and small dataclasses; no Django import, so the rules
can be tested and benchmarked without a database (domain.md §2–§4).
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DAY_COUNT_BASIS = 360
# Actual/360 is the domain's default (domain.md §2); a product may count Actual/365 instead.
DAY_COUNT_BASES = (360, 365)
RATIO_PLACES = Decimal("0.0001")

BUCKETS = ("M0", "M1", "M2", "M3", "M4+")


def money(value: Decimal | int | str) -> Decimal:
    """An amount rounded half up to the fen, as everywhere an amount is stored or shown."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def penalty_rate(
    annual_rate: Decimal, penalty_markup: Decimal, penalty_rate_cap: Decimal
) -> Decimal:
    """Annual penalty rate: the contract rate plus the markup, never above the cap."""
    return min(annual_rate * (1 + penalty_markup), penalty_rate_cap)


def daily_penalty(base: Decimal, rate: Decimal, basis: int = DAY_COUNT_BASIS) -> Decimal:
    """One day's penalty on the unpaid principal and interest, rounded to the fen.

    `rate` is the annual penalty rate, used whole; `basis` the days of the year it is
    divided by (360 or 365).
    """
    if basis not in DAY_COUNT_BASES:
        raise ValueError(f"day-count basis must be one of {DAY_COUNT_BASES}, got {basis!r}")
    if base <= 0:
        return ZERO
    return money(base * rate / basis)


def days_overdue(due_date: date, on: date) -> int:
    """Days from the day after the due date up to and including `on` (0 when not yet due)."""
    return max(0, (on - due_date).days)


def bucket(dpd: int) -> str:
    """The DPD bucket: M0 = 0, M1 = 1–30, M2 = 31–60, M3 = 61–90, M4+ = 91 and above."""
    if dpd <= 0:
        return "M0"
    if dpd <= 30:
        return "M1"
    if dpd <= 60:
        return "M2"
    if dpd <= 90:
        return "M3"
    return "M4+"


@dataclass(frozen=True)
class Accrual:
    """The accrual fields of an installment.

    `penalty_held` is penalty counted during the grace days: it becomes owed (moves into
    `penalty_accrued`) only once the grace days pass unpaid, and is dropped when the
    installment is paid in full within them. `penalty_frozen` is penalty counted on the days
    of a freeze (an accepted relief offer, domain.md §7): not owed while the freeze stands,
    dropped when the offer is fulfilled, owed as if never frozen when it expires.
    """

    penalty_accrued: Decimal
    penalty_held: Decimal
    accrued_through: date | None
    penalty_frozen: Decimal = ZERO


@dataclass(frozen=True)
class Freeze:
    """The days `starts_after` + 1 … `until` on which an installment's penalty is frozen."""

    starts_after: date
    until: date


def frozen_days(start: date, end: date, freeze: Freeze | None) -> int:
    """How many of the days start + 1 … end fall inside the freeze."""
    if freeze is None:
        return 0
    return max(0, (min(end, freeze.until) - max(start, freeze.starts_after)).days)


def accrue_to(
    accrual: Accrual,
    *,
    day: date,
    due_date: date,
    grace_days: int,
    daily: Decimal,
    freeze: Freeze | None = None,
) -> Accrual:
    """Bring an unpaid installment's accrual to `day` at the current daily penalty.

    Every day from the day after the due date counts; penalty is owed only once the grace
    days have passed. Days inside a freeze count into `penalty_frozen` instead. Going back (a
    repayment dated before the last accrual run) removes the days after `day`, which were all
    accrued at this same daily amount because any repayment in between would have been dated
    later.
    """
    start = max(accrual.accrued_through or due_date, due_date)
    target = max(day, due_date)
    last_grace_day = grace_ends_on(due_date, grace_days)
    if target == start:
        return accrual
    accrued, held = accrual.penalty_accrued, accrual.penalty_held
    if target > start:
        frozen = daily * frozen_days(start, target, freeze)
        amount = daily * (target - start).days - frozen
        frozen += accrual.penalty_frozen
        if target > last_grace_day:
            return Accrual(accrued + held + amount, ZERO, target, frozen)
        return Accrual(accrued, held + amount, target, frozen)
    # Going back to an earlier day.
    unfrozen = daily * frozen_days(target, start, freeze)
    removed = daily * (start - target).days - unfrozen
    frozen = accrual.penalty_frozen - unfrozen
    if start <= last_grace_day:
        return Accrual(accrued, held - removed, target, frozen)
    if target > last_grace_day:
        return Accrual(accrued - removed, held, target, frozen)
    # Back inside the grace days: what had become owed is held again.
    return Accrual(ZERO, accrued + held - removed, target, frozen)


def unfreeze(accrual: Accrual, *, due_date: date, grace_days: int) -> Accrual:
    """The freeze ended without the offer fulfilled: the frozen penalty counts as if it had
    never been frozen — held while the accrual is still within the grace days, else owed.
    (An installment paid in full within its grace days has no frozen penalty left: the
    repayment dropped it with the held penalty.)"""
    if accrual.penalty_frozen == 0:
        return accrual
    through = accrual.accrued_through or due_date
    if through <= grace_ends_on(due_date, grace_days):
        return Accrual(
            accrual.penalty_accrued,
            accrual.penalty_held + accrual.penalty_frozen,
            accrual.accrued_through,
        )
    return Accrual(
        accrual.penalty_accrued + accrual.penalty_frozen,
        accrual.penalty_held,
        accrual.accrued_through,
    )


def grace_ends_on(due_date: date, grace_days: int) -> date:
    return date.fromordinal(due_date.toordinal() + grace_days)


def paid_within_grace(due_date: date, grace_days: int, paid_off_on: date) -> bool:
    return paid_off_on <= grace_ends_on(due_date, grace_days)


@dataclass(frozen=True)
class Owed:
    """What one installment still owes, in allocation order's terms."""

    key: int
    penalty: Decimal
    interest: Decimal
    principal: Decimal

    @property
    def total(self) -> Decimal:
        return self.penalty + self.interest + self.principal


@dataclass(frozen=True)
class Allocation:
    key: int
    penalty: Decimal
    interest: Decimal
    principal: Decimal

    @property
    def total(self) -> Decimal:
        return self.penalty + self.interest + self.principal


def allocate(amount: Decimal, owed: Sequence[Owed]) -> tuple[list[Allocation], Decimal]:
    """Split a repayment: oldest installment first; within it penalty, interest, principal.

    `owed` must already be in order (oldest first). Returns the parts and what is left over.
    """
    remaining = amount
    parts: list[Allocation] = []
    for item in owed:
        if remaining <= 0:
            break
        pieces = []
        for outstanding in (item.penalty, item.interest, item.principal):
            piece = min(remaining, max(outstanding, ZERO))
            pieces.append(piece)
            remaining -= piece
        if any(pieces):
            parts.append(Allocation(item.key, *pieces))
    return parts, remaining


def spread_waiver(
    amount: Decimal, penalties: Sequence[tuple[int, Decimal]]
) -> list[tuple[int, Decimal]]:
    """Spread a waiver over penalty outstanding, oldest installment first, never above each."""
    remaining = amount
    parts = []
    for key, outstanding in penalties:
        if remaining <= 0:
            break
        piece = min(remaining, max(outstanding, ZERO))
        if piece > 0:
            parts.append((key, piece))
            remaining -= piece
    return parts


@dataclass(frozen=True)
class PastInstallment:
    due_date: date
    grace_days: int
    paid_off_on: date | None


@dataclass(frozen=True)
class HistoryMetrics:
    on_time_ratio: Decimal
    max_past_dpd: int
    months_on_book: int
    installments_counted: int


def months_between(start: date, end: date) -> int:
    """Whole calendar months from `start` to `end` (0 when end is earlier)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(0, months)


def months_before(day: date, months: int) -> date:
    """The same day `months` months earlier, clamped to the month's last day."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def history_metrics(
    installments: Iterable[PastInstallment], *, first_disbursed_on: date | None, today: date
) -> HistoryMetrics:
    """Repayment history over installments due in the last 24 months (domain.md §4).

    Installments not yet paid are left out: the overdue ones are the case being judged, and
    the others cannot be judged yet. The ratio is rounded down to 4 places, so that rounding
    never lifts a borrower into a better tier than the exact ratio earns.
    """
    window_start = months_before(today, 24)
    counted = on_time = 0
    max_dpd = 0
    for item in installments:
        if item.paid_off_on is None or not (window_start < item.due_date <= today):
            continue
        counted += 1
        if paid_within_grace(item.due_date, item.grace_days, item.paid_off_on):
            on_time += 1
        max_dpd = max(max_dpd, days_overdue(item.due_date, item.paid_off_on))
    ratio = Decimal(1) if counted == 0 else Decimal(on_time) / Decimal(counted)
    months = months_between(first_disbursed_on, today) if first_disbursed_on else 0
    return HistoryMetrics(
        on_time_ratio=ratio.quantize(RATIO_PLACES, rounding=ROUND_DOWN),
        max_past_dpd=max_dpd,
        months_on_book=months,
        installments_counted=counted,
    )


def months_after(day: date, months: int) -> date:
    """The same day `months` months later, clamped to the month's last day."""
    return months_before(day, -months)


def fill_in_order(amounts: Sequence[Decimal], parts: Sequence[Decimal]) -> list[list[Decimal]]:
    """Fill each of `amounts` from `parts` taken in order, as a repayment would pay them.

    Returns, for each amount, what it holds of each part (in the order of `parts`). The parts
    must add up to the amounts exactly: an instalment plan's installments, each holding the
    moved penalty first, then interest, then principal (domain.md §9). Laid end to end, each
    amount covers a stretch of the parts laid end to end; it holds their overlaps."""
    if sum(amounts, ZERO) != sum(parts, ZERO):
        raise ValueError(
            f"the amounts ({sum(amounts, ZERO)}) must add up to the parts ({sum(parts, ZERO)})"
        )
    if any(value < 0 for value in (*amounts, *parts)):
        raise ValueError("amounts and parts cannot be negative")
    part_ends = []
    end = ZERO
    for part in parts:
        end += part
        part_ends.append(end)
    filled = []
    start = ZERO
    for amount in amounts:
        stop = start + amount
        pieces = []
        part_start = ZERO
        for part_end in part_ends:
            pieces.append(max(ZERO, min(stop, part_end) - max(start, part_start)))
            part_start = part_end
        filled.append(pieces)
        start = stop
    return filled
