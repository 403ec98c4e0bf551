"""Changing loans: repayments and the daily penalty accrual (domain.md §3).

Every balance change runs in one transaction with the loan and its installments locked, so
two repayments at once are applied one after the other and nothing is lost.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from core.errors import ConflictError, DomainError
from loans import calculations
from loans.calculations import ZERO
from loans.models import Installment, Loan, Repayment
from loans.selectors import local_today

AMOUNT_NOT_POSITIVE = _("The amount must be greater than zero.")
MAX_AMOUNT = Decimal("1000000000000")
AMOUNT_TOO_LARGE = _("The amount is too large.")
AMOUNT_NOT_FEN = _("The amount must have at most two decimal places.")
LOAN_NOT_ACTIVE = _("This loan is not active; repayments cannot be recorded on it.")
REFERENCE_REUSED = _("This reference was already used for a different repayment.")
REPAYMENT_TOO_LARGE = _(
    "The amount is more than everything owed on the loan (%(owed)s); nothing was recorded."
)
PAID_ON_IN_FUTURE = _("The payment date cannot be in the future.")
PAID_ON_BEFORE_DISBURSAL = _("The payment date is before the loan was disbursed.")
PAID_ON_OUT_OF_ORDER = _(
    "A later repayment (%(last)s) is already recorded; repayments must be posted in date order."
)


def installment_set_daily_penalty(installment: Installment, *, penalty_rate: Decimal) -> None:
    """Keep the stored daily penalty equal to the rule for the current unpaid base."""
    installment.daily_penalty = calculations.daily_penalty(
        installment.base_outstanding, penalty_rate
    )


def clean_amount(value, *, field: str = "amount") -> Decimal:
    """A positive amount in fen, or a DomainError naming the field."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(AMOUNT_NOT_POSITIVE, fields={field: [str(AMOUNT_NOT_POSITIVE)]}) from None
    if not amount.is_finite() or amount <= 0:
        raise DomainError(AMOUNT_NOT_POSITIVE, fields={field: [str(AMOUNT_NOT_POSITIVE)]})
    if amount >= MAX_AMOUNT:
        raise DomainError(AMOUNT_TOO_LARGE, fields={field: [str(AMOUNT_TOO_LARGE)]})
    if amount != amount.quantize(calculations.CENT):
        raise DomainError(AMOUNT_NOT_FEN, fields={field: [str(AMOUNT_NOT_FEN)]})
    return amount


def loan_lock(loan_id: int) -> tuple[Loan, list[Installment]]:
    """Lock a loan and its installments (oldest first) for a balance change."""
    loan = Loan.objects.select_for_update().get(pk=loan_id)
    installments = list(Installment.objects.select_for_update().filter(loan=loan).order_by("seq"))
    return loan, installments


def installments_accrue_to(loan: Loan, installments: list[Installment], day: date) -> None:
    """Bring locked, unpaid installments' accrual to `day` in memory (the caller saves)."""
    for installment in installments:
        if installment.paid_off_on is not None:
            continue
        accrual = calculations.accrue_to(
            installment.accrual,
            day=day,
            due_date=installment.due_date,
            grace_days=loan.grace_days,
            daily=installment.daily_penalty,
        )
        installment.penalty_accrued = accrual.penalty_accrued
        installment.penalty_held = accrual.penalty_held
        installment.accrued_through = accrual.accrued_through


