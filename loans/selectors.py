"""Reading loans: what is overdue, the penalty on it, DPD, bucket and repayment history.

Penalty shown is brought to `today` in memory from the stored accrual, so a borrower sees the
exact figure even before the nightly accrual has run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, FilteredRelation, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from loans import calculations
from loans.calculations import ZERO
from loans.models import Arrangement, Borrower, Installment, InstallmentMovement, Loan


def local_today() -> date:
    """Today in the product's time zone (Asia/Shanghai): dates are local, timestamps UTC."""
    return timezone.localdate()


@dataclass(frozen=True)
class InstallmentState:
    """An installment as of a day: stored amounts plus the penalty accrued up to that day."""

    installment: Installment
    days_overdue: int
    penalty_accrued: Decimal
    penalty_held: Decimal
    penalty_frozen: Decimal = ZERO  # counted on the days of a freeze, not owed (domain.md §7)

    @property
    def seq(self) -> int:
        return self.installment.seq

    @property
    def penalty_outstanding(self) -> Decimal:
        # What moved into a plan is owed there, not here (domain.md §9).
        return self.penalty_accrued - self.installment.penalty_settled

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue > 0 and self.installment.base_outstanding > 0

    @property
    def in_grace(self) -> bool:
        return self.is_overdue and self.penalty_held > 0


# The DPD buckets (calculations.bucket) in words a borrower understands.
BUCKET_LABELS = {
    "M0": gettext_lazy("Not overdue"),
    "M1": gettext_lazy("1–30 days overdue"),
    "M2": gettext_lazy("31–60 days overdue"),
    "M3": gettext_lazy("61–90 days overdue"),
    "M4+": gettext_lazy("More than 90 days overdue"),
}


def bucket_label(bucket: str) -> str:
    return str(BUCKET_LABELS.get(bucket, bucket))


@dataclass(frozen=True)
class LoanState:
    loan: Loan
    today: date
    installments: tuple[InstallmentState, ...]
    dpd: int
    bucket: str
    overdue_amount: Decimal
    penalty_outstanding: Decimal

    @property
    def bucket_label(self) -> str:
        """The bucket in plain words for borrowers ("1–30 days overdue"); staff read the code."""
        return bucket_label(self.bucket)

    @property
    def total_overdue(self) -> Decimal:
        """Everything the borrower must pay now: overdue principal and interest plus penalty."""
        return self.overdue_amount + self.penalty_outstanding

    @property
    def is_overdue(self) -> bool:
        return self.dpd > 0 or self.penalty_outstanding > 0

    @property
    def overdue_installments(self) -> tuple[InstallmentState, ...]:
        return tuple(i for i in self.installments if i.is_overdue or i.penalty_outstanding > 0)


def installment_state(installment: Installment, loan: Loan, today: date) -> InstallmentState:
    accrual = installment.accrual
    # A kept plan's installments carry no penalty (domain.md §9): nothing to bring to today.
    if (
        installment.paid_off_on is None
        and installment.accrues_penalty
        and loan.status == Loan.Status.ACTIVE
    ):
        accrual = calculations.accrue_to(
            accrual,
            day=today,
            due_date=installment.due_date,
            grace_days=loan.grace_days,
            daily=installment.daily_penalty,
            freeze=installment.freeze,
        )
    freeze = installment.freeze
    if freeze is not None and today > freeze.until:
        # The offer's deadline has passed and the nightly expiry has not run yet: the frozen
        # days are owed as if never frozen, as the expiry will record.
        accrual = calculations.unfreeze(
            accrual, due_date=installment.due_date, grace_days=loan.grace_days
        )
    unpaid = installment.paid_off_on is None
    return InstallmentState(
        installment=installment,
        days_overdue=calculations.days_overdue(installment.due_date, today) if unpaid else 0,
        penalty_accrued=accrual.penalty_accrued,
        penalty_held=accrual.penalty_held,
        penalty_frozen=accrual.penalty_frozen,
    )


def loan_state(loan: Loan, *, today: date | None = None) -> LoanState:
    """DPD, bucket, overdue amount and penalty outstanding of a loan as of `today`.

    Uses `loan.installments.all()`, so prefetch them when reading many loans.
    """
    today = today or local_today()
    states = tuple(installment_state(i, loan, today) for i in loan.installments.all())
    overdue = [s for s in states if s.is_overdue]
    dpd = max((s.days_overdue for s in overdue), default=0)
    return LoanState(
        loan=loan,
        today=today,
        installments=states,
        dpd=dpd,
        bucket=calculations.bucket(dpd),
        overdue_amount=sum((s.installment.base_outstanding for s in overdue), ZERO),
        penalty_outstanding=sum((s.penalty_outstanding for s in states), ZERO),
    )


