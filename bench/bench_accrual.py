"""The daily penalty accrual against one hand-written SQL UPDATE (docs/benchmarks.md).

The product is `loans.services.penalties_accrue(day=D)`, what the nightly `accrue_penalties`
job calls. The baseline is the UPDATE a person would type into psql to do the same arithmetic,
sent on a plain psycopg2 connection. Both run on the same data: N overdue installments on
active loans (full: 1,000,000; small: 100,000), among paid ones, ones still in their grace
days, ones not yet due and ones on written-off loans, which must all stay as they are.

The data lives in its own PostgreSQL database (`bench_accrual` on the server of
`DATABASE_URL`, or `BENCH_ACCRUAL_DATABASE_URL`), loaded with `INSERT ... SELECT
generate_series` and kept for the next run when it holds the same scale. Before every timed
run the accrual columns are restored from a saved copy and the tables vacuumed and analysed,
so each run starts from the same state; the runs alternate and the medians are compared.

`main(scale)` runs the measurement in a child process (`python -m bench.bench_accrual`) so
that Django there is set up on the benchmark's database, whatever other benchmarks in the
runner's process use.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "bench_accrual"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
SCALES = {"full": 1_000_000, "small": 100_000}
# Alternating pairs of timed runs; on a shared machine the medians need a few.
REPEATS = {"full": 5, "small": 7}
TARGET_RATIO = 1.3
# Bump when the shape of the loaded data changes: a database loaded by another version is
# dropped and loaded again.
DATA_VERSION = 1
# The accrual day. Fixed, so that the loaded data can be reused on another day.
DAY = date(2026, 6, 30)
LOCK_KEY = 20_260_630  # pg_advisory_lock key of this benchmark: any fixed number

BASELINE_SQL = """
    UPDATE loans_installment
    SET penalty_accrued = penalty_accrued + penalty_held
            + daily_penalty * (DATE '{day}' - COALESCE(accrued_through, due_date)),
        penalty_held = 0,
        accrued_through = DATE '{day}'
    WHERE paid_off_on IS NULL
      AND grace_ends_on < DATE '{day}'
      AND COALESCE(accrued_through, due_date) < DATE '{day}'
      AND loan_id IN (SELECT id FROM loans_loan WHERE status = 'active')
"""

CHECK_SQL = """
    SELECT count(*) FILTER (WHERE accrued_through = %s),
           sum(penalty_accrued), sum(penalty_held), sum(daily_penalty)
    FROM loans_installment
"""


def benchmark_url() -> str:
    """The benchmark's database: its own name on the server the project uses."""
    explicit = os.environ.get("BENCH_ACCRUAL_DATABASE_URL")
    if explicit:
        return explicit
    current = os.environ.get("DATABASE_URL", "")
    server = current if current.startswith(("postgres://", "postgresql://")) else DEFAULT_SERVER
    parts = urlsplit(server)
    return urlunsplit(parts._replace(path=f"/{DATABASE_NAME}"))


def main(scale: str) -> list[dict]:
    """Run the benchmark in a child process with Django set up on the benchmark database;
    returns its lines of the summary table."""
    import json
    import tempfile

    from bench.support import FIGURES_ENV, BenchmarkFailed

    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        figures = Path(folder) / "figures.json"
        env = {
            **os.environ,
            "DATABASE_URL": benchmark_url(),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            FIGURES_ENV: str(figures),
        }
        env.pop("REDIS_URL", None)  # Celery eager: nothing here enqueues, no broker needed
        completed = subprocess.run(
            [sys.executable, "-m", "bench.bench_accrual", "--scale", scale],
            cwd=BASE_DIR,
            env=env,
            check=False,
        )
        if completed.returncode != 0:
            raise BenchmarkFailed(
                f"bench.bench_accrual exited with code {completed.returncode} (its output above"
                " says why)"
            )
        if not figures.exists():
            raise BenchmarkFailed("bench.bench_accrual reported no figures")
        return json.loads(figures.read_text())


# ---------------------------------------------------------------------------------------------
# Everything below runs in the child process.


