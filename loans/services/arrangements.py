"""Moving money for repayment arrangements (domain.md §9): a plan's start, a deferral's
start, and the nightly job that breaks plans and completes paid ones.

Loans knows nothing of relief: the arrangement's terms (the plan's amounts and due dates, a
deferral's new dates, the interest either adds) come from relief's rules through its
services, which lock the loan and its installments first (`loan_lock`), then the application.

No amount is edited away: what leaves an installment for a plan is counted in its
`*_moved` columns (as paid and waived are), what arrives is a new plan installment, and each
is an `InstallmentMovement`. What the borrower owes is the same to the fen before and after,
plus the interest an arrangement adds, which is recorded too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from core.errors import ConflictError
from loans import calculations
from loans.calculations import ZERO
from loans.models import Arrangement, Installment, InstallmentMovement, Loan
from loans.selectors import ArrangementBasis, arrangement_basis
from loans.services.accrual import installments_accrue_to
from loans.services.freeze import freezes_end
from loans.services.repayments import BALANCE_FIELDS, installment_set_daily_penalty

ALREADY_ACTIVE = _("This loan already has an active repayment arrangement.")
NOT_PROPOSED = _("This arrangement is %(status)s: only a proposed one can start.")

Kind = InstallmentMovement.Kind
Part = InstallmentMovement.Part
# An arrangement's option and figures: as quoted while proposed, as started once active.
FIGURE_FIELDS = [
    "kind",
    "periods",
    "months",
    "installment_amount",
    "total",
    "moved",
    "extra_interest",
    "first_due_date",
    "last_due_date",
    "updated_at",
]
ARRANGEMENT_FIELDS = [*FIGURE_FIELDS, "status", "started_on", "observation_ends_on"]


def basis_of_locked(loan: Loan, installments: list[Installment], on: date) -> ArrangementBasis:
    """Bring locked installments to `on` (in memory) and read what an arrangement would move."""
    installments_accrue_to(loan, installments, on)
    # A freeze whose offer can no longer be fulfilled is owed, as a repayment would find it.
    freezes_end(loan=loan, installments=installments, after=on)
    return arrangement_basis(((i, i.penalty_outstanding) for i in installments), today=on)


def _start_check(arrangement: Arrangement, loan: Loan) -> None:
    if arrangement.status != Arrangement.Status.PROPOSED:
        raise ConflictError(
            NOT_PROPOSED % {"status": arrangement.get_status_display()},
            code="arrangement_not_proposed",
        )
    if (
        Arrangement.objects.filter(loan=loan, status=Arrangement.Status.ACTIVE)
        .exclude(pk=arrangement.pk)
        .exists()
    ):
        raise ConflictError(ALREADY_ACTIVE, code="active_arrangement")


def _started(arrangement: Arrangement, on: date, *, first: date, last: date) -> None:
    arrangement.status = Arrangement.Status.ACTIVE
    arrangement.started_on = on
    arrangement.observation_ends_on = calculations.months_after(on, arrangement.observation_months)
    arrangement.first_due_date = first
    arrangement.last_due_date = last
    arrangement.save(update_fields=ARRANGEMENT_FIELDS)


def plan_start(
    *,
    arrangement: Arrangement,
    loan: Loan,
    installments: list[Installment],
    on: date,
    amounts: Sequence[Decimal],
    due_dates: Sequence[date],
    interest: Decimal = ZERO,
) -> list[Installment]:
    """Start a plan on a locked loan: move what is overdue on `on` (unpaid principal and
    interest past due, and every installment's penalty outstanding) into plan installments of
    `amounts` falling due on `due_dates`, with the plan's `interest` added.

    The amounts must add up to what moves plus the interest (the rules' split does). Each
    plan installment holds the moved penalty first, then interest, then principal, the order a
    repayment pays them; the overdue installments are settled (paid off on `on`, their penalty
    held in the grace days dropped). Returns the plan installments."""
    _start_check(arrangement, loan)
    basis = basis_of_locked(loan, installments, on)
    moved = basis.plan_total
    if len(amounts) != len(due_dates) or sum(amounts, ZERO) != moved + interest:
        raise ValueError(
            f"the plan's {len(amounts)} amounts ({sum(amounts, ZERO)}) must cover what moves "
            f"({moved}) and its interest ({interest}) on {len(due_dates)} dates"
        )
    movements: list[InstallmentMovement] = []

    def movement(installment: Installment, kind: str, part: str, amount: Decimal) -> None:
        if amount > 0:
            movements.append(
                InstallmentMovement(
                    arrangement=arrangement,
                    installment=installment,
                    kind=kind,
                    part=part,
                    amount=amount,
                    on=on,
                )
            )

    sources = {i.pk: i for i in basis.overdue}
    sources.update({i.pk: i for i, _penalty in basis.with_penalty})
    for installment in sorted(sources.values(), key=lambda i: (i.due_date, i.seq)):
        principal = installment.principal_outstanding
        interest_part = installment.interest_outstanding
        if installment.due_date >= on:
            # Not yet due: only its penalty moves; its principal and interest stay scheduled.
            principal = interest_part = ZERO
        penalty = installment.penalty_outstanding
        installment.principal_moved += principal
        installment.interest_moved += interest_part
        installment.penalty_moved += penalty
        movement(installment, Kind.PLAN_OUT, Part.PRINCIPAL, principal)
        movement(installment, Kind.PLAN_OUT, Part.INTEREST, interest_part)
        movement(installment, Kind.PLAN_OUT, Part.PENALTY, penalty)
        installment.arrangement = arrangement
        installment_set_daily_penalty(installment, loan=loan)
        if installment.base_outstanding == 0 and installment.paid_off_on is None:
            # Settled by the plan; penalty still held in the grace days was never owed.
            installment.paid_off_on = on
            installment.penalty_held = ZERO
    Installment.objects.bulk_update(
        list(sources.values()),
        [*BALANCE_FIELDS, "principal_moved", "interest_moved", "penalty_moved", "arrangement"],
    )

    # Moved penalty first, then interest (moved, then the plan's), then principal.
    moved_interest = basis.overdue_interest
    pieces = calculations.fill_in_order(
        amounts, [basis.penalty_outstanding, moved_interest, interest, basis.overdue_principal]
    )
    next_seq = (loan.installments.aggregate(last=Max("seq"))["last"] or 0) + 1
    plan = [
        Installment(
            loan=loan,
            seq=next_seq + index,
            kind=Installment.Kind.PLAN,
            arrangement=arrangement,
            due_date=due,
            grace_ends_on=calculations.grace_ends_on(due, loan.grace_days),
            principal_due=principal,
            interest_due=interest_in + plan_interest,
            penalty_accrued=penalty,
            accrues_penalty=False,
            daily_penalty=ZERO,
        )
        for index, (due, (penalty, interest_in, plan_interest, principal)) in enumerate(
            zip(due_dates, pieces, strict=True)
        )
    ]
    Installment.objects.bulk_create(plan)
    for installment, (penalty, interest_in, plan_interest, principal) in zip(
        plan, pieces, strict=True
    ):
        movement(installment, Kind.PLAN_IN, Part.PENALTY, penalty)
        movement(installment, Kind.PLAN_IN, Part.INTEREST, interest_in)
        movement(installment, Kind.PLAN_INTEREST, Part.INTEREST, plan_interest)
        movement(installment, Kind.PLAN_IN, Part.PRINCIPAL, principal)
    InstallmentMovement.objects.bulk_create(movements)
    installments.extend(plan)

    arrangement.moved = moved
    arrangement.extra_interest = interest
    arrangement.total = moved + interest
    arrangement.installment_amount = amounts[0]
    _started(arrangement, on, first=due_dates[0], last=due_dates[-1])
    return plan


def deferral_start(
    *,
    arrangement: Arrangement,
    loan: Loan,
    installments: list[Installment],
    on: date,
    due_dates: Sequence[date],
    interest: Decimal = ZERO,
    penalty: Decimal = ZERO,
) -> list[Installment]:
    """Start a deferral on a locked loan: every unpaid installment falls due on the matching
    date of `due_dates` (oldest first; each later than both its old date and `on`), and the
    `interest` for the added months is added to the first one's interest due.

    Penalty already accrued stays; none accrues until a new due date (and its grace days)
    passes. `penalty` is the penalty still owed after any relief (for the arrangement's
    figures only). Returns the rescheduled installments."""
    _start_check(arrangement, loan)
    basis = basis_of_locked(loan, installments, on)
    unpaid = list(basis.unpaid)
    if not unpaid or len(due_dates) != len(unpaid):
        raise ValueError(f"{len(due_dates)} new due dates for {len(unpaid)} unpaid installments")
    movements = []
    for installment, due in zip(unpaid, due_dates, strict=True):
        if due <= installment.due_date or due <= on:
            raise ValueError(f"installment {installment.seq} cannot move to {due}")
        movements.append(
            InstallmentMovement(
                arrangement=arrangement,
                installment=installment,
                kind=Kind.RESCHEDULED,
                part=Part.NONE,
                amount=ZERO,
                due_date_before=installment.due_date,
                due_date_after=due,
                on=on,
            )
        )
        installment.due_date = due
        installment.grace_ends_on = calculations.grace_ends_on(due, loan.grace_days)
        if installment.accrued_through is not None:
            # Accrued up to the start; nothing more until the new due date passes.
            installment.accrued_through = due
        installment.arrangement = arrangement
    first = unpaid[0]
    if interest > 0:
        first.interest_due += interest
        movements.append(
            InstallmentMovement(
                arrangement=arrangement,
                installment=first,
                kind=Kind.DEFERRAL_INTEREST,
                part=Part.INTEREST,
                amount=interest,
                on=on,
            )
        )
    installment_set_daily_penalty(first, loan=loan)
    Installment.objects.bulk_update(
        unpaid, [*BALANCE_FIELDS, "due_date", "grace_ends_on", "interest_due", "arrangement"]
    )
    InstallmentMovement.objects.bulk_create(movements)

    arrangement.moved = basis.unpaid_amount
    arrangement.extra_interest = interest
    arrangement.total = basis.unpaid_amount + interest + penalty
    arrangement.installment_amount = first.base_outstanding + penalty
    _started(arrangement, on, first=due_dates[0], last=due_dates[-1])
    return unpaid


# --- the nightly job ---------------------------------------------------------------------------

# An active arrangement's own installments: a plan's plan installments; for a deferral the
# installments it moved (the first of which carries its interest).
_BREAKING_SQL = {
    "postgresql": """
        UPDATE loans_arrangement AS a
        SET status = 'broken', broken_on = due.broken_on, updated_at = %(now)s
        FROM (
            SELECT i.arrangement_id AS id, MIN(i.due_date) + a.break_after_days AS broken_on
            FROM loans_installment AS i
            JOIN loans_arrangement AS a ON a.id = i.arrangement_id
            WHERE i.paid_off_on IS NULL AND i.arrangement_id IS NOT NULL
              AND i.due_date < %(day)s
              AND a.status = 'active' AND (a.kind = 'deferral' OR i.kind = 'plan')
            GROUP BY i.arrangement_id, a.break_after_days
            HAVING MIN(i.due_date) + a.break_after_days <= %(day)s
        ) AS due
        WHERE a.id = due.id AND a.status = 'active'
        RETURNING a.id, a.kind, a.broken_on
    """,
    "sqlite": """
        UPDATE loans_arrangement
        SET status = 'broken', updated_at = %(now)s, broken_on = (
            SELECT date(MIN(i.due_date), '+' || loans_arrangement.break_after_days || ' days')
            FROM loans_installment AS i
            WHERE i.arrangement_id = loans_arrangement.id AND i.paid_off_on IS NULL
              AND (loans_arrangement.kind = 'deferral' OR i.kind = 'plan'))
        WHERE status = 'active' AND id IN (
            SELECT i.arrangement_id
            FROM loans_installment AS i
            JOIN loans_arrangement AS a ON a.id = i.arrangement_id
            WHERE i.paid_off_on IS NULL AND i.due_date < %(day)s
              AND a.status = 'active' AND (a.kind = 'deferral' OR i.kind = 'plan')
            GROUP BY i.arrangement_id, a.break_after_days
            HAVING date(MIN(i.due_date), '+' || a.break_after_days || ' days') <= %(day)s)
        RETURNING id, kind, broken_on
    """,
}

# A broken plan's remaining installments fall due on the day it broke, and penalty runs on
# them from that day by the usual rule: those already past due keep their due date (their
# lateness is real) and count penalty from the break; the later ones are brought forward to
# it, with the loan's grace days after it. The due dates before are recorded first.
_BROKEN_MOVEMENTS_SQL = """
    INSERT INTO loans_installmentmovement
        (arrangement_id, installment_id, kind, part, amount, due_date_before, due_date_after,
         "on", created_at)
    SELECT a.id, i.id, 'plan_broken', '', 0, i.due_date,
           CASE WHEN i.due_date > a.broken_on THEN a.broken_on ELSE i.due_date END,
           a.broken_on, %(now)s
    FROM loans_installment AS i JOIN loans_arrangement AS a ON a.id = i.arrangement_id
    WHERE a.id IN ({ids}) AND i.kind = 'plan' AND i.paid_off_on IS NULL
"""
_BROKEN_INSTALLMENTS_SQL = {
    "postgresql": """
        UPDATE loans_installment AS i
        SET due_date = LEAST(i.due_date, a.broken_on),
            grace_ends_on = CASE WHEN i.due_date > a.broken_on
                THEN a.broken_on + l.grace_days ELSE i.grace_ends_on END,
            accrued_through = CASE WHEN i.due_date > a.broken_on THEN NULL ELSE a.broken_on END,
            accrues_penalty = TRUE,
            daily_penalty = ROUND((i.principal_due - i.principal_paid - i.principal_moved
                + i.interest_due - i.interest_paid - i.interest_moved)
                * l.penalty_rate / l.day_count_basis, 2)
        FROM loans_arrangement AS a, loans_loan AS l
        WHERE a.id = i.arrangement_id AND l.id = i.loan_id AND a.id IN ({ids})
          AND i.kind = 'plan' AND i.paid_off_on IS NULL
    """,
    "sqlite": """
        UPDATE loans_installment
        SET grace_ends_on = CASE WHEN due_date > a.broken_on
                THEN date(a.broken_on, '+' || l.grace_days || ' days') ELSE grace_ends_on END,
            accrued_through = CASE WHEN due_date > a.broken_on THEN NULL ELSE a.broken_on END,
            due_date = MIN(due_date, a.broken_on),
            accrues_penalty = 1,
            daily_penalty = ROUND((principal_due - principal_paid - principal_moved
                + interest_due - interest_paid - interest_moved)
                * l.penalty_rate / l.day_count_basis, 2)
        FROM loans_arrangement AS a, loans_loan AS l
        WHERE a.id = loans_installment.arrangement_id AND l.id = loans_installment.loan_id
          AND a.id IN ({ids}) AND kind = 'plan' AND paid_off_on IS NULL
    """,
}

_COMPLETING_SQL = """
    UPDATE loans_arrangement
    SET status = 'completed', updated_at = %(now)s, completed_on = (
        SELECT MAX(i.paid_off_on) FROM loans_installment AS i
        WHERE i.arrangement_id = loans_arrangement.id
          AND (loans_arrangement.kind = 'deferral' OR i.kind = 'plan'))
    WHERE status = 'active' {only} AND NOT EXISTS (
        SELECT 1 FROM loans_installment AS i
        WHERE i.arrangement_id = loans_arrangement.id AND i.paid_off_on IS NULL
          AND ((loans_arrangement.kind = 'plan' AND i.kind = 'plan')
            OR (loans_arrangement.kind = 'deferral'
                AND i.due_date <= loans_arrangement.first_due_date)))
    RETURNING id
"""


def arrangements_break(*, day: date, now) -> list[tuple[int, str, date]]:
    """Break every active arrangement with an installment of its own still unpaid
    `break_after_days` after its due date, as of `day`: set-based, in a few statements.

    The day it broke is that due date plus `break_after_days` (not the day the job ran). A
    broken plan's remaining installments fall due then and accrue penalty from then by the
    usual rule (each change recorded); a broken deferral changes no money (its installments
    already accrue penalty past their new due dates). Returns (id, kind, broken_on) of each."""
    vendor = connection.vendor
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_BREAKING_SQL[vendor], {"day": day.isoformat(), "now": now})
        broken = [(row[0], row[1], _as_date(row[2])) for row in cursor.fetchall()]
        plans = [str(int(id_)) for id_, kind, _on in broken if kind == Arrangement.Kind.PLAN]
        if plans:
            ids = ", ".join(plans)
            cursor.execute(_BROKEN_MOVEMENTS_SQL.format(ids=ids), {"now": now})
            cursor.execute(_BROKEN_INSTALLMENTS_SQL[vendor].format(ids=ids))
    return broken


def arrangements_complete(*, now, loan_id: int | None = None) -> list[int]:
    """Complete every active arrangement whose own installments are paid: a plan's last plan
    installment, a deferral's first rescheduled installment (she is back on track). One
    statement; only `loan_id`'s when given (a repayment just paid it). Returns their ids."""
    only = "AND loan_id = %(loan_id)s" if loan_id is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(_COMPLETING_SQL.format(only=only), {"now": now, "loan_id": loan_id})
        return [row[0] for row in cursor.fetchall()]


def _as_date(value) -> date:
    # SQLite returns dates as text.
    return value if isinstance(value, date) else date.fromisoformat(value)


def arrangement_cancel(*, arrangement: Arrangement, on: date) -> None:
    """A proposed arrangement that will never start (its application ended otherwise)."""
    if arrangement.status != Arrangement.Status.PROPOSED:
        return
    arrangement.status = Arrangement.Status.CANCELLED
    arrangement.cancelled_on = on
    arrangement.save(update_fields=["status", "cancelled_on", "updated_at"])


__all__ = [
    "FIGURE_FIELDS",
    "arrangement_cancel",
    "arrangements_break",
    "arrangements_complete",
    "basis_of_locked",
    "deferral_start",
    "plan_start",
]