ACCRUAL_FIELDS = ["penalty_accrued", "penalty_held", "accrued_through"]
BALANCE_FIELDS = [
    *ACCRUAL_FIELDS,
    "principal_paid",
    "interest_paid",
    "penalty_paid",
    "penalty_waived",
    "daily_penalty",
    "paid_off_on",
]


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

    Idempotent by `reference`: the same repayment again returns the recorded one; the same
    reference with other details is a conflict. A payment above everything owed is refused
    (the product keeps no credit balances; the core system returns the excess).
    `before_allocation(loan, installments, paid_on)` runs with the rows locked and accrued,
    before the money is split: relief uses it to post a waiver the payment completes.
    """
    amount = clean_amount(amount)
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("A reference is required."), fields={"reference": [_("Required.")]})
    existing = Repayment.objects.filter(reference=reference).first()
    if existing is not None:
        if (existing.loan_id, existing.amount, existing.paid_on) == (loan.pk, amount, paid_on):
            return existing
        raise ConflictError(REFERENCE_REUSED, code="duplicate_reference")

    loan, installments = loan_lock(loan.pk)
    if loan.status != Loan.Status.ACTIVE:
        raise ConflictError(LOAN_NOT_ACTIVE, code="loan_not_active")
    if paid_on > local_today():
        raise DomainError(PAID_ON_IN_FUTURE, fields={"paid_on": [str(PAID_ON_IN_FUTURE)]})
    if paid_on < loan.disbursed_on:
        raise DomainError(
            PAID_ON_BEFORE_DISBURSAL, fields={"paid_on": [str(PAID_ON_BEFORE_DISBURSAL)]}
        )
    last = loan.repayments.order_by("-paid_on").values_list("paid_on", flat=True).first()
    if last is not None and paid_on < last:
        raise ConflictError(PAID_ON_OUT_OF_ORDER % {"last": last}, code="out_of_order")

    # Accrual may already have run past the payment date; remember how far, so that after
    # the base changes the later days are counted again on the new base.
    accrued_until = {i.pk: i.accrued_through for i in installments}
    installments_accrue_to(loan, installments, paid_on)
    waiver = ZERO
    if before_allocation is not None:
        waiver = before_allocation(loan, installments, paid_on) or ZERO

    owed = [
        calculations.Owed(
            key=index,
            penalty=i.penalty_outstanding,
            interest=i.interest_outstanding,
            principal=i.principal_outstanding,
        )
        for index, i in enumerate(installments)
    ]
    total_owed = sum((o.total for o in owed), ZERO)
    parts, leftover = calculations.allocate(amount, owed)
    if leftover > 0:
        raise DomainError(
            REPAYMENT_TOO_LARGE % {"owed": total_owed},
            code="more_than_owed",
            fields={"amount": [str(REPAYMENT_TOO_LARGE % {"owed": total_owed})]},
        )

    for part in parts:
        installment = installments[part.key]
        installment.penalty_paid += part.penalty
        installment.interest_paid += part.interest
        installment.principal_paid += part.principal
        installment_set_daily_penalty(installment, penalty_rate=loan.penalty_rate)
        if installment.base_outstanding == 0 and installment.paid_off_on is None:
            installment.paid_off_on = paid_on
            if calculations.paid_within_grace(installment.due_date, loan.grace_days, paid_on):
                installment.penalty_held = ZERO
    for installment in installments:
        later = accrued_until[installment.pk]
        if installment.paid_off_on is None and later and later > paid_on:
            installments_accrue_to(loan, [installment], later)
    Installment.objects.bulk_update(installments, BALANCE_FIELDS)

    if all(i.base_outstanding == 0 and i.penalty_outstanding == 0 for i in installments):
        loan.status = Loan.Status.CLOSED
        loan.save(update_fields=["status", "updated_at"])
    return Repayment.objects.create(
        loan=loan,
        amount=amount,
        paid_on=paid_on,
        reference=reference,
        recorded_by=recorded_by,
        waiver_posted=waiver,
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


_ACCRUE_SQL = {
    "postgresql": """
        UPDATE loans_installment AS i
        SET penalty_accrued = i.penalty_accrued + i.penalty_held
                + i.daily_penalty * (%(day)s::date - COALESCE(i.accrued_through, i.due_date)),
            penalty_held = 0,
            accrued_through = %(day)s::date
        FROM loans_loan AS l
        WHERE l.id = i.loan_id AND l.status = 'active'
          AND i.paid_off_on IS NULL
          AND i.grace_ends_on < %(day)s::date
          AND COALESCE(i.accrued_through, i.due_date) < %(day)s::date
    """,
    "sqlite": """
        UPDATE loans_installment
        SET penalty_accrued = ROUND(penalty_accrued + penalty_held + daily_penalty * CAST(
                julianday(%(day)s) - julianday(COALESCE(accrued_through, due_date)) AS INTEGER
            ), 2),
            penalty_held = 0,
            accrued_through = %(day)s
        WHERE paid_off_on IS NULL
          AND grace_ends_on < %(day)s
          AND COALESCE(accrued_through, due_date) < %(day)s
          AND loan_id IN (SELECT id FROM loans_loan WHERE status = 'active')
    """,
}


def penalties_accrue(*, day: date | None = None) -> int:
    """Bring every overdue installment's penalty up to `day` in one set-based UPDATE.

    Only installments past their grace days change: the grace days' penalty is added when
    they pass unpaid. Running it again for the same day changes nothing. Returns the number
    of installments updated.
    """
    day = day or local_today()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_ACCRUE_SQL[connection.vendor], {"day": day.isoformat()})
        return cursor.rowcount