@dataclass(frozen=True)
class GraceNotice:
    """An installment late but still within its grace days: no penalty is owed on it yet.
    What a borrower needs to know: until when paying costs nothing extra, and what is owed
    from the first day after the grace days (every day since the due date)."""

    due_date: date
    days_overdue: int
    grace_days: int
    amount_due: Decimal
    pay_by: date
    penalty_from: date
    penalty_on_that_day: Decimal
    daily_penalty: Decimal


def grace_notice(state: LoanState) -> GraceNotice | None:
    """The oldest installment of the loan that is in its grace days, if any."""
    waiting = [row for row in state.installments if row.in_grace]
    if not waiting:
        return None
    row = min(waiting, key=lambda item: item.installment.due_date)
    installment = row.installment
    pay_by = calculations.grace_ends_on(installment.due_date, state.loan.grace_days)
    penalty_from = date.fromordinal(pay_by.toordinal() + 1)
    return GraceNotice(
        due_date=installment.due_date,
        days_overdue=row.days_overdue,
        grace_days=state.loan.grace_days,
        amount_due=installment.base_outstanding,
        pay_by=pay_by,
        penalty_from=penalty_from,
        penalty_on_that_day=installment.daily_penalty * (penalty_from - installment.due_date).days,
        daily_penalty=installment.daily_penalty,
    )


def loans_of_user(user) -> QuerySet[Loan]:
    """The loans a signed-in borrower may see (none for anyone else)."""
    return (
        Loan.objects.filter(borrower__user=user)
        .select_related("product", "borrower")
        .prefetch_related(Prefetch("installments", queryset=Installment.objects.order_by("seq")))
        # The restructured mark (domain.md §9), read with the loans: no query more.
        .annotate(restructured_now=restructured_exists(local_today()))
        .order_by("id")
    )


def loan_states_of_user(user, *, today: date | None = None) -> list[LoanState]:
    today = today or local_today()
    return [loan_state(loan, today=today) for loan in loans_of_user(user)]


def loan_of_user(user, loan_id: int) -> Loan:
    """One loan of the signed-in borrower; another borrower's loan does not exist for them."""
    return loans_of_user(user).get(pk=loan_id)


def loan_with_schedule(external_id: str) -> Loan:
    """A loan by the core system's id, with its borrower, product and installments."""
    return (
        Loan.objects.select_related("product", "borrower", "borrower__user")
        .prefetch_related(Prefetch("installments", queryset=Installment.objects.order_by("seq")))
        .get(external_id=external_id)
    )


# The columns of `history_rows`: a loan's first disbursal and grace days, and one paid
# installment of it due in the window (None when it has none).
HISTORY_COLUMNS = ("disbursed_on", "grace_days", "counted__due_date", "counted__paid_off_on")


def history_rows(borrower: Borrower | int, *, today: date) -> QuerySet[Loan]:
    """Each loan of the borrower joined to its paid installments due in the 24-month window
    of the history (domain.md §4), if any; read its `HISTORY_COLUMNS`."""
    window_start = calculations.months_before(today, 24)
    return (
        Loan.objects.filter(borrower=borrower)
        .annotate(
            counted=FilteredRelation(
                "installments",
                condition=Q(
                    installments__due_date__gt=window_start,
                    installments__due_date__lte=today,
                    installments__paid_off_on__isnull=False,
                ),
            )
        )
        .order_by()
    )


def history_of_rows(rows, *, today: date) -> calculations.HistoryMetrics:
    """The history metrics of `history_rows`' `HISTORY_COLUMNS`."""
    return calculations.history_metrics(
        (
            calculations.PastInstallment(due_date, grace_days, paid_off_on)
            for _, grace_days, due_date, paid_off_on in rows
            if due_date is not None
        ),
        first_disbursed_on=min((row[0] for row in rows), default=None),
        today=today,
    )


def borrower_history(
    borrower: Borrower | int, *, today: date | None = None
) -> calculations.HistoryMetrics:
    """The borrower's repayment history across all their loans (domain.md §4), in one query.
    (Quotes, submissions and triage read it with the relief figures in
    `relief.selectors.borrower_record`.)"""
    today = today or local_today()
    rows = list(history_rows(borrower, today=today).values_list(*HISTORY_COLUMNS))
    return history_of_rows(rows, today=today)


