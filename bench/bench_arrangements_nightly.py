"""The nightly arrangements job against a hand-written statement doing the same
(docs/benchmarks.md; target: at most 1.3 times its time).

The product is the set-based part of `relief.services.arrangements.arrangements_nightly`:
`loans.services.arrangements_break` (plans with an installment 30 days unpaid break: their
remaining installments fall due, each change recorded, and accrue penalty from then) and
`arrangements_complete` (paid plans complete). The baseline is what a person would type into
psql to do the same, in one transaction: the breaking and its movements in one statement,
the broken plans' installments in a second, the completions in a third. Telling the
borrowers (an event and a notification per changed arrangement, rendered in both languages)
is measured apart: it grows with the arrangements that change that night, not with the
active ones.

The data, in its own database `bench_arrangements`: N active plans of 6 installments (full
100,000, small 10,000), each on its own loan with the overdue installment it settled; 1% due
to break tonight, 1% paid off, the rest kept (some with an installment a few days late).
Before every timed run the changed rows are restored from a saved copy and the tables vacuumed
and analysed; product and baseline runs alternate and their medians are compared, and both
must leave the same figures.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from datetime import UTC, date, datetime

from bench.support import report, result, run_child

DATABASE = "bench_arrangements"
SCALES = {"full": 100_000, "small": 10_000}
REPEATS = {"full": 5, "small": 7}
TARGET_RATIO = 1.3
DAY = date(2026, 6, 30)
NOW = datetime(2026, 6, 29, 16, 5, tzinfo=UTC)
DATA_VERSION = 2
TOLD = {"full": 200, "small": 50}  # arrangements told of their change, timed apart

# What a person would type into psql, in one transaction: break and record the moves in one
# statement, bring the broken plans' installments forward, complete the paid plans.
BASELINE_SQL = (
    """
    WITH broken AS (
        UPDATE loans_arrangement AS a
        SET status = 'broken', broken_on = due.broken_on, updated_at = %(now)s
        FROM (
            SELECT i.arrangement_id AS id, MIN(i.due_date) + a.break_after_days AS broken_on
            FROM loans_installment AS i JOIN loans_arrangement AS a ON a.id = i.arrangement_id
            WHERE i.paid_off_on IS NULL AND i.due_date < %(day)s AND a.status = 'active'
              AND (a.kind = 'deferral' OR i.kind = 'plan')
            GROUP BY i.arrangement_id, a.break_after_days
            HAVING MIN(i.due_date) + a.break_after_days <= %(day)s
        ) AS due
        WHERE a.id = due.id
        RETURNING a.id, a.kind, a.broken_on
    )
    INSERT INTO loans_installmentmovement
        (arrangement_id, installment_id, kind, part, amount, due_date_before,
         due_date_after, "on", created_at)
    SELECT b.id, i.id, 'plan_broken', '', 0, i.due_date, LEAST(i.due_date, b.broken_on),
           b.broken_on, %(now)s
    FROM loans_installment AS i JOIN broken AS b ON b.id = i.arrangement_id
    WHERE b.kind = 'plan' AND i.kind = 'plan' AND i.paid_off_on IS NULL
    """,
    """
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
    WHERE a.id = i.arrangement_id AND l.id = i.loan_id AND a.status = 'broken'
      AND a.kind = 'plan' AND i.kind = 'plan' AND i.paid_off_on IS NULL
      AND NOT i.accrues_penalty
    """,
    """
    UPDATE loans_arrangement AS a
    SET status = 'completed', updated_at = %(now)s, completed_on = (
        SELECT MAX(i.paid_off_on) FROM loans_installment AS i
        WHERE i.arrangement_id = a.id AND (a.kind = 'deferral' OR i.kind = 'plan'))
    WHERE a.status = 'active' AND NOT EXISTS (
        SELECT 1 FROM loans_installment AS i
        WHERE i.arrangement_id = a.id AND i.paid_off_on IS NULL
          AND ((a.kind = 'plan' AND i.kind = 'plan')
            OR (a.kind = 'deferral' AND i.due_date <= a.first_due_date)))
    """,
)

CHECK_SQL = """
    SELECT (SELECT count(*) FILTER (WHERE status = 'broken') FROM loans_arrangement),
           (SELECT count(*) FILTER (WHERE status = 'completed') FROM loans_arrangement),
           (SELECT count(*) FROM loans_installmentmovement WHERE kind = 'plan_broken'),
           (SELECT sum(daily_penalty) FROM loans_installment WHERE kind = 'plan'),
           (SELECT sum(due_date - DATE '2000-01-01') FROM loans_installment WHERE kind = 'plan')
