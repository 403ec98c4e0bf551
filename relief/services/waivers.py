"""Posting a relief: a repayment that completes an offer posts the waiver first, then is
allocated — in one transaction (domain.md §7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from loans import calculations
from loans.calculations import ZERO
from loans.models import Installment, Loan, Repayment
from loans.services import (
    AllocationTerms,
    clean_amount,
    frozen_part,
    penalty_freeze_release,
    repayment_record,
)
from relief.models import ActorKind, ApplicationStatus, ReliefApplication
from relief.selectors import fulfil_amount
from relief.services.arrangements import arrangement_complete_after_repayment
from relief.services.outcomes import applications_repaid_on_settle
from relief.services.transitions import application_lock, transition


def offer_waiver(
    loan: Loan, installments: list[Installment], paid_on: date, amount: Decimal
) -> AllocationTerms:
    """If `amount` paid on `paid_on` completes the loan's open offer, post the waiver on the
    locked installments (in memory; the repayment saves them) and fulfil the application.

    An accepted offer's figure is fixed: what its frozen installments still owe, less the
    relief. Money that does not complete it is kept off the penalty the waiver is to cover,
    so that repaying the figure in several parts fulfils the offer as one repayment would."""
    offer_id = (
        ReliefApplication.objects.filter(
            loan=loan,
            status__in=(ApplicationStatus.APPROVED, ApplicationStatus.ACCEPTED),
            # Relief asked for with an arrangement posts when the arrangement starts.
            arrangement__isnull=True,
        )
        .values_list("pk", flat=True)
        .first()
    )
    if offer_id is None:
        return AllocationTerms()
    application = application_lock(offer_id)
    if paid_on > application.offer_deadline:
        return AllocationTerms()
    relief = application.decided_amount or ZERO
    # Accepted with its figure fixed (offers accepted before figures were fixed have none
    # stored and keep the earlier rule).
    fixed = (
        application.status == ApplicationStatus.ACCEPTED
        and application.repay_to_fulfil_at_acceptance is not None
    )
    if fixed:
        covered = [(index, i) for index, i in enumerate(installments) if i.freeze is not None]
        frozen = frozen_part(installments)
        overdue, penalty = frozen.overdue, frozen.penalty
    else:
        # Before acceptance nothing is fixed: everything overdue on the day it is paid.
        covered = list(enumerate(installments))
        overdue = sum((i.base_outstanding for i in installments if i.due_date < paid_on), ZERO)
        penalty = sum((i.penalty_outstanding for i in installments), ZERO)
    waiver = min(relief, penalty)
    by_index = calculations.spread_waiver(
        waiver, [(index, i.penalty_outstanding) for index, i in covered]
    )
    if amount < fulfil_amount(overdue=overdue, penalty=penalty, relief=relief):
        return AllocationTerms(penalty_kept=dict(by_index) if fixed else {})
    for index, piece in by_index:
        installments[index].penalty_waived += piece
    not_charged = penalty_freeze_release(installments)
    application.waived_amount = waiver
    transition(
        application,
        "fulfil",
        actor_kind=ActorKind.SYSTEM,
        note=f"waiver {waiver} posted",
        data={
            "waived": str(waiver),
            "paid_on": paid_on.isoformat(),
            "frozen_penalty_not_charged": str(not_charged),
        },
        update_fields=("waived_amount",),
    )
    return AllocationTerms(waiver=waiver)


@transaction.atomic
def repayment_post(
    *, loan: Loan, amount, paid_on: date, reference: str, recorded_by=None
) -> Repayment:
    """Record a repayment from the core system; it fulfils an open offer it completes, and
    completes an arrangement it pays off (domain.md §9) and sets the repayment date of the
    loan's decided cases it completes (`repaid_on`), in the same transaction.

    The waiver reaches the repayment through `before_allocation`: loans knows nothing of
    relief, relief hands it the step to run with the rows locked."""
    cleaned = clean_amount(amount)
    repayment = repayment_record(
        loan=loan,
        amount=cleaned,
        paid_on=paid_on,
        reference=reference,
        recorded_by=recorded_by,
        before_allocation=lambda locked, installments, day: offer_waiver(
            locked, installments, day, cleaned
        ),
    )
    if not getattr(repayment, "replayed", False):
        # The loan's rows are locked by the repayment; the application comes after them.
        arrangement_complete_after_repayment(loan_id=repayment.loan_id)
        applications_repaid_on_settle(loan_id=loan.pk)
    return repayment
