"""Posting a relief: a repayment that completes an offer posts the waiver first, then is
allocated — in one transaction (domain.md §7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from loans import calculations
from loans.calculations import ZERO
from loans.models import Installment, Loan, Repayment
from loans.services import clean_amount, repayment_record
from relief.models import ActorKind, ApplicationStatus, ReliefApplication
from relief.selectors import fulfil_amount
from relief.services.transitions import application_lock, transition


def offer_waiver(
    loan: Loan, installments: list[Installment], paid_on: date, amount: Decimal
) -> Decimal:
    """If `amount` paid on `paid_on` completes the loan's open offer, post the waiver on the
    locked installments (in memory; the repayment saves them) and fulfil the application."""
    offer_id = (
        ReliefApplication.objects.filter(
            loan=loan,
            status__in=(ApplicationStatus.APPROVED, ApplicationStatus.ACCEPTED),
        )
        .values_list("pk", flat=True)
        .first()
    )
    if offer_id is None:
        return ZERO
    application = application_lock(offer_id)
    if paid_on > application.offer_deadline:
        return ZERO
    overdue = sum((i.base_outstanding for i in installments if i.due_date < paid_on), ZERO)
    penalty = sum((i.penalty_outstanding for i in installments), ZERO)
    relief = application.decided_amount or ZERO
    if amount < fulfil_amount(overdue=overdue, penalty=penalty, relief=relief):
        return ZERO
    waiver = min(relief, penalty)
    by_index = calculations.spread_waiver(
        waiver, [(index, i.penalty_outstanding) for index, i in enumerate(installments)]
    )
    for index, piece in by_index:
        installments[index].penalty_waived += piece
    application.waived_amount = waiver
    transition(
        application,
        "fulfil",
        actor_kind=ActorKind.SYSTEM,
        note=f"waiver {waiver} posted",
        data={"waived": str(waiver), "paid_on": paid_on.isoformat()},
        update_fields=("waived_amount",),
    )
    return waiver


def repayment_post(
    *, loan: Loan, amount, paid_on: date, reference: str, recorded_by=None
) -> Repayment:
    """Record a repayment from the core system; it fulfils an open offer it completes.

    The waiver reaches the repayment through `before_allocation`: loans knows nothing of
    relief, relief hands it the step to run with the rows locked."""
    cleaned = clean_amount(amount)
    return repayment_record(
        loan=loan,
        amount=cleaned,
        paid_on=paid_on,
        reference=reference,
        recorded_by=recorded_by,
        before_allocation=lambda locked, installments, day: offer_waiver(
            locked, installments, day, cleaned
        ),
    )
