"""Loans sent by the core system: created, or their future replaced (docs/domain.md,
"Servicing")."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.errors import ConflictError, DomainError
from loans.models import Installment, Loan, LoanProduct
from loans.selectors import local_today
from loans.services import clean_amount, loan_lock
from loans.services.repayments import LOAN_NOT_ACTIVE
from servicing.services.borrowers import BorrowerData, borrower_clean, borrower_upsert, model_clean
from servicing.services.schedules import (
    InstallmentData,
    installment_has_begun,
    installment_new,
    installment_terms,
    schedule_clean,
)

UNKNOWN_PRODUCT = _("Unknown loan product %(code)s.")
DISBURSED_IN_FUTURE = _("The disbursal date cannot be in the future.")
LOAN_OF_OTHER_BORROWER = _("Loan %(loan)s belongs to another borrower.")
CONTRACT_FIXED = _("The product of an existing loan cannot change: its contract terms are fixed.")
DISBURSAL_FIXED = _("The disbursal date cannot change once an installment has fallen due.")
INSTALLMENT_LOCKED = _(
    "Installment %(seq)s has fallen due or has money on it; it must be sent unchanged."
)
INSTALLMENT_IN_PAST = _(
    "Installment %(seq)s: a changed or added installment must fall due after today."
)
# What the core system sends of the loan itself; the rest comes from the product.
LOAN_FIELDS_NOT_SENT = ["borrower", "product", *LoanProduct.CONTRACT_TERMS]


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
    principal = clean_amount(principal, field="principal")
    model_clean(
        Loan(external_id=external_id, principal=principal, disbursed_on=disbursed_on),
        exclude=LOAN_FIELDS_NOT_SENT,
    )
    if disbursed_on > today:
        raise DomainError.for_field("disbursed_on", DISBURSED_IN_FUTURE)
    schedule = schedule_clean(installments, principal=principal, disbursed_on=disbursed_on)
    borrower_data = borrower_clean(borrower)
    product = LoanProduct.objects.filter(code=product_code).first()
    if product is None:
        raise DomainError.for_field("product", UNKNOWN_PRODUCT % {"code": product_code})

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
                    **product.contract_terms(),
                )
                Installment.objects.bulk_create(installment_new(loan, i) for i in schedule)
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
    # Installments an arrangement made or changed (domain.md §9) are the arrangement's: the
    # core system's schedule keeps them as they are, whatever it sends for them, and cannot
    # number a new installment like a plan's.
    ours = {i.seq: i for i in existing if i.arrangement_id is not None}
    for item in schedule:
        if item.seq in ours and ours[item.seq].kind == Installment.Kind.PLAN:
            raise ConflictError(
                INSTALLMENT_LOCKED % {"seq": item.seq},
                code="installment_locked",
                extra={"seq": item.seq},
            )
    existing = [i for i in existing if i.arrangement_id is None]
    schedule = [item for item in schedule if item.seq not in ours]
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
            to_create.append(installment_new(loan, item))
        else:
            fresh = installment_new(loan, item)
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
