"""Freezing penalty while an accepted relief offer stands (domain.md §7).

Accepting an offer freezes the penalty of the loan's installments overdue then (and of those
with penalty still outstanding) from the acceptance date to the offer's deadline: the days
inside the freeze count into `penalty_frozen`, which is not owed. Fulfilling the offer drops
it; an offer that expires makes it owed as if it had never been frozen. Loans knows nothing
of offers: relief calls these with the loan and its installments locked (`loan_lock`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from loans import calculations
from loans.calculations import ZERO
from loans.models import Installment, Loan
from loans.services.accrual import installments_accrue_to

FREEZE_FIELDS = ["penalty_accrued", "penalty_held", "penalty_frozen", "frozen_from", "frozen_until"]


@dataclass(frozen=True)
class FrozenPart:
    """The frozen installments' unpaid principal and interest, and their penalty outstanding."""

    overdue: Decimal
    penalty: Decimal


def frozen_part(installments) -> FrozenPart:
    """What the frozen installments owe now (those of `installments` with a freeze)."""
    frozen = [i for i in installments if i.freeze is not None]
    return FrozenPart(
        overdue=sum((i.base_outstanding for i in frozen), ZERO),
        penalty=sum((i.penalty_outstanding for i in frozen), ZERO),
    )


def penalty_freeze(
    *, loan: Loan, installments: list[Installment], on: date, until: date
) -> FrozenPart:
    """Freeze the penalty of the installments overdue on `on` (or with penalty outstanding)
    for the days after `on` up to `until`; returns what they owe as of `on`.

    Their accrual is brought to `on` first, so the penalty up to that day counts as usual.
    Penalty held in the grace days is frozen with the rest: it was not part of what they owed
    on `on`."""
    installments_accrue_to(loan, installments, on)
    for installment in installments:
        overdue = installment.due_date < on and installment.base_outstanding > 0
        if not (overdue or installment.penalty_outstanding > 0):
            continue
        installment.frozen_from = on
        installment.frozen_until = until
        installment.penalty_frozen += installment.penalty_held
        installment.penalty_held = ZERO
    Installment.objects.bulk_update(installments, [*FREEZE_FIELDS, "accrued_through"])
    return frozen_part(installments)


def penalty_freeze_release(installments: list[Installment]) -> Decimal:
    """The offer was fulfilled: the frozen penalty is never owed. In memory (the repayment
    that fulfils it saves the rows); returns the penalty dropped."""
    dropped = ZERO
    for installment in installments:
        if installment.freeze is None:
            continue
        dropped += installment.penalty_frozen
        installment.penalty_frozen = ZERO
        installment.frozen_from = installment.frozen_until = None
    return dropped


def penalty_unfreeze(*, loan: Loan, installments: list[Installment]) -> Decimal:
    """The offer expired: the frozen days count as if they had never been frozen. Returns the
    penalty that became owed (or held, within the grace days) again."""
    restored = freezes_end(loan=loan, installments=installments)
    Installment.objects.bulk_update(installments, FREEZE_FIELDS)
    return restored


def freezes_end(
    *, loan: Loan, installments: list[Installment], after: date | None = None
) -> Decimal:
    """End the freeze of the installments (those whose freeze ended before `after`, if
    given) in memory: their frozen penalty is owed as if never frozen. Returns it."""
    restored = ZERO
    for installment in installments:
        freeze = installment.freeze
        if freeze is None or (after is not None and freeze.until >= after):
            continue
        restored += installment.penalty_frozen
        installment.accrual = calculations.unfreeze(
            installment.accrual, due_date=installment.due_date, grace_days=loan.grace_days
        )
        installment.penalty_frozen = ZERO
        installment.frozen_from = installment.frozen_until = None
    return restored
