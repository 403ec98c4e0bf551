"""Recording money received: accrue to its date, then allocate (domain.md §3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.errors import ConflictError, DomainError
from loans import calculations
from loans.calculations import ZERO
from loans.models import Installment, Loan, Repayment
from loans.selectors import local_today
from loans.services.accrual import installments_accrue_to
from loans.services.freeze import freezes_end

AMOUNT_NOT_POSITIVE = _("The amount must be greater than zero.")
MAX_AMOUNT = Decimal("1000000000000")
AMOUNT_TOO_LARGE = _("The amount is too large.")
AMOUNT_NOT_FEN = _("The amount must have at most two decimal places.")
LOAN_NOT_ACTIVE = _("This loan is not active; repayments cannot be recorded on it.")
REFERENCE_REUSED = _("This reference was already used for a different repayment.")
REPAYMENT_TOO_LARGE = _(
    "The amount is more than everything owed on the loan (%(owed)s); nothing was recorded."
)
REFERENCE_REQUIRED = _("A reference is required.")
REQUIRED = _("Required.")
PAID_ON_IN_FUTURE = _("The payment date cannot be in the future.")
PAID_ON_BEFORE_DISBURSAL = _("The payment date is before the loan was disbursed.")
PAID_ON_OUT_OF_ORDER = _(
    "A later repayment (%(last)s) is already recorded; repayments must be posted in date order."
)


def installment_set_daily_penalty(installment: Installment, *, loan: Loan) -> None:
    """Keep the stored daily penalty equal to the rule for the current unpaid base (none on
    a kept plan's installments, domain.md §9)."""
    installment.daily_penalty = (
        loan.daily_penalty_on(installment.base_outstanding) if installment.accrues_penalty else ZERO
    )


def clean_amount(value, *, field: str = "amount") -> Decimal:
    """A positive amount in fen, or a DomainError naming the field."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError.for_field(field, AMOUNT_NOT_POSITIVE) from None
    if not amount.is_finite() or amount <= 0:
        raise DomainError.for_field(field, AMOUNT_NOT_POSITIVE)
    if amount >= MAX_AMOUNT:
        raise DomainError.for_field(field, AMOUNT_TOO_LARGE)
    if amount != amount.quantize(calculations.CENT):
        raise DomainError.for_field(field, AMOUNT_NOT_FEN)
    return amount


def loan_lock(loan_id: int) -> tuple[Loan, list[Installment]]:
    """Lock a loan and its installments (oldest due first: a plan's installments take their
    place among the scheduled ones by due date) for a balance change."""
    loan = Loan.objects.select_for_update().get(pk=loan_id)
    installments = list(
        Installment.objects.select_for_update().filter(loan=loan).order_by("due_date", "seq")
    )
    return loan, installments


ACCRUAL_FIELDS = ["penalty_accrued", "penalty_held", "accrued_through", "penalty_frozen"]
BALANCE_FIELDS = [
    *ACCRUAL_FIELDS,
    "frozen_from",
    "frozen_until",
    "principal_paid",
    "interest_paid",
    "penalty_paid",
    "penalty_waived",
    "daily_penalty",
    "paid_off_on",
]


def repayment_by_reference(
    reference: str, *, loan_id: int, amount: Decimal, paid_on: date
) -> Repayment | None:
    """The repayment already recorded under `reference`, if it is this one (marked
    `replayed`); a conflict if the reference was used for another."""
    existing = Repayment.objects.filter(reference=reference).first()
    if existing is None:
        return None
    if (existing.loan_id, existing.amount, existing.paid_on) == (loan_id, amount, paid_on):
        existing.replayed = True
        return existing
    raise ConflictError(REFERENCE_REUSED, code="duplicate_reference")


@dataclass(frozen=True)
class AllocationTerms:
    """What a `before_allocation` step tells the allocation: the waiver it posted, and
    penalty the money must leave alone (by the installment's index in the locked list),
    such as the part of an accepted offer's penalty that its waiver is to cover."""

    waiver: Decimal = ZERO
    penalty_kept: dict[int, Decimal] = field(default_factory=dict)


@transaction.atomic
def repayment_record(
    *,
    loan: Loan,
    amount: Decimal,
    paid_on: date,
    reference: str,
    recorded_by=None,
    before_allocation=None,
) -> Repayment:
    """Record money received: accrue to its date, then pay penalty, interest, principal,
    oldest installment first.

    Idempotent by `reference`: the same repayment again returns the recorded one (with
    `replayed` True); the same reference with other details is a conflict. A payment above
    everything owed is refused (the product keeps no credit balances; the core system
    returns the excess).
    `before_allocation(loan, installments, paid_on)` runs with the rows locked and accrued,
    before the money is split, and returns `AllocationTerms`: relief uses it to post a waiver
    the payment completes, or to keep a standing offer's waivable penalty from being paid.
    """
    amount = clean_amount(amount)
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(REFERENCE_REQUIRED, fields={"reference": [str(REQUIRED)]})
    existing = repayment_by_reference(reference, loan_id=loan.pk, amount=amount, paid_on=paid_on)
    if existing is not None:
        return existing

    loan, installments = loan_lock(loan.pk)
    # Again under the lock: the same repayment sent twice at once waited on the lock, and
    # must now find the first one rather than allocate the money a second time.
    existing = repayment_by_reference(reference, loan_id=loan.pk, amount=amount, paid_on=paid_on)
    if existing is not None:
        return existing
    if loan.status != Loan.Status.ACTIVE:
        raise ConflictError(LOAN_NOT_ACTIVE, code="loan_not_active")
    if paid_on > local_today():
        raise DomainError.for_field("paid_on", PAID_ON_IN_FUTURE)
    if paid_on < loan.disbursed_on:
        raise DomainError.for_field("paid_on", PAID_ON_BEFORE_DISBURSAL)
    last = loan.repayments.order_by("-paid_on").values_list("paid_on", flat=True).first()
    if last is not None and paid_on < last:
        raise ConflictError(PAID_ON_OUT_OF_ORDER % {"last": last}, code="out_of_order")

    # Accrual may already have run past the payment date; remember how far, so that after
    # the base changes the later days are counted again on the new base.
    accrued_until = {i.pk: i.accrued_through for i in installments}
    installments_accrue_to(loan, installments, paid_on)
    # A freeze whose deadline passed before this payment is over (its offer can no longer be
    # fulfilled): its days are owed, as the pages already show, before the money is split.
    freezes_end(loan=loan, installments=installments, after=paid_on)
    terms = AllocationTerms()
    if before_allocation is not None:
        terms = before_allocation(loan, installments, paid_on) or terms

    owed = [
        calculations.Owed(
            key=index,
            penalty=i.penalty_outstanding - terms.penalty_kept.get(index, ZERO),
            interest=i.interest_outstanding,
            principal=i.principal_outstanding,
        )
        for index, i in enumerate(installments)
    ]
    total_owed = sum((o.total for o in owed), ZERO)
    parts, leftover = calculations.allocate(amount, owed)
    if leftover > 0:
        raise DomainError.for_field(
            "amount", REPAYMENT_TOO_LARGE % {"owed": total_owed}, code="more_than_owed"
        )

    for part in parts:
        installment = installments[part.key]
        installment.penalty_paid += part.penalty
        installment.interest_paid += part.interest
        installment.principal_paid += part.principal
        installment_set_daily_penalty(installment, loan=loan)
        if installment.base_outstanding == 0 and installment.paid_off_on is None:
            installment.paid_off_on = paid_on
            if calculations.paid_within_grace(installment.due_date, loan.grace_days, paid_on):
                # Penalty of the grace days is dropped, frozen ones too (as if never frozen).
                installment.penalty_held = installment.penalty_frozen = ZERO
    for installment in installments:
        later = accrued_until[installment.pk]
        if installment.paid_off_on is None and later and later > paid_on:
            installments_accrue_to(loan, [installment], later)
    Installment.objects.bulk_update(installments, BALANCE_FIELDS)

    if all(i.base_outstanding == 0 and i.penalty_outstanding == 0 for i in installments):
        loan.status = Loan.Status.CLOSED
        loan.save(update_fields=["status", "updated_at"])
    try:
        with transaction.atomic():
            return Repayment.objects.create(
                loan=loan,
                amount=amount,
                paid_on=paid_on,
                reference=reference,
                recorded_by=recorded_by,
                waiver_posted=terms.waiver,
                allocation=[
                    {
                        "seq": installments[p.key].seq,
                        "penalty": str(p.penalty),
                        "interest": str(p.interest),
                        "principal": str(p.principal),
                    }
                    for p in parts
                ],
            )
    except IntegrityError as exc:
        if "reference" not in str(exc):
            raise
        # The reference was taken meanwhile by a repayment on another loan.
        raise ConflictError(REFERENCE_REUSED, code="duplicate_reference") from None
