"""A loan's schedule as the core system sends it: the rules a schedule must keep, and which
installments are history that a new schedule may not change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from loans import calculations
from loans.calculations import ZERO
from loans.models import Installment, Loan
from loans.services.repayments import MAX_AMOUNT

SCHEDULE_EMPTY = _("A loan needs at least one installment.")
SCHEDULE_TOO_LONG = _("A loan can have at most %(max)s installments.")
SEQ_INVALID = _("Installment numbers must be whole numbers from 1 to 32767, each used once.")
DUE_DATES_INVALID = _(
    "Due dates must fall after the disbursal date, within 50 years of it, and rise with "
    "the installment number."
)
AMOUNT_INVALID = _("Installment %(seq)s: amounts must be 0 or more, in fen, and not both 0.")
PRINCIPAL_MISMATCH = _(
    "The principal (%(principal)s) must equal the sum of the installments' principal due "
    "(%(total)s)."
)
MAX_INSTALLMENTS = 600
MAX_SCHEDULE_DAYS = 366 * 50
# The fields an installment's history is made of: any of them not zero means money moved.
MONEY_MOVED_FIELDS = (
    "principal_paid",
    "interest_paid",
    "penalty_accrued",
    "penalty_held",
    "penalty_frozen",
    "penalty_paid",
    "penalty_waived",
)


@dataclass(frozen=True)
class InstallmentData:
    seq: int
    due_date: date
    principal_due: Decimal
    interest_due: Decimal


def clean_fen(value, *, seq: int) -> Decimal:
    """An installment amount in fen that may be 0 (an installment may carry no interest)."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        amount = Decimal("NaN")
    if (
        not amount.is_finite()
        or amount < 0
        or amount >= MAX_AMOUNT
        or amount != amount.quantize(calculations.CENT)
    ):
        raise DomainError.for_field("installments", AMOUNT_INVALID % {"seq": seq})
    return amount


def schedule_clean(
    installments, *, principal: Decimal, disbursed_on: date
) -> list[InstallmentData]:
    """Check a schedule as a whole: numbering, dates in order, amounts in fen, and the
    principal due adding up to the loan's principal. Returns it ordered by number."""
    schedule = sorted(installments, key=lambda i: i.seq if isinstance(i.seq, int) else 0)
    if not schedule:
        raise DomainError.for_field("installments", SCHEDULE_EMPTY)
    if len(schedule) > MAX_INSTALLMENTS:
        raise DomainError.for_field("installments", SCHEDULE_TOO_LONG % {"max": MAX_INSTALLMENTS})
    seqs = [i.seq for i in schedule]
    if len(set(seqs)) != len(seqs) or any(
        type(seq) is not int or not 1 <= seq <= 32767 for seq in seqs
    ):
        raise DomainError.for_field("installments", SEQ_INVALID)
    dates = [i.due_date for i in schedule]
    last_allowed = disbursed_on.toordinal() + MAX_SCHEDULE_DAYS
    if (
        dates[0] <= disbursed_on
        or dates[-1].toordinal() > last_allowed
        or any(later <= earlier for earlier, later in pairwise(dates))
    ):
        raise DomainError.for_field("installments", DUE_DATES_INVALID)
    cleaned = []
    for item in schedule:
        principal_due = clean_fen(item.principal_due, seq=item.seq)
        interest_due = clean_fen(item.interest_due, seq=item.seq)
        if principal_due + interest_due == 0:
            raise DomainError.for_field("installments", AMOUNT_INVALID % {"seq": item.seq})
        cleaned.append(InstallmentData(item.seq, item.due_date, principal_due, interest_due))
    total = sum((i.principal_due for i in cleaned), ZERO)
    if total != principal:
        raise DomainError.for_field(
            "principal", PRINCIPAL_MISMATCH % {"principal": principal, "total": total}
        )
    return cleaned


def installment_has_begun(installment: Installment, today: date) -> bool:
    """Fallen due, or with money on it: it is history and the schedule cannot change it."""
    return (
        installment.due_date <= today
        or installment.paid_off_on is not None
        or any(getattr(installment, field) != 0 for field in MONEY_MOVED_FIELDS)
    )


def installment_terms(installment: Installment | InstallmentData) -> tuple:
    return (
        installment.seq,
        installment.due_date,
        installment.principal_due,
        installment.interest_due,
    )


def installment_new(loan: Loan, item: InstallmentData) -> Installment:
    """An installment of `loan` as scheduled, its daily penalty set for the whole base."""
    return Installment(
        loan=loan,
        seq=item.seq,
        due_date=item.due_date,
        grace_ends_on=calculations.grace_ends_on(item.due_date, loan.grace_days),
        principal_due=item.principal_due,
        interest_due=item.interest_due,
        daily_penalty=loan.daily_penalty_on(item.principal_due + item.interest_due),
    )
