"""The daily penalty accrual: set-based for the nightly run, in memory for one locked loan."""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction

from loans import calculations
from loans.models import Installment, Loan
from loans.selectors import local_today


def installments_accrue_to(loan: Loan, installments: list[Installment], day: date) -> None:
    """Bring locked, unpaid installments' accrual to `day` in memory (the caller saves). A kept
    plan's installments carry no penalty (domain.md §9) and are left alone."""
    for installment in installments:
        if installment.paid_off_on is not None or not installment.accrues_penalty:
            continue
        installment.accrual = calculations.accrue_to(
            installment.accrual,
            day=day,
            due_date=installment.due_date,
            grace_days=loan.grace_days,
            daily=installment.daily_penalty,
            freeze=installment.freeze,
        )


# Days inside an installment's freeze among those accrued now (start + 1 … day), as in
# `calculations.frozen_days`, count into `penalty_frozen`; the others are owed as usual.
_ACCRUE_SQL = {
    "postgresql": """
        UPDATE loans_installment AS i
        SET penalty_accrued = i.penalty_accrued + i.penalty_held + i.daily_penalty * (
                %(day)s::date - COALESCE(i.accrued_through, i.due_date)
                - CASE WHEN i.frozen_until IS NULL THEN 0 ELSE GREATEST(0,
                    LEAST(%(day)s::date, i.frozen_until)
                    - GREATEST(COALESCE(i.accrued_through, i.due_date), i.frozen_from)) END),
            penalty_frozen = i.penalty_frozen + i.daily_penalty * (
                CASE WHEN i.frozen_until IS NULL THEN 0 ELSE GREATEST(0,
                    LEAST(%(day)s::date, i.frozen_until)
                    - GREATEST(COALESCE(i.accrued_through, i.due_date), i.frozen_from)) END),
            penalty_held = 0,
            accrued_through = %(day)s::date
        FROM loans_loan AS l
        WHERE l.id = i.loan_id AND l.status = 'active'
          AND i.paid_off_on IS NULL AND i.accrues_penalty
          AND i.grace_ends_on < %(day)s::date
          AND COALESCE(i.accrued_through, i.due_date) < %(day)s::date
    """,
    "sqlite": """
        UPDATE loans_installment
        SET penalty_accrued = ROUND(penalty_accrued + penalty_held + daily_penalty * (
                CAST(julianday(%(day)s) - julianday(COALESCE(accrued_through, due_date))
                    AS INTEGER)
                - CASE WHEN frozen_until IS NULL THEN 0 ELSE MAX(0, CAST(
                    julianday(MIN(%(day)s, frozen_until))
                    - julianday(MAX(COALESCE(accrued_through, due_date), frozen_from))
                    AS INTEGER)) END), 2),
            penalty_frozen = ROUND(penalty_frozen + daily_penalty * (
                CASE WHEN frozen_until IS NULL THEN 0 ELSE MAX(0, CAST(
                    julianday(MIN(%(day)s, frozen_until))
                    - julianday(MAX(COALESCE(accrued_through, due_date), frozen_from))
                    AS INTEGER)) END), 2),
            penalty_held = 0,
            accrued_through = %(day)s
        WHERE paid_off_on IS NULL AND accrues_penalty
          AND grace_ends_on < %(day)s
          AND COALESCE(accrued_through, due_date) < %(day)s
          AND loan_id IN (SELECT id FROM loans_loan WHERE status = 'active')
    """,
}


def penalties_accrue(*, day: date | None = None) -> int:
    """Bring every overdue installment's penalty up to `day` in one set-based UPDATE.

    Only installments past their grace days change: the grace days' penalty is added when
    they pass unpaid. A kept plan's installments are skipped: the plan carries no penalty.
    Days inside an installment's freeze go to its frozen penalty. Running it again for the
    same day changes nothing. Returns the number of installments updated.
    """
    day = day or local_today()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_ACCRUE_SQL[connection.vendor], {"day": day.isoformat()})
        return cursor.rowcount