def borrower_of_user(user) -> Borrower:
    """The signed-in user's borrower profile. Raises Borrower.DoesNotExist for anyone else
    (staff, the servicing account)."""
    if not getattr(user, "is_authenticated", False):
        raise Borrower.DoesNotExist
    return Borrower.objects.select_related("user").get(user=user)


# --- arrangements (domain.md §9) --------------------------------------------------------------


@dataclass(frozen=True)
class ArrangementBasis:
    """What an arrangement starting on `today` would move, read from a loan's installments
    (with their penalty brought to `today`).

    A plan moves `overdue` (past due with principal or interest unpaid) and every
    installment's penalty outstanding (`with_penalty`); a deferral moves `unpaid` (not paid
    off, oldest first). `regular_installment` is the loan's next scheduled installment not
    yet due (0.00 when none is left); `day_of_month` the loan's usual due day (that of its
    first scheduled installment)."""

    overdue: tuple[Installment, ...]
    with_penalty: tuple[tuple[Installment, Decimal], ...]
    unpaid: tuple[Installment, ...]
    overdue_principal: Decimal
    overdue_interest: Decimal
    penalty_outstanding: Decimal
    unpaid_principal: Decimal
    unpaid_amount: Decimal
    regular_installment: Decimal
    day_of_month: int

    @property
    def first_unpaid_amount(self) -> Decimal:
        return self.unpaid[0].base_outstanding if self.unpaid else ZERO

    @property
    def unpaid_due_dates(self) -> tuple[date, ...]:
        return tuple(i.due_date for i in self.unpaid)

    @property
    def plan_total(self) -> Decimal:
        """What a plan would move (before any relief waived first)."""
        return self.overdue_principal + self.overdue_interest + self.penalty_outstanding


def arrangement_basis(
    rows: Iterable[tuple[Installment, Decimal]], *, today: date
) -> ArrangementBasis:
    """The basis from (installment, its penalty outstanding today) pairs: a `LoanState`'s
    (`arrangement_basis_of_state`) or locked installments accrued to today."""
    rows = sorted(rows, key=lambda row: (row[0].due_date, row[0].seq))
    overdue = tuple(i for i, _ in rows if i.due_date < today and i.base_outstanding > 0)
    unpaid = tuple(i for i, _ in rows if i.paid_off_on is None and i.base_outstanding > 0)
    upcoming = [i for i in unpaid if i.kind == Installment.Kind.SCHEDULED and i.due_date >= today]
    scheduled = [i for i, _ in rows if i.kind == Installment.Kind.SCHEDULED]
    first = min(scheduled, key=lambda i: i.seq) if scheduled else (rows[0][0] if rows else None)
    with_penalty = tuple((i, penalty) for i, penalty in rows if penalty > 0)
    return ArrangementBasis(
        overdue=overdue,
        with_penalty=with_penalty,
        unpaid=unpaid,
        overdue_principal=sum((i.principal_outstanding for i in overdue), ZERO),
        overdue_interest=sum((i.interest_outstanding for i in overdue), ZERO),
        penalty_outstanding=sum((penalty for _, penalty in with_penalty), ZERO),
        unpaid_principal=sum((i.principal_outstanding for i in unpaid), ZERO),
        unpaid_amount=sum((i.base_outstanding for i in unpaid), ZERO),
        regular_installment=(
            upcoming[0].principal_due + upcoming[0].interest_due if upcoming else ZERO
        ),
        day_of_month=first.due_date.day if first is not None else today.day,
    )


def arrangement_basis_of_state(state: LoanState) -> ArrangementBasis:
    return arrangement_basis(
        ((row.installment, row.penalty_outstanding) for row in state.installments),
        today=state.today,
    )


def arrangement_active(loan: Loan | int) -> Arrangement | None:
    """The loan's active arrangement, if any."""
    return Arrangement.objects.filter(loan=loan, status=Arrangement.Status.ACTIVE).first()


@dataclass(frozen=True)
class ArrangementHistory:
    """What the rules need of a loan's arrangements so far, as of `today`."""

    has_active: bool
    last_deferral_on: date | None
    plan_broken_on: date | None


def arrangement_history(loan: Loan | int) -> ArrangementHistory:
    """The loan's active arrangement, last deferral start and last plan break, in one query."""
    rows = Arrangement.objects.filter(loan=loan, started_on__isnull=False).values_list(
        "kind", "status", "started_on", "broken_on"
    )
    has_active = last_deferral = broken = None
    for kind, status, started_on, broken_on in rows:
        has_active = has_active or status == Arrangement.Status.ACTIVE
        if kind == Arrangement.Kind.DEFERRAL:
            last_deferral = max(filter(None, (last_deferral, started_on)))
        if broken_on is not None:
            broken = max(filter(None, (broken, broken_on)))
    return ArrangementHistory(bool(has_active), last_deferral, broken)


