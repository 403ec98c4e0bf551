"""Changing loans: repayments and the daily penalty accrual (domain.md §3).

Every balance change runs in one transaction with the loan and its installments locked, so
two repayments at once are applied one after the other and nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext_lazy as _

from core.errors import ConflictError, DomainError
from loans import calculations
from loans.calculations import ZERO
from loans.models import Borrower, Installment, Loan, LoanProduct, Repayment
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


def installment_set_daily_penalty(installment: Installment, *, loan: Loan) -> None:
    """Keep the stored daily penalty equal to the rule for the current unpaid base."""
    installment.daily_penalty = loan.daily_penalty_on(installment.base_outstanding)


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
    before the money is split: relief uses it to post a waiver the payment completes.
    """
    amount = clean_amount(amount)
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("A reference is required."), fields={"reference": [_("Required.")]})
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
        installment_set_daily_penalty(installment, loan=loan)
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
    try:
        with transaction.atomic():
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
    except IntegrityError as exc:
        if "reference" not in str(exc):
            raise
        # The reference was taken meanwhile by a repayment on another loan.
        raise ConflictError(REFERENCE_REUSED, code="duplicate_reference") from None


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


# --- servicing: loans from the lender's core system -------------------------------------------

UNKNOWN_PRODUCT = _("Unknown loan product %(code)s.")
EXTERNAL_ID_REQUIRED = _("An external id is required.")
VALUE_TOO_LONG = _("At most %(max)s characters.")
USERNAME_INVALID = _("A username may contain letters, digits and @ . + - _ only.")
USERNAME_TAKEN = _("The username %(username)s belongs to another account.")
NAME_REQUIRED = _("A name is required.")
LANGUAGE_INVALID = _("The language must be one of %(choices)s.")
DISBURSED_IN_FUTURE = _("The disbursal date cannot be in the future.")
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
LOAN_OF_OTHER_BORROWER = _("Loan %(loan)s belongs to another borrower.")
CONTRACT_FIXED = _("The product of an existing loan cannot change: its contract terms are fixed.")
DISBURSAL_FIXED = _("The disbursal date cannot change once an installment has fallen due.")
INSTALLMENT_LOCKED = _(
    "Installment %(seq)s has fallen due or has money on it; it must be sent unchanged."
)
INSTALLMENT_IN_PAST = _(
    "Installment %(seq)s: a changed or added installment must fall due after today."
)
MAX_INSTALLMENTS = 600
MAX_SCHEDULE_DAYS = 366 * 50


@dataclass(frozen=True)
class BorrowerData:
    external_id: str
    username: str
    name: str
    phone: str = ""
    language: str = Borrower.Language.ZH_HANS


@dataclass(frozen=True)
class InstallmentData:
    seq: int
    due_date: date
    principal_due: Decimal
    interest_due: Decimal


