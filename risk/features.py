"""The features of every eligible loan as of a day, read in one set-based SQL statement.

Only what was known on the day is read (domain.md §10): installments due on or before it,
an installment counts as paid only if it was paid off on or before it, repayments dated on or
before it, loans disbursed by then, applications decided by the end of it. So scores as of a
past day are the scores that day would have given (the backtest), whatever was written
since. (A loan's schedule is read as it stands: a deferral that moved due dates moves them
in the past too; docs/prevention.md.)

Eligible (domain.md §10): a loan not written off with an installment unpaid on the day, and
either one falling due within the next 15 days or at most 30 days past due.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from loans import calculations
from loans.models import Installment, Loan, Repayment
from relief.models import ReliefApplication
from relief.selectors import GRANTED_STATUSES, first_day_within_a_year
from risk import rules
from risk.models import RiskScore

UPCOMING_DAYS = 15
MAX_ELIGIBLE_DPD = 30
LAST_INSTALLMENTS = 3
RATIO_PLACES = Decimal("0.0001")
ONE = Decimal(1)

# Date arithmetic is the only part the two databases write differently.
_DIALECTS = {
    "postgresql": {
        "days": "({0} - {1})",
        "least": "LEAST({0}, {1})",
        "greatest": "GREATEST({0}, {1})",
    },
    "sqlite": {
        "days": "CAST(julianday({0}) - julianday({1}) AS INTEGER)",
        "least": "MIN({0}, {1})",
        "greatest": "MAX({0}, {1})",
    },
}

# Per loan, from its own installments: when its oldest overdue and its next installment fall
# due, and its part of the borrower's history. "Unpaid on the day": not paid off by then.
_SQL = """
WITH per_loan AS (
    SELECT l.id AS loan_id, l.borrower_id, l.status, l.disbursed_on,
        MIN(CASE WHEN i.due_date < %(day)s AND {unpaid} THEN i.due_date END) AS oldest_overdue,
        MIN(CASE WHEN i.due_date >= %(day)s AND {unpaid} THEN i.due_date END) AS next_due,
        COUNT(CASE WHEN {in_24m} AND i.paid_off_on <= %(day)s THEN 1 END) AS counted_24m,
        COUNT(CASE WHEN {in_24m} AND i.paid_off_on <= %(day)s
            AND i.paid_off_on <= i.grace_ends_on THEN 1 END) AS on_time_24m,
        COUNT(CASE WHEN i.due_date > %(since_6m)s AND i.due_date <= %(day)s
            AND i.grace_ends_on < %(day)s
            AND (i.paid_off_on IS NULL OR i.paid_off_on > i.grace_ends_on) THEN 1 END)
            AS late_6m,
        MAX(CASE WHEN i.due_date > %(since_12m)s AND i.due_date <= %(day)s
            THEN {days_late} END) AS max_dpd_12m,
        SUM(CASE WHEN {paid_in_12m} THEN i.principal_due + i.interest_due END)
            AS paid_amount_12m,
        COUNT(CASE WHEN {paid_in_12m} THEN 1 END) AS paid_count_12m
    FROM {loan} l JOIN {installment} i ON i.loan_id = l.id
    WHERE l.disbursed_on <= %(day)s
    GROUP BY l.id, l.borrower_id, l.status, l.disbursed_on
),
per_borrower AS (
    SELECT borrower_id, MIN(disbursed_on) AS first_disbursed,
        SUM(counted_24m) AS counted_24m, SUM(on_time_24m) AS on_time_24m,
        SUM(late_6m) AS late_6m, MAX(max_dpd_12m) AS max_dpd_12m,
        SUM(paid_amount_12m) AS paid_amount_12m, SUM(paid_count_12m) AS paid_count_12m
    FROM per_loan GROUP BY borrower_id
),
scored AS (
    SELECT loan_id, borrower_id, oldest_overdue, next_due FROM per_loan p
    WHERE status <> %(written_off)s
      AND (oldest_overdue IS NOT NULL OR next_due IS NOT NULL)
      AND (next_due <= %(upcoming_until)s OR oldest_overdue IS NULL
           OR oldest_overdue >= %(oldest_eligible_due)s)
      {skip_scored}
),
last_installments AS (
    SELECT loan_id, due_date, paid_off_on FROM (
        SELECT i.loan_id, i.due_date, i.paid_off_on, ROW_NUMBER() OVER (
            PARTITION BY i.loan_id ORDER BY i.due_date DESC, i.seq DESC) AS position
        FROM {installment} i JOIN scored s ON s.loan_id = i.loan_id
        WHERE i.due_date <= %(day)s
    ) ranked WHERE position <= {last_count}
),
partial AS (
    SELECT t.loan_id, COUNT(*) AS partial_count FROM last_installments t
    WHERE EXISTS (
        SELECT 1 FROM {repayment} r
        WHERE r.loan_id = t.loan_id AND r.paid_on >= t.due_date AND r.paid_on <= %(day)s
          AND (t.paid_off_on IS NULL OR t.paid_off_on > r.paid_on))
    GROUP BY t.loan_id
),
helped AS (
    SELECT a.borrower_id, COUNT(*) AS approved FROM {application} a
    WHERE a.status IN ({granted}) AND a.decided_at >= %(decided_from)s
      AND a.decided_at < %(decided_before)s
    GROUP BY a.borrower_id
)
SELECT s.loan_id, s.borrower_id, s.oldest_overdue, b.first_disbursed, b.counted_24m,
    b.on_time_24m, b.late_6m, b.max_dpd_12m, COALESCE(pa.partial_count, 0),
    (SELECT n.principal_due + n.interest_due FROM {installment} n
     WHERE n.loan_id = s.loan_id AND n.due_date = s.next_due ORDER BY n.seq LIMIT 1),
    b.paid_amount_12m, b.paid_count_12m, COALESCE(h.approved, 0)