"""


def main(scale: str) -> list[dict]:
    return run_child("bench.bench_arrangements_nightly", scale, database=DATABASE)


# ---------------------------------------------------------------------------------------------
# Everything below runs in the child process.


def loaded(scale: str) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_arrangements_meta') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute("SELECT plans, version FROM bench_arrangements_meta")
        return cursor.fetchone() == (SCALES[scale], DATA_VERSION)


def load(scale: str) -> None:
    """One user, borrower, loan and active plan per `n`: the loan's first installment
    settled into the plan; six plan installments a month apart."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from bench.bench_accrual import insert_select
    from loans.demo import PRODUCTS
    from loans.models import Arrangement, Borrower, Installment, Loan, LoanProduct

    plans = SCALES[scale]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table in (
            "loans_installmentmovement",
            "loans_installment",
            "loans_arrangement",
            "loans_loan",
            "loans_borrower",
            "auth_user",
        ):
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("DROP TABLE IF EXISTS bench_arrangements_meta, bench_arrangements_saved")
        cursor.execute("DROP TABLE IF EXISTS bench_arrangements_saved_installments")
        product, _ = LoanProduct.objects.get_or_create(code="CASH18", defaults=PRODUCTS["CASH18"])
        insert_select(
            cursor,
            get_user_model(),
            {"username": "'plan-' || n", "password": "'!'"},
            "FROM generate_series(1, %(plans)s) AS n",
            {"plans": plans},
        )
        insert_select(
            cursor,
            Borrower,
            {
                "user_id": "u.id",
                "external_id": "'PLAN-' || substr(u.username, 6)",
                "name": "'Plan ' || substr(u.username, 6)",
            },
            "FROM auth_user AS u WHERE starts_with(u.username, 'plan-') ORDER BY u.id",
            {},
        )
        insert_select(
            cursor,
            Loan,
            {
                "external_id": "'PLAN-L' || substr(b.external_id, 6)",
                "borrower_id": "b.id",
                "product_id": "p.id",
                "principal": "6000.00",
                "disbursed_on": "%(day)s::date - 300",
                "annual_rate": "p.annual_rate",
                "penalty_rate": "%(penalty_rate)s",
                "grace_days": "p.grace_days",
            },
            "FROM loans_borrower AS b JOIN loans_loanproduct AS p ON p.id = %(product)s"
            " ORDER BY b.id",
            {"day": DAY, "penalty_rate": product.penalty_rate, "product": product.pk},
        )
        # n = the loan's number: 1% break tonight (n % 100 = 0), 1% are paid off (= 1).
        insert_select(
            cursor,
            Arrangement,
            {
                "loan_id": "l.id",
                "kind": "'plan'",
                "periods": "6",
                "asked_kind": "'plan'",
                "asked_term": "6",
                "status": "'active'",
                "installment_amount": "1000.00",
                "total": "6000.00",
                "moved": "6000.00",
                "first_due_date": "%(day)s::date - 40",
                "last_due_date": "%(day)s::date + 110",
                "break_after_days": "30",
                "observation_months": "12",
                "started_on": "%(day)s::date - 70",
                "observation_ends_on": "%(day)s::date + 295",
            },
            "FROM loans_loan AS l ORDER BY l.id",
            {"day": DAY},
        )
        insert_select(
            cursor,
            Installment,
            {
                "loan_id": "a.loan_id",
                "seq": "1",
                "arrangement_id": "a.id",
                "due_date": "%(day)s::date - 100",
                "grace_ends_on": "%(day)s::date - 97",
                "principal_due": "5800.00",
                "interest_due": "200.00",
                "principal_moved": "5800.00",
                "interest_moved": "200.00",
                "paid_off_on": "%(day)s::date - 70",
            },
            "FROM loans_arrangement AS a",
            {"day": DAY},
        )
        insert_select(
            cursor,
            Installment,
            {
                "loan_id": "x.loan_id",
                "seq": "1 + x.k",
                "kind": "'plan'",
                "arrangement_id": "x.id",
                "due_date": "x.due",
                "grace_ends_on": "x.due + 3",
                "principal_due": "950.00",
                "interest_due": "50.00",
                "principal_paid": "CASE WHEN x.paid THEN 950.00 ELSE 0 END",
                "interest_paid": "CASE WHEN x.paid THEN 50.00 ELSE 0 END",
                "paid_off_on": "CASE WHEN x.paid THEN x.due END",
                "accrues_penalty": "FALSE",
            },
            """FROM (
                SELECT a.id, a.loan_id, k,
                    CASE WHEN mod(a.loan_id, 100) = 0 THEN %(day)s::date - 30
                         WHEN mod(a.loan_id, 100) = 1 THEN %(day)s::date - 200
                         ELSE %(day)s::date - 10 - mod(a.loan_id, 15)::int
                    END + (k - 1) * 30 AS due,
                    mod(a.loan_id, 100) = 1
                    OR (k = 1 AND mod(a.loan_id, 100) <> 0 AND mod(a.loan_id, 3) <> 0) AS paid
                FROM loans_arrangement AS a CROSS JOIN generate_series(1, 6) AS k
            ) AS x""",
            {"day": DAY},
        )
        cursor.execute(
            "CREATE TABLE bench_arrangements_saved AS"
            " SELECT id, status, broken_on, completed_on FROM loans_arrangement"
        )
        cursor.execute(
            "CREATE TABLE bench_arrangements_saved_installments AS SELECT id, due_date,"
            " grace_ends_on, accrued_through, accrues_penalty, daily_penalty"
            " FROM loans_installment WHERE kind = 'plan'"
        )
        cursor.execute("ALTER TABLE bench_arrangements_saved ADD PRIMARY KEY (id)")
        cursor.execute("ALTER TABLE bench_arrangements_saved_installments ADD PRIMARY KEY (id)")
        cursor.execute(
            "CREATE TABLE bench_arrangements_meta AS"
            " SELECT %(plans)s::int AS plans, %(version)s::int AS version",
            {"plans": plans, "version": DATA_VERSION},
        )
    print(f"  loaded {plans:,} active plans in {time.perf_counter() - started:.1f}s")