def restructured_exists(today: date) -> Exists:
    """A loan's restructured mark as a subquery of its queryset (`OuterRef("pk")`)."""
    return Exists(
        Arrangement.objects.filter(loan=OuterRef("pk"), started_on__isnull=False).filter(
            Q(status=Arrangement.Status.ACTIVE) | Q(observation_ends_on__gte=today)
        )
    )


@dataclass(frozen=True)
class RestructuredMark:
    """Why a loan is marked restructured (domain.md §9): an arrangement `active` on it, and
    the last day of the observation period of the latest one started (`until`)."""

    active: bool
    until: date | None


def restructured_mark(loan: Loan, *, today: date | None = None) -> RestructuredMark | None:
    """The loan's restructured mark: an arrangement is active on it, or one started on it
    within its observation period (`observation_ends_on`, inclusive); None when unmarked.
    Reads `loan.arrangements.all()` (prefetch them when reading many loans)."""
    today = today or local_today()
    started = [a for a in loan.arrangements.all() if a.started_on is not None]
    active = any(a.status == Arrangement.Status.ACTIVE for a in started)
    until = max((a.observation_ends_on for a in started if a.observation_ends_on), default=None)
    if active or (until is not None and until >= today):
        return RestructuredMark(active=active, until=until)
    return None


def restructured(loan: Loan, *, today: date | None = None) -> bool:
    """Marked restructured (domain.md §9): an arrangement is active on the loan, or one
    started on it within its observation period (`observation_ends_on`, inclusive). Read
    with the loan by `loans_of_user`, else asked."""
    today = today or local_today()
    known = getattr(loan, "restructured_now", None)
    if known is not None and today == local_today():
        return known
    return Loan.objects.filter(pk=loan.pk).filter(restructured_exists(today)).exists()


# --- an arrangement as the borrower and the reviewer read it ----------------------------------


@dataclass(frozen=True)
class ArrangementLine:
    """One installment of an arrangement: a plan's (`number` 1…N) or one a deferral moved."""

    number: int
    seq: int
    due_date: date
    amount: Decimal
    paid: Decimal
    status: str  # "paid", "due" (not yet), "overdue"
    due_date_before: date | None = None  # a deferral's: where it was


@dataclass(frozen=True)
class ArrangementView:
    """An arrangement with its installments and progress."""

    arrangement: Arrangement
    lines: tuple[ArrangementLine, ...]
    paid: Decimal
    remaining: Decimal

    @property
    def paid_count(self) -> int:
        return sum(1 for line in self.lines if line.status == "paid")


def line_status(installment: Installment, today: date) -> str:
    if installment.paid_off_on is not None:
        return "paid"
    return "overdue" if installment.due_date < today else "due"


def arrangement_view(arrangement: Arrangement, *, today: date | None = None) -> ArrangementView:
    """An arrangement's installments (a plan's plan installments, a deferral's rescheduled
    ones) with what each is, what has been paid and what is left. Two queries."""
    today = today or local_today()
    installments = list(
        arrangement.installments.prefetch_related(
            Prefetch(
                "movements",
                queryset=InstallmentMovement.objects.filter(arrangement=arrangement),
                to_attr="own_movements",
            )
        ).order_by("due_date", "seq")
    )
    if arrangement.kind == Arrangement.Kind.PLAN:
        installments = [i for i in installments if i.kind == Installment.Kind.PLAN]
    lines = []
    for number, installment in enumerate(installments, start=1):
        moves = installment.own_movements
        if arrangement.kind == Arrangement.Kind.PLAN:
            # A plan installment is what moved into it (and its interest).
            amount = sum((m.amount for m in moves), ZERO)
        else:
            amount = installment.principal_due + installment.interest_due
        before = next((m.due_date_before for m in moves if m.due_date_before), None)
        paid = installment.principal_paid + installment.interest_paid + installment.penalty_paid
        lines.append(
            ArrangementLine(
                number=number,
                seq=installment.seq,
                due_date=installment.due_date,
                amount=amount,
                paid=paid,
                status=line_status(installment, today),
                due_date_before=before,
            )
        )
    paid_total = sum((line.paid for line in lines), ZERO)
    owed = sum(
        (i.base_outstanding + i.penalty_outstanding for i in installments if i.paid_off_on is None),
        ZERO,
    )
    return ArrangementView(
        arrangement=arrangement, lines=tuple(lines), paid=paid_total, remaining=owed
    )