def prepare_database(url: str, scale: str) -> bool:
    """Create the database if needed; drop it first when it holds other data. True if the
    data is already loaded for this scale."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("bench_"):
        raise SystemExit(f"refusing to use database {name!r}: its name must start with bench_")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    admin = psycopg2.connect(maintenance)
    admin.autocommit = True  # CREATE and DROP DATABASE run outside a transaction
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            exists = cursor.fetchone() is not None
            if exists and loaded_marker(url) == (scale, SCALES[scale], DATA_VERSION):
                return True
            if exists:
                print(f"  dropping {name}: it holds data of another scale or version", flush=True)
                cursor.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        admin.close()
    return False


def loaded_marker(url: str) -> tuple | None:
    import psycopg2

    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_accrual_meta') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return None
            cursor.execute("SELECT scale, overdue, version FROM bench_accrual_meta")
            return cursor.fetchone()
    finally:
        connection.close()


def insert_select(cursor, model, values: dict[str, str], source: str, params: dict) -> int:
    """INSERT INTO model's table SELECT ...: `values` gives SQL for some fields (by attname);
    every other field takes its Django default, so a new column with a default needs no
    change here. Parameters are named (`%(day)s`); the SQL holds no other percent sign."""
    from django.db import connection

    quote = connection.ops.quote_name
    columns, expressions, args = [], [], dict(params)
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(quote(field.column))
        if field.attname in values:
            expressions.append(values[field.attname])
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            expressions.append("now()")
        else:
            expressions.append(f"%(default_{field.attname})s")
            args[f"default_{field.attname}"] = field.get_db_prep_save(
                field.get_default(), connection
            )
    cursor.execute(
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} {source}",
        args,
    )
    return cursor.rowcount


# Per (loan, seq): the due date and the base; the money columns follow from them below.
SCHEDULE_SQL = """
    FROM (
        SELECT x.*,
            round((x.principal_due - x.principal_paid + x.interest_due) * 0.24 / 360, 2) AS daily
        FROM (
            SELECT l.id AS loan_id, s AS seq, l.grace_days,
                CASE
                    WHEN s = 1 THEN %(day)s::date - 130 - mod(l.id, 20)::int
                    WHEN s = 5 AND mod(l.id, 10) = 0 THEN %(day)s::date - 4
                    WHEN s <= 5 THEN %(day)s::date - (5 - s) * 30 - 10 - mod(l.id, 20)::int
                    WHEN mod(l.id, 2) = 0 THEN %(day)s::date - 2
                    ELSE %(day)s::date + 20
                END AS due,
                (1000 + mod(l.id, 50) * 100)::numeric(14, 2) AS principal_due,
                round((1000 + mod(l.id, 50) * 100) * 0.015, 2) AS interest_due,
                CASE WHEN s BETWEEN 2 AND 5 AND mod(l.id, 7) = 0 THEN 500.00
                     ELSE 0.00 END AS principal_paid
            FROM loans_loan AS l CROSS JOIN generate_series(1, 6) AS s
            WHERE starts_with(l.external_id, 'BENCH-L')
            ORDER BY l.id, s
        ) AS x
    ) AS y
"""
PAID = "y.seq = 1"
PAST_GRACE = "y.seq BETWEEN 2 AND 5"
# Past grace since yesterday, never accrued (the nightly job skips installments in grace).
NEVER_ACCRUED = "(y.seq = 5 AND mod(y.loan_id, 10) = 0)"
# Of those, some had penalty held by a repayment posted during the grace days.
HELD = f"({NEVER_ACCRUED} AND mod(y.loan_id, 30) = 0)"
INSTALLMENT_VALUES = {
    "loan_id": "y.loan_id",
    "seq": "y.seq",
    "due_date": "y.due",
    "grace_ends_on": "y.due + y.grace_days",
    "principal_due": "y.principal_due",
    "interest_due": "y.interest_due",
    "principal_paid": f"CASE WHEN {PAID} THEN y.principal_due ELSE y.principal_paid END",
    "interest_paid": f"CASE WHEN {PAID} THEN y.interest_due ELSE 0 END",
    "penalty_accrued": f"CASE WHEN {NEVER_ACCRUED} THEN 0"
    f" WHEN {PAST_GRACE} THEN y.daily * (%(day)s::date - 1 - y.due) ELSE 0 END",
    "penalty_held": f"CASE WHEN {HELD} THEN y.daily * 2 ELSE 0 END",
    "daily_penalty": f"CASE WHEN {PAID} THEN 0 ELSE y.daily END",
    "accrued_through": f"CASE WHEN {PAID} THEN y.due + 1 WHEN {HELD} THEN y.due + 2"
    f" WHEN {NEVER_ACCRUED} THEN NULL WHEN {PAST_GRACE} THEN %(day)s::date - 1 END",
    "paid_off_on": f"CASE WHEN {PAID} THEN y.due + 1 END",
}
# What the accrual on DAY must change, and nothing else.
ACCRUING_SQL = """
    FROM loans_installment
    WHERE paid_off_on IS NULL AND grace_ends_on < %(day)s
      AND COALESCE(accrued_through, due_date) < %(day)s
      AND loan_id IN (SELECT id FROM loans_loan WHERE status = 'active')