def reset(raw) -> None:
    """Put the changed rows back as loaded; vacuum and analyse so every run starts equal."""
    import psycopg2.errors

    with raw.cursor() as cursor:
        cursor.execute("DELETE FROM loans_installmentmovement WHERE kind = 'plan_broken'")
        cursor.execute(
            "UPDATE loans_arrangement AS a SET status = s.status, broken_on = s.broken_on,"
            " completed_on = s.completed_on FROM bench_arrangements_saved AS s"
            " WHERE s.id = a.id AND a.status IS DISTINCT FROM s.status"
        )
        cursor.execute(
            "UPDATE loans_installment AS i SET due_date = s.due_date,"
            " grace_ends_on = s.grace_ends_on, accrued_through = s.accrued_through,"
            " accrues_penalty = s.accrues_penalty, daily_penalty = s.daily_penalty"
            " FROM bench_arrangements_saved_installments AS s"
            " WHERE s.id = i.id AND i.accrues_penalty IS DISTINCT FROM s.accrues_penalty"
        )
        cursor.execute(
            "VACUUM ANALYZE loans_installment, loans_arrangement, loans_installmentmovement"
        )
        with contextlib.suppress(psycopg2.errors.InsufficientPrivilege):
            cursor.execute("CHECKPOINT")


def figures(raw) -> tuple:
    with raw.cursor() as cursor:
        cursor.execute(CHECK_SQL)
        return cursor.fetchone()


def run_product() -> float:
    from django.db import transaction

    from loans.services import arrangements_break, arrangements_complete

    started = time.perf_counter()
    with transaction.atomic():
        arrangements_break(day=DAY, now=NOW)
        arrangements_complete(now=NOW)
    return time.perf_counter() - started


def run_baseline(raw) -> float:
    started = time.perf_counter()
    with raw.cursor() as cursor:
        cursor.execute("BEGIN")
        for statement in BASELINE_SQL:
            cursor.execute(statement, {"day": DAY, "now": NOW})
        cursor.execute("COMMIT")
    return time.perf_counter() - started