def _too_long(field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        message = VALUE_TOO_LONG % {"max": limit}
        raise DomainError(message, fields={field: [str(message)]})


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
        message = AMOUNT_INVALID % {"seq": seq}
        raise DomainError(message, fields={"installments": [str(message)]})
    return amount


def schedule_clean(
    installments, *, principal: Decimal, disbursed_on: date
) -> list[InstallmentData]:
    """Check a schedule as a whole: numbering, dates in order, amounts in fen, and the
    principal due adding up to the loan's principal. Returns it ordered by number."""
    schedule = sorted(installments, key=lambda i: i.seq if isinstance(i.seq, int) else 0)
    if not schedule:
        raise DomainError(SCHEDULE_EMPTY, fields={"installments": [str(SCHEDULE_EMPTY)]})
    if len(schedule) > MAX_INSTALLMENTS:
        message = SCHEDULE_TOO_LONG % {"max": MAX_INSTALLMENTS}
        raise DomainError(message, fields={"installments": [str(message)]})
    seqs = [i.seq for i in schedule]
    if len(set(seqs)) != len(seqs) or any(
        type(seq) is not int or not 1 <= seq <= 32767 for seq in seqs
    ):
        raise DomainError(SEQ_INVALID, fields={"installments": [str(SEQ_INVALID)]})
    dates = [i.due_date for i in schedule]
    last_allowed = disbursed_on.toordinal() + MAX_SCHEDULE_DAYS
    if (
        dates[0] <= disbursed_on
        or dates[-1].toordinal() > last_allowed
        or any(later <= earlier for earlier, later in pairwise(dates))
    ):
        raise DomainError(DUE_DATES_INVALID, fields={"installments": [str(DUE_DATES_INVALID)]})
    cleaned = []
    for item in schedule:
        principal_due = clean_fen(item.principal_due, seq=item.seq)
        interest_due = clean_fen(item.interest_due, seq=item.seq)
        if principal_due + interest_due == 0:
            message = AMOUNT_INVALID % {"seq": item.seq}
            raise DomainError(message, fields={"installments": [str(message)]})
        cleaned.append(InstallmentData(item.seq, item.due_date, principal_due, interest_due))
    total = sum((i.principal_due for i in cleaned), ZERO)
    if total != principal:
        message = PRINCIPAL_MISMATCH % {"principal": principal, "total": total}
        raise DomainError(message, fields={"principal": [str(message)]})
    return cleaned


def borrower_clean(data: BorrowerData) -> BorrowerData:
    from django.contrib.auth.validators import UnicodeUsernameValidator
    from django.core.exceptions import ValidationError

    external_id = (data.external_id or "").strip()
    if not external_id:
        message = EXTERNAL_ID_REQUIRED
        raise DomainError(message, fields={"borrower.external_id": [str(message)]})
    _too_long("borrower.external_id", external_id, 64)
    username = (data.username or "").strip()
    _too_long("borrower.username", username, 150)
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise DomainError(
            USERNAME_INVALID, fields={"borrower.username": [str(USERNAME_INVALID)]}
        ) from None
    if not username:
        raise DomainError(USERNAME_INVALID, fields={"borrower.username": [str(USERNAME_INVALID)]})
    name = (data.name or "").strip()
    if not name:
        raise DomainError(NAME_REQUIRED, fields={"borrower.name": [str(NAME_REQUIRED)]})
    _too_long("borrower.name", name, 100)
    phone = (data.phone or "").strip()
    _too_long("borrower.phone", phone, 32)
    if data.language not in Borrower.Language.values:
        message = LANGUAGE_INVALID % {"choices": ", ".join(Borrower.Language.values)}
        raise DomainError(message, fields={"borrower.language": [str(message)]})
    return BorrowerData(external_id, username, name, phone, data.language)


def borrower_upsert(data: BorrowerData) -> Borrower:
    """The borrower with this external id, created (with an account that has no usable
    password) when new, else with name, phone and language brought up to date.

    The username is set when the account is made and not changed later: a person's sign-in
    name must not change under them because another system renamed it.
    """
    from django.contrib.auth import get_user_model

    User = get_user_model()
    borrower = Borrower.objects.select_for_update().filter(external_id=data.external_id).first()
    if borrower is None and User.objects.filter(username=data.username).exists():
        # Either another account holds the name, or the same borrower was just made by the
        # same request sent twice at once (committed between the two reads above).
        borrower = Borrower.objects.select_for_update().filter(external_id=data.external_id).first()
        if borrower is None:
            raise ConflictError(
                USERNAME_TAKEN % {"username": data.username},
                code="username_taken",
                fields={"borrower.username": [str(USERNAME_TAKEN % {"username": data.username})]},
            )
    if borrower is None:
        try:
            with transaction.atomic():
                user = User(username=data.username)
                user.set_unusable_password()
                user.save()
                return Borrower.objects.create(
                    user=user,
                    external_id=data.external_id,
                    name=data.name,
                    phone=data.phone,
                    language=data.language,
                )
        except IntegrityError:
            # The same borrower sent twice at once: the other request made them.
            borrower = (
                Borrower.objects.select_for_update().filter(external_id=data.external_id).first()
            )
            if borrower is None:
                raise ConflictError(
                    USERNAME_TAKEN % {"username": data.username}, code="username_taken"
                ) from None
    changed = {
        field: value
        for field, value in (
            ("name", data.name),
            ("phone", data.phone),
            ("language", data.language),
        )
        if getattr(borrower, field) != value
    }
    if changed:
        for field, value in changed.items():
            setattr(borrower, field, value)
        borrower.save(update_fields=list(changed))
    return borrower


def installment_has_begun(installment: Installment, today: date) -> bool:
    """Fallen due, or with money on it: it is history and the schedule cannot change it."""
    return (
        installment.due_date <= today
        or installment.paid_off_on is not None
        or any(
            getattr(installment, field) != 0
            for field in (
                "principal_paid",
                "interest_paid",
                "penalty_accrued",
                "penalty_held",
                "penalty_paid",
                "penalty_waived",
            )
        )
    )


def installment_terms(installment: Installment | InstallmentData) -> tuple:
    return (
        installment.seq,
        installment.due_date,
        installment.principal_due,
        installment.interest_due,
    )


def _installment_new(loan: Loan, item: InstallmentData) -> Installment:
    return Installment(
        loan=loan,
        seq=item.seq,
        due_date=item.due_date,
        grace_ends_on=calculations.grace_ends_on(item.due_date, loan.grace_days),
        principal_due=item.principal_due,
        interest_due=item.interest_due,
        daily_penalty=loan.daily_penalty_on(item.principal_due + item.interest_due),
    )


@transaction.atomic
def loan_upsert(
    *,
    external_id: str,
    borrower: BorrowerData,
    product_code: str,
    principal,
    disbursed_on: date,
    installments: list[InstallmentData],
    today: date | None = None,
) -> tuple[Loan, bool]:
    """Create or replace a loan sent by the core system; returns (loan, created).

    A new loan takes its contract terms (rates, grace days) from the product and may carry
    installments already past due (the book being loaded). On an existing loan, locked for
    the change, only the future is replaced: installments that have fallen due or have any
    money on them must come back unchanged (else a conflict, and nothing is written);
    untouched future installments may change, be added or be removed. The product, and so
    the contract terms, never change (docs/domain.md, "Servicing").
    """
    today = today or local_today()
    external_id = (external_id or "").strip()
    if not external_id:
        raise DomainError(EXTERNAL_ID_REQUIRED, fields={"external_id": [str(EXTERNAL_ID_REQUIRED)]})
    _too_long("external_id", external_id, 64)
    principal = clean_amount(principal, field="principal")
    if disbursed_on > today:
        raise DomainError(DISBURSED_IN_FUTURE, fields={"disbursed_on": [str(DISBURSED_IN_FUTURE)]})
    schedule = schedule_clean(installments, principal=principal, disbursed_on=disbursed_on)
    borrower_data = borrower_clean(borrower)
    product = LoanProduct.objects.filter(code=product_code).first()
    if product is None:
        message = UNKNOWN_PRODUCT % {"code": product_code}
        raise DomainError(message, fields={"product": [str(message)]})

    owner = borrower_upsert(borrower_data)
    loan = Loan.objects.select_for_update().filter(external_id=external_id).first()
    if loan is None:
        try:
            with transaction.atomic():
                loan = Loan.objects.create(
                    external_id=external_id,
                    borrower=owner,
                    product=product,
                    principal=principal,
                    disbursed_on=disbursed_on,
                    annual_rate=product.annual_rate,
                    penalty_rate=product.penalty_rate,
                    grace_days=product.grace_days,
                    day_count_basis=product.day_count_basis,
                )
                Installment.objects.bulk_create(_installment_new(loan, i) for i in schedule)
                return loan, True
        except IntegrityError:
            # Created meanwhile by the same request sent twice: replace it like any other.
            loan = Loan.objects.select_for_update().get(external_id=external_id)

    loan, existing = loan_lock(loan.pk)
    if loan.borrower_id != owner.pk:
        raise ConflictError(
            LOAN_OF_OTHER_BORROWER % {"loan": external_id}, code="loan_of_other_borrower"
        )
    if loan.product_id != product.pk:
        raise ConflictError(CONTRACT_FIXED, code="contract_fixed")
    wanted = {i.seq: i for i in schedule}
    begun = [i for i in existing if installment_has_begun(i, today)]
    for installment in begun:
        item = wanted.get(installment.seq)
        if item is None or installment_terms(item) != installment_terms(installment):
            raise ConflictError(
                INSTALLMENT_LOCKED % {"seq": installment.seq},
                code="installment_locked",
                extra={"seq": installment.seq},
            )
    if begun and disbursed_on != loan.disbursed_on:
        raise ConflictError(DISBURSAL_FIXED, code="installment_locked")

    current = {i.seq: i for i in existing}
    to_delete = [i.pk for i in existing if i.seq not in wanted]
    to_create, to_update = [], []
    for item in schedule:
        installment = current.get(item.seq)
        if installment is not None and installment_terms(installment) == installment_terms(item):
            continue
        if item.due_date <= today:
            # Not begun, yet due by now: adding or moving it would back-date penalty.
            raise ConflictError(
                INSTALLMENT_IN_PAST % {"seq": item.seq},
                code="installment_locked",
                extra={"seq": item.seq},
            )
        if installment is None:
            to_create.append(_installment_new(loan, item))
        else:
            fresh = _installment_new(loan, item)
            fresh.pk = installment.pk
            to_update.append(fresh)
    loan_changed = (loan.principal, loan.disbursed_on) != (principal, disbursed_on)
    if not (to_delete or to_create or to_update or loan_changed):
        return loan, False
    if loan.status != Loan.Status.ACTIVE:
        raise ConflictError(LOAN_NOT_ACTIVE, code="loan_not_active")
    Installment.objects.filter(pk__in=to_delete).delete()
    Installment.objects.bulk_update(
        to_update,
        ["due_date", "grace_ends_on", "principal_due", "interest_due", "daily_penalty"],
    )
    Installment.objects.bulk_create(to_create)
    loan.principal, loan.disbursed_on = principal, disbursed_on
    loan.save(update_fields=["principal", "disbursed_on", "updated_at"])
    return loan, False