FROM scored s
JOIN per_borrower b ON b.borrower_id = s.borrower_id
LEFT JOIN partial pa ON pa.loan_id = s.loan_id
LEFT JOIN helped h ON h.borrower_id = s.borrower_id
ORDER BY s.loan_id
"""


def features_sql(vendor: str, *, skip_scored: bool) -> str:
    """The statement for this database; `skip_scored` leaves out loans scored that day."""
    dialect = _DIALECTS[vendor]
    quote = connection.ops.quote_name
    skip = ""
    if skip_scored:
        skip = (
            f"AND NOT EXISTS (SELECT 1 FROM {quote(RiskScore._meta.db_table)} rs "  # noqa: S608  # nosec B608  # our own table's name
            "WHERE rs.loan_id = p.loan_id AND rs.as_of = %(day)s)"
        )
    paid_by_day = dialect["least"].format("COALESCE(i.paid_off_on, %(day)s)", "%(day)s")
    return _SQL.format(
        unpaid="(i.paid_off_on IS NULL OR i.paid_off_on > %(day)s)",
        in_24m="i.due_date > %(since_24m)s AND i.due_date <= %(day)s",
        paid_in_12m="i.paid_off_on > %(since_12m)s AND i.paid_off_on <= %(day)s",
        days_late=dialect["greatest"].format(
            "0", dialect["days"].format(paid_by_day, "i.due_date")
        ),
        skip_scored=skip,
        last_count=LAST_INSTALLMENTS,
        granted=", ".join(f"'{status}'" for status in GRANTED_STATUSES),
        loan=quote(Loan._meta.db_table),
        installment=quote(Installment._meta.db_table),
        repayment=quote(Repayment._meta.db_table),
        application=quote(ReliefApplication._meta.db_table),
    )


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def features_params(day: date) -> dict:
    """The statement's parameters, as the database stores dates and times."""
    as_date, as_moment = (
        connection.ops.adapt_datefield_value,
        connection.ops.adapt_datetimefield_value,
    )
    return {
        "day": as_date(day),
        "since_24m": as_date(calculations.months_before(day, 24)),
        "since_12m": as_date(calculations.months_before(day, 12)),
        "since_6m": as_date(calculations.months_before(day, 6)),
        "upcoming_until": as_date(day + timedelta(days=UPCOMING_DAYS)),
        "oldest_eligible_due": as_date(day - timedelta(days=MAX_ELIGIBLE_DPD)),
        "written_off": Loan.Status.WRITTEN_OFF.value,
        "decided_from": as_moment(_local_midnight(first_day_within_a_year(day))),
        "decided_before": as_moment(_local_midnight(day + timedelta(days=1))),
    }


@dataclass(frozen=True, slots=True)
class LoanFeatures:
    loan_id: int
    borrower_id: int
    features: rules.Features


def _as_date(value) -> date:
    # SQLite hands computed dates back as text.
    return date.fromisoformat(value) if isinstance(value, str) else value


def _ratio(part, whole) -> Decimal:
    return (Decimal(str(part)) / Decimal(str(whole))).quantize(RATIO_PLACES, rounding=ROUND_DOWN)


def loan_features(row: tuple, day: date) -> LoanFeatures:
    """One row of the statement as the rules' `Features`."""
    (
        loan_id,
        borrower_id,
        oldest_overdue,
        first_disbursed,
        counted_24m,
        on_time_24m,
        late_6m,
        max_dpd_12m,
        partial,
        next_amount,
        paid_amount_12m,
        paid_count_12m,
        helped,
    ) = row
    oldest_overdue = _as_date(oldest_overdue) if oldest_overdue is not None else None
    usual = None
    if paid_count_12m and next_amount is not None and paid_amount_12m:
        usual = _ratio(Decimal(str(next_amount)) * paid_count_12m, paid_amount_12m)
    return LoanFeatures(
        loan_id,
        borrower_id,
        rules.Features(
            on_time_ratio_24m=_ratio(on_time_24m, counted_24m) if counted_24m else ONE,
            late_payments_6m=int(late_6m or 0),
            max_dpd_12m=int(max_dpd_12m or 0),
            partial_payments_last_3=int(partial),
            current_dpd=(day - oldest_overdue).days if oldest_overdue else 0,
            installment_to_usual=usual,
            prior_help_12m=int(helped),
            months_on_book=calculations.months_between(_as_date(first_disbursed), day),
        ),
    )


def features_as_of(day: date, *, skip_scored: bool = False) -> Iterator[LoanFeatures]:
    """The features of every eligible loan as of `day`, by loan id (`skip_scored`: not the
    loans already scored for that day)."""
    with connection.cursor() as cursor:
        cursor.execute(
            features_sql(connection.vendor, skip_scored=skip_scored), features_params(day)
        )
        while rows := cursor.fetchmany(5000):
            for row in rows:
                yield loan_features(row, day)