def measure(scale: str) -> list[dict]:
    from bench.support import raw_connection

    plans = SCALES[scale]
    raw = raw_connection()
    raw.autocommit = True
    timings: dict[str, list[float]] = {"product": [], "baseline": []}
    results: dict[str, set] = {"product": set(), "baseline": set()}
    runners = {"product": run_product, "baseline": lambda: run_baseline(raw)}
    try:
        reset(raw)
        run_baseline(raw)  # untimed: later runs find the space vacuumed from the one before
        for repeat in range(REPEATS[scale]):
            order = ("product", "baseline") if repeat % 2 == 0 else ("baseline", "product")
            for name in order:
                reset(raw)
                seconds = runners[name]()
                timings[name].append(seconds)
                results[name].add(figures(raw))
                print(f"  run {repeat + 1} {name}: {seconds:.3f}s", flush=True)
        reset(raw)
        told_seconds = time_telling(TOLD[scale])
        reset(raw)
    finally:
        raw.close()
    product = statistics.median(timings["product"])
    baseline = statistics.median(timings["baseline"])
    ratio = product / baseline
    if len(results["product"]) != 1 or results["product"] != results["baseline"]:
        print(f"check: FAILED, product {results['product']} != baseline {results['baseline']}")
        raise SystemExit(1)
    broken, completed, moves, _daily, _days = results["product"].pop()
    print(
        f"check: identical after every run: {broken:,} broken, {completed:,} completed, "
        f"{moves:,} installments brought forward"
    )
    print(
        f"nightly job: product {product:.3f}s, baseline {baseline:.3f}s, ratio {ratio:.2f} "
        f"(target <= {TARGET_RATIO}); telling {TOLD[scale]} borrowers: "
        f"{told_seconds * 1000 / TOLD[scale]:.1f} ms each"
    )
    return [
        result(
            f"nightly arrangements job ({plans:,} active plans)",
            product=f"{product:.2f} s",
            baseline=f"{baseline:.2f} s (hand-written statement)",
            ratio=f"{ratio:.2f}",
            target=f"ratio <= {TARGET_RATIO}",
            met=ratio <= TARGET_RATIO,
        ),
        result(
            "  telling borrowers of a change",
            product=f"{told_seconds * 1000 / TOLD[scale]:.1f} ms each",
            target="—",
            met=None,
        ),
    ]


def time_telling(count: int) -> float:
    """Events and notifications for `count` broken plans (their applications made here)."""
    from django.db import transaction

    from loans.models import Arrangement
    from relief.models import ReliefApplication, ReliefPolicy
    from relief.services.arrangements import arrangements_told

    ids = list(
        Arrangement.objects.filter(status="active").order_by("id").values_list("id", flat=True)
    )[:count]
    policy = ReliefPolicy.objects.get(status="active")
    with transaction.atomic():
        arrangements = Arrangement.objects.filter(pk__in=ids).select_related("loan")
        ReliefApplication.objects.bulk_create(
            ReliefApplication(
                loan_id=a.loan_id,
                borrower_id=a.loan.borrower_id,
                reason="unemployment",
                status="fulfilled",
                policy=policy,
                policy_version=policy.version,
                quote={},
                suggested_percent=0,
                suggested_amount=0,
                penalty_at_submission=0,
                dpd_at_submission=0,
                bucket_at_submission="M0",
                arrangement_id=a.pk,
            )
            for a in arrangements
        )
        Arrangement.objects.filter(pk__in=ids).update(status="broken", broken_on=DAY)
        started = time.perf_counter()
        arrangements_told(ids, status="broken")
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)  # leave the data as loaded
    return seconds


def run(scale: str) -> None:
    from bench.support import django_setup_and_migrate

    django_setup_and_migrate()
    from django.db import connection

    if loaded(scale):
        print(f"  reusing {SCALES[scale]:,} active plans in {connection.settings_dict['NAME']}")
    else:
        load(scale)
    report(measure(scale))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_arrangements_nightly")
    parser.add_argument("--scale", choices=tuple(SCALES), default="full")
    run(parser.parse_args().scale)