"""


def load(scale: str) -> None:
    """N overdue installments on active loans, and the rows around them that must not move.

    One user, borrower and loan of six installments per `n`; loans n <= N/4 are active, 5%
    more are written off. Per loan: 1 paid within its grace days; 2-5 unpaid and past their
    grace days (accrued through yesterday, or just past grace and never accrued, some with
    penalty held); 6 still in its grace days (even loan ids) or not yet due (odd).
    """
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from loans.demo import PRODUCTS
    from loans.models import Borrower, Installment, Loan, LoanProduct

    overdue = SCALES[scale]
    active_loans = overdue // 4
    loans = active_loans + active_loans // 20
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        product, _ = LoanProduct.objects.get_or_create(code="CASH18", defaults=PRODUCTS["CASH18"])
        insert_select(
            cursor,
            get_user_model(),
            {"username": "'bench-' || n", "password": "'!'"},
            "FROM generate_series(1, %(loans)s) AS n",
            {"loans": loans},
        )
        insert_select(
            cursor,
            Borrower,
            {
                "user_id": "u.id",
                "external_id": "'BENCH-' || substr(u.username, 7)",
                "name": "'Bench ' || substr(u.username, 7)",
            },
            "FROM auth_user AS u WHERE starts_with(u.username, 'bench-') ORDER BY u.id",
            {},
        )
        insert_select(
            cursor,
            Loan,
            {
                "external_id": "'BENCH-L' || substr(b.external_id, 7)",
                "borrower_id": "b.id",
                "product_id": "p.id",
                "principal": "24000.00",
                "disbursed_on": "%(day)s::date - 200",
                "annual_rate": "p.annual_rate",
                "penalty_rate": "%(penalty_rate)s",
                "grace_days": "p.grace_days",
                "status": "CASE WHEN substr(b.external_id, 7)::int <= %(active)s"
                " THEN 'active' ELSE 'written_off' END",
            },
            "FROM loans_borrower AS b JOIN loans_loanproduct AS p ON p.id = %(product)s"
            " WHERE starts_with(b.external_id, 'BENCH-') ORDER BY b.id",
            {
                "day": DAY,
                "penalty_rate": product.penalty_rate,
                "active": active_loans,
                "product": product.pk,
            },
        )
        insert_select(cursor, Installment, INSTALLMENT_VALUES, SCHEDULE_SQL, {"day": DAY})
        cursor.execute(
            "CREATE TABLE bench_accrual_saved AS"
            f" SELECT id, penalty_accrued, penalty_held, accrued_through {ACCRUING_SQL}",
            {"day": DAY},
        )
        cursor.execute("SELECT count(*) FROM bench_accrual_saved")
        (saved,) = cursor.fetchone()
        if saved != overdue:
            raise SystemExit(f"loaded {saved} overdue installments, expected {overdue}")
        cursor.execute("ALTER TABLE bench_accrual_saved ADD PRIMARY KEY (id)")
        cursor.execute(
            "CREATE TABLE bench_accrual_meta AS SELECT %(scale)s::text AS scale,"
            " %(overdue)s::int AS overdue, %(version)s::int AS version",
            {"scale": scale, "overdue": overdue, "version": DATA_VERSION},
        )
    print(f"  loaded {overdue:,} overdue installments in {time.perf_counter() - started:.1f}s")


def reset(raw) -> None:
    """Put the accrual columns back as loaded; vacuum and analyse so every run starts equal."""
    import psycopg2.errors

    with raw.cursor() as cursor:
        cursor.execute(
            "UPDATE loans_installment AS i"
            " SET penalty_accrued = s.penalty_accrued, penalty_held = s.penalty_held,"
            " accrued_through = s.accrued_through"
            " FROM bench_accrual_saved AS s"
            " WHERE s.id = i.id AND i.accrued_through IS DISTINCT FROM s.accrued_through"
        )
        cursor.execute("VACUUM ANALYZE loans_installment, loans_loan")
        # Write the dirty pages out now, not in the middle of the next timed run. Needs a
        # superuser or pg_checkpoint; without it the medians just carry more noise.
        with contextlib.suppress(psycopg2.errors.InsufficientPrivilege):
            cursor.execute("CHECKPOINT")


def column_sums(raw) -> tuple:
    with raw.cursor() as cursor:
        cursor.execute(CHECK_SQL, [DAY])
        return cursor.fetchone()


def run_product() -> tuple[float, int]:
    from loans.services import penalties_accrue

    started = time.perf_counter()
    updated = penalties_accrue(day=DAY)
    return time.perf_counter() - started, updated


def run_baseline(raw) -> tuple[float, int]:
    started = time.perf_counter()
    with raw.cursor() as cursor:
        cursor.execute(BASELINE_SQL.format(day=DAY.isoformat()))
        updated = cursor.rowcount
    return time.perf_counter() - started, updated


def measure(scale: str) -> None:
    from bench.support import raw_connection

    overdue = SCALES[scale]
    raw = raw_connection()
    raw.autocommit = True  # the baseline UPDATE is its own transaction, VACUUM needs none
    with raw.cursor() as cursor:
        # Timed runs must not meet an autovacuum started by the previous run's dead rows;
        # reset() vacuums explicitly instead.
        cursor.execute("ALTER TABLE loans_installment SET (autovacuum_enabled = false)")
    timings: dict[str, list[float]] = {"product": [], "baseline": []}
    sums: dict[str, set] = {"product": set(), "baseline": set()}
    runners = {"product": run_product, "baseline": lambda: run_baseline(raw)}
    try:
        # One untimed run first: a freshly loaded table has no free space in its pages, every
        # later one has the space vacuumed from the run before; time only the later kind.
        reset(raw)
        run_baseline(raw)
        for repeat in range(REPEATS[scale]):
            order = ("product", "baseline") if repeat % 2 == 0 else ("baseline", "product")
            for name in order:
                reset(raw)
                seconds, updated = runners[name]()
                if updated != overdue:
                    raise SystemExit(f"{name} updated {updated} installments, expected {overdue}")
                timings[name].append(seconds)
                sums[name].add(column_sums(raw))
                print(f"  run {repeat + 1} {name}: {seconds:.2f}s", flush=True)
        reset(raw)
    finally:
        with raw.cursor() as cursor:
            cursor.execute("ALTER TABLE loans_installment RESET (autovacuum_enabled)")
        raw.close()

    product = statistics.median(timings["product"])
    baseline = statistics.median(timings["baseline"])
    ratio = product / baseline
    print(
        f"accrual: product {product:.2f}s, baseline {baseline:.2f}s, ratio {ratio:.2f} "
        f"(target <= {TARGET_RATIO})"
    )
    best_product, best_baseline = min(timings["product"]), min(timings["baseline"])
    print(
        f"  best runs: product {best_product:.2f}s, baseline {best_baseline:.2f}s, "
        f"ratio {best_product / best_baseline:.2f} (other load on the machine only adds time)"
    )
    if len(sums["product"]) == 1 and sums["product"] == sums["baseline"]:
        (accrued_today, penalty_accrued, penalty_held, _) = sums["product"].pop()
        print(
            f"check: identical after every run: {accrued_today:,} installments accrued through "
            f"{DAY}, sum(penalty_accrued) {penalty_accrued}, sum(penalty_held) {penalty_held}"
        )
    else:
        print(f"check: FAILED, product {sums['product']} != baseline {sums['baseline']}")
        raise SystemExit(1)
    if ratio > TARGET_RATIO:
        print(f"accrual: ratio {ratio:.2f} misses the target {TARGET_RATIO}")
    from bench.support import report, result

    report(
        [
            result(
                f"daily penalty accrual ({overdue:,} installments)",
                product=f"{product:.2f} s",
                baseline=f"{baseline:.2f} s (hand-written UPDATE)",
                ratio=f"{ratio:.2f}",
                target=f"ratio <= {TARGET_RATIO}",
                met=ratio <= TARGET_RATIO,
            )
        ]
    )


@contextlib.contextmanager
def exclusive(url: str):
    """One run at a time per server: another `make bench` would drop, reload or reset the
    tables under this one's feet. A session advisory lock, released when the run ends."""
    import psycopg2

    parts = urlsplit(url)
    lock = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    lock.autocommit = True
    try:
        with lock.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            if not cursor.fetchone()[0]:
                print("  waiting for another bench_accrual run to finish", flush=True)
                cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        yield
    finally:
        lock.close()


def run(scale: str) -> None:
    url = os.environ.get("DATABASE_URL") or benchmark_url()
    if not urlsplit(url).path.lstrip("/").startswith("bench_"):
        url = benchmark_url()
    os.environ["DATABASE_URL"] = url  # read by config.settings at import
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    with exclusive(url):
        measure_in(url, scale)


def measure_in(url: str, scale: str) -> None:
    loaded = prepare_database(url, scale)

    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    if loaded:
        name = connection.settings_dict["NAME"]
        print(f"  reusing {SCALES[scale]:,} overdue installments in {name}", flush=True)
    else:
        load(scale)
    measure(scale)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_accrual")
    parser.add_argument("--scale", choices=tuple(SCALES), default="full")
    run(parser.parse_args().scale)
