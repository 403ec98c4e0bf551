"""Exports: a background CSV build against a bare COPY, and an XLSX workbook.

The product path for CSV is what the worker runs for a large export:
`reports.services.export_build` on a queued CSV export of the applications report, which
has PostgreSQL write the CSV with `COPY (…) TO STDOUT WITH CSV HEADER` into a temporary
file, hands the file to Django's default storage (a folder of its own here) and marks the
export done, in a process that has built one small export before (untimed), as a worker
that has been running has. The baseline, in the same run on the same data, is the very same
COPY statement sent with psycopg2's copy_expert into a sink that drops the bytes, so the
ratio is the cost of the product's file handling and bookkeeping on top of PostgreSQL's own
work. Each is timed in a child process, alternating, best of a few runs; the child's peak
resident memory (VmHWM) is read at its end. XLSX (XlsxWriter, constant memory) is timed the
same way on 100,000 rows.

The data (full: 1,000,000 applications; small: 100,000) lives in its own database,
`bench_export`, loaded with `INSERT … SELECT generate_series` and dropped at the end
(`--keep`, or BENCH_EXPORT_KEEP=1 under `make bench`, keeps it for the next run; the small
scale's ~150 MB are always kept).

    python -m bench.bench_export --scale small      # or: python -m bench --only export
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "bench_export"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
SCALES = {"full": 1_000_000, "small": 100_000}
REPEATS = {"full": 2, "small": 3}
XLSX_ROWS = 100_000
TARGET_RATIO = 1.5
TARGET_RSS_MB = 200
TARGET_XLSX_SECONDS = 20
FROM, TO = date(2020, 1, 1), date(2030, 12, 31)

# ~600 bytes, like a real frozen quote: the table's rows are as wide as in production.
QUOTE = json.dumps(
    {
        "eligible": True,
        "percent": 80,
        "amount": "21.28",
        "penalty_outstanding": "26.60",
        "factors": [
            {"code": "base", "points": 50, "params": {"bucket": "M1", "days": 20}},
            {"code": "history", "points": 10, "params": {"on_time_ratio": "0.8600"}},
            {"code": "hardship", "points": 20, "params": {"reason": "serious_illness"}},
        ],
        "hints": [{"code": "evidence", "points": 10, "params": {}}],
        "not_eligible_reasons": [],
        "auto_approvable": False,
        "auto_approval_blockers": ["percent_above_auto_limit", "dpd_above_auto_limit"],
        "policy_version": 1,
    }
)


def database_url() -> str:
    current = os.environ.get("DATABASE_URL", "")
    server = current if current.startswith(("postgres://", "postgresql://")) else DEFAULT_SERVER
    return urlunsplit(urlsplit(server)._replace(path=f"/{DATABASE_NAME}"))


def server_connection():
    import psycopg2

    admin = urlunsplit(urlsplit(database_url())._replace(path="/postgres"))
    connection = psycopg2.connect(admin)
    connection.autocommit = True
    return connection


def ensure_database() -> None:
    connection = server_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    connection.close()


def drop_database() -> None:
    connection = server_connection()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')
    connection.close()


def child(*args: str, media_root: str = "") -> str:
    """Run this module again with Django on the benchmark's database (and its files in
    `media_root`); returns its stdout."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "LOG_LEVEL": "WARNING",
    }
    if media_root:
        env["MEDIA_ROOT"] = media_root
    result = subprocess.run(
        [sys.executable, "-m", "bench.bench_export", *args],
        cwd=BASE_DIR,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return result.stdout


# --- inside the child: loading -------------------------------------------------------------


def load(count: int) -> None:
    """Applications in every state, one loan each, over about two years of submissions."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    from relief.models import ReliefApplication

    if ReliefApplication.objects.count() == count:
        print(f"reusing {count:,} applications in {DATABASE_NAME}", file=sys.stderr)
        return
    started = time.perf_counter()
    borrowers = max(1, count // 5)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE relief_notification, relief_applicationevent, relief_evidence, "
            "relief_reliefapplication, loans_repayment, loans_installment, loans_loan, "
            "loans_borrower RESTART IDENTITY CASCADE"
        )
        cursor.execute("DELETE FROM auth_user WHERE username LIKE 'bench%%'")
        cursor.execute(
            """
            INSERT INTO loans_loanproduct (code, name, annual_rate, penalty_markup,
                penalty_rate_cap, grace_days, day_count_basis)
            VALUES ('CASH18', 'Cash loan', 0.18, 0.5, 0.24, 3, 360),
                   ('CARD24', 'Card instalments', 0.24, 0.3, 0.24, 3, 360)
            ON CONFLICT (code) DO NOTHING
            """
        )
        cursor.execute(
            """
            INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,
                email, is_staff, is_active, date_joined)
            SELECT '!', false, 'bench-reviewer-' || g, '', '', '', true, true, now()
            FROM generate_series(1, 8) g
            """
        )
        cursor.execute("SELECT min(id) FROM auth_user WHERE username LIKE 'bench-reviewer-%%'")
        first_reviewer = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,
                email, is_staff, is_active, date_joined)
            SELECT '!', false, 'bench-b' || g, '', '', '', false, true, now()
            FROM generate_series(1, %s) g
            """,
            [borrowers],
        )
        cursor.execute("SELECT min(id) FROM auth_user WHERE username LIKE 'bench-b%%'")
        first_user = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO loans_borrower (user_id, external_id, name, phone, national_id_masked,
                language, notification_channel, created_at)
            SELECT %s + g - 1, 'B' || lpad(g::text, 9, '0'),
                   (ARRAY['张','王','李','赵','刘'])[1 + g %% 5] || '小' || (g %% 97),
                   '13' || lpad((g * 7919 %% 1000000000)::text, 9, '0'),
                   '110***********1234', 'zh-hans', 'sms', now()
            FROM generate_series(1, %s) g
            """,
            [first_user, borrowers],
        )
        cursor.execute("SELECT id FROM loans_loanproduct WHERE code = 'CASH18'")
        cash = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM loans_loanproduct WHERE code = 'CARD24'")
        card = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO loans_loan (external_id, borrower_id, product_id, principal,
                disbursed_on, annual_rate, penalty_rate, grace_days, status,
                legal_proceedings, fraud_flag, created_at, updated_at)
            SELECT 'L-' || lpad(g::text, 10, '0'), 1 + (g %% %s),
                   CASE WHEN g %% 3 = 0 THEN %s ELSE %s END, 12000.00,
                   DATE '2023-06-01' + (g %% 365), 0.18, 0.24, 3, 'active', false, false,
                   now(), now()
            FROM generate_series(1, %s) g
            """,
            [borrowers, card, cash, count],
        )
        cursor.execute("SELECT id FROM relief_reliefpolicy ORDER BY version LIMIT 1")
        policy = cursor.fetchone()[0]
        # By g % 20: 9 approved-family, 4 rejected, 2 withdrawn, 2 in review, 1 needs info,
        # 1 pending second approval, 1 submitted. Decided cases 1–72 hours after submission;
        # one in ten approvals went through four eyes.
        cursor.execute(
            """
            INSERT INTO relief_reliefapplication (loan_id, borrower_id, reason, description,
                status, policy_id, policy_version, quote, suggested_percent, suggested_amount,
                penalty_at_submission, dpd_at_submission, bucket_at_submission,
                decided_percent, decided_amount, decided_at, decided_by_id, first_approver_id,
                rejection_reason, waived_amount, sla_due, priority, version, created_at,
                updated_at)
            SELECT a.g, 1 + (a.g %% %(borrowers)s), a.reason, '', a.status, %(policy)s, 1,
                   %(quote)s::jsonb, a.suggested, round(a.penalty * a.suggested / 100.0, 2),
                   a.penalty, a.dpd,
                   CASE WHEN a.dpd = 0 THEN 'M0' WHEN a.dpd <= 30 THEN 'M1'
                        WHEN a.dpd <= 60 THEN 'M2' WHEN a.dpd <= 90 THEN 'M3' ELSE 'M4+' END,
                   CASE WHEN a.approved THEN a.decided END,
                   CASE WHEN a.approved THEN round(a.penalty * a.decided / 100.0, 2) END,
                   CASE WHEN a.approved OR a.status = 'rejected'
                        THEN a.created + (1 + a.g %% 72) * interval '1 hour' END,
                   CASE WHEN a.approved OR a.status = 'rejected'
                        THEN %(reviewer)s + a.g %% 8 END,
                   CASE WHEN a.approved AND a.g %% 10 = 0 THEN %(reviewer)s + (a.g + 1) %% 8 END,
                   CASE WHEN a.status = 'rejected' THEN 'ability_to_pay' ELSE '' END,
                   CASE WHEN a.status = 'fulfilled'
                        THEN round(a.penalty * a.decided / 100.0, 2) ELSE 0 END,
                   a.created + interval '48 hours', a.g %% 100, 1, a.created, a.created
            FROM (
                SELECT g,
                       TIMESTAMPTZ '2024-01-01 00:00:00+08' + g * (interval '1 second' * %(step)s)
                           AS created,
                       (ARRAY['serious_illness','accident','natural_disaster','unemployment',
                              'income_drop','family_emergency','other'])[1 + g %% 7] AS reason,
                       (ARRAY['approved','accepted','fulfilled','fulfilled','declined','expired',
                              'fulfilled','approved','accepted','rejected','rejected','rejected',
                              'rejected','withdrawn','withdrawn','in_review','in_review',
                              'needs_info','pending_second_approval','submitted'])[1 + g %% 20]
                           AS status,
                       g %% 20 < 9 AS approved,
                       1 + (g * 13) %% 200 AS dpd,
                       20 + (g * 7) %% 80 AS suggested,
                       LEAST(100, 20 + (g * 7) %% 80 + (g %% 3) * 10) AS decided,
                       (10 + (g * 37) %% 5000)::numeric(14, 2) AS penalty
                FROM generate_series(1, %(count)s) g
            ) a
            """,
            {
                "borrowers": borrowers,
                "policy": policy,
                "quote": QUOTE,
                "reviewer": first_reviewer,
                "count": count,
                "step": 63_000_000 // count,
            },
        )
        cursor.execute("ANALYZE")
    print(
        f"loaded {count:,} applications in {time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )


# --- inside the child: measuring -------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class NullSink:
    def __init__(self) -> None:
        self.bytes = 0

    def write(self, data) -> None:
        self.bytes += len(data)


def queued_csv_export(date_to: date = TO):
    """A CSV export of the applications, queued by an Ops user, as a large export is."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from reports.filters import ReportFilters
    from reports.models import Export

    requester, _ = get_user_model().objects.get_or_create(username="bench-ops")
    return Export.objects.create(
        requester=requester,
        report="applications",
        filters=ReportFilters(date_from=FROM, date_to=date_to).as_dict(),
        format="csv",
        language="zh-hans",
        expires_at=timezone.now() + timedelta(days=7),
    )


def measure(kind: str) -> dict:
    import django

    django.setup()
    from django.core.files.storage import default_storage
    from django.db import connection

    from reports import writers
    from reports.filters import ReportFilters
    from reports.queries import REPORTS
    from reports.services import export_build

    report = REPORTS["applications"]
    queryset = report.queryset(ReportFilters(date_from=FROM, date_to=TO))
    connection.ensure_connection()
    if kind == "product-csv":
        # A worker has built exports before: its first one also loads the translations and
        # the notification's template, once a process. That one (a day without
        # applications) is not timed.
        warm_up = export_build(export_id=queued_csv_export(date_to=FROM).pk)
        default_storage.delete(warm_up.file_path)
        export = queued_csv_export()
        started = time.perf_counter()
        cpu_started = time.process_time()
        built = export_build(export_id=export.pk)
        seconds = time.perf_counter() - started
        assert built.status == "done", built.error
        rows = built.row_count
        size = default_storage.size(built.file_path)
        default_storage.delete(built.file_path)
    elif kind == "baseline-copy":
        sql = writers.copy_statement(report, queryset)
        started = time.perf_counter()
        cpu_started = time.process_time()
        sink = NullSink()
        with connection.cursor() as cursor:
            cursor.copy_expert(sql, sink)
            rows = cursor.rowcount
        seconds = time.perf_counter() - started
        size = sink.bytes
    elif kind == "product-xlsx":
        started = time.perf_counter()
        cpu_started = time.process_time()
        with tempfile.TemporaryFile() as out:
            rows = writers.write_xlsx(report, queryset[:XLSX_ROWS], out)
            size = out.tell()
        seconds = time.perf_counter() - started
    else:
        raise SystemExit(f"unknown measurement {kind}")
    return {
        "kind": kind,
        "seconds": seconds,
        # This process's CPU only (not PostgreSQL's): what the machine's load cannot inflate.
        "cpu_seconds": time.process_time() - cpu_started,
        "rows": rows,
        "bytes": size,
        "peak_rss_mb": peak_rss_mb(),
    }


def database_size_mb() -> float:
    connection = server_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(%s)", [DATABASE_NAME])
        size = cursor.fetchone()[0]
    connection.close()
    return size / 1024 / 1024


# --- the parent ------------------------------------------------------------------------------


def run(scale: str, *, keep: bool = False) -> dict:
    count = SCALES[scale]
    ensure_database()
    child("--load", str(count))

    media = tempfile.mkdtemp(prefix="bench-export-media-")

    def timed(kind: str) -> dict:
        output = child("--measure", kind, media_root=media)
        return json.loads(output.strip().splitlines()[-1])

    product_runs, baseline_runs = [], []
    for _ in range(REPEATS[scale]):
        baseline_runs.append(timed("baseline-copy"))
        product_runs.append(timed("product-csv"))
    product = min(product_runs, key=lambda r: r["seconds"])
    baseline = min(baseline_runs, key=lambda r: r["seconds"])
    assert product["rows"] == baseline["rows"] == count, (product, baseline)
    # The product adds the 3-byte BOM to COPY's bytes, nothing else.
    assert product["bytes"] == baseline["bytes"] + 3, (product, baseline)
    ratio = product["seconds"] / baseline["seconds"]
    peak = max(r["peak_rss_mb"] for r in product_runs)
    xlsx = timed("product-xlsx")
    size = database_size_mb()
    shutil.rmtree(media, ignore_errors=True)

    print(
        f"export-csv (background build): product {product['seconds']:.2f}s, baseline COPY "
        f"{baseline['seconds']:.2f}s, ratio {ratio:.2f} (target <= {TARGET_RATIO}); "
        f"peak RSS {peak:.0f} MB (target < {TARGET_RSS_MB} MB; baseline process "
        f"{max(r['peak_rss_mb'] for r in baseline_runs):.0f} MB)"
    )
    print(
        f"  {count:,} rows, {product['bytes'] / 1024 / 1024:.0f} MB of CSV; best of "
        f"{REPEATS[scale]} alternating runs, each in a fresh process"
    )
    print(
        f"export-xlsx: {xlsx['rows']:,} rows in {xlsx['seconds']:.2f}s (target < "
        f"{TARGET_XLSX_SECONDS} s; CPU of the exporting process {xlsx['cpu_seconds']:.2f}s); "
        f"peak RSS {xlsx['peak_rss_mb']:.0f} MB; {xlsx['bytes'] / 1024 / 1024:.1f} MB file"
    )
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if keep:
        print(f"  kept database {DATABASE_NAME} ({size:.0f} MB)")
    else:
        drop_database()
        print(f"  dropped database {DATABASE_NAME} ({size:.0f} MB)")
    return {
        "rows": count,
        "product_seconds": product["seconds"],
        "baseline_seconds": baseline["seconds"],
        "ratio": ratio,
        "peak_rss_mb": peak,
        "xlsx_rows": xlsx["rows"],
        "xlsx_seconds": xlsx["seconds"],
        "xlsx_cpu_seconds": xlsx["cpu_seconds"],
        "xlsx_peak_rss_mb": xlsx["peak_rss_mb"],
    }


def main(scale: str = "full") -> dict:
    """Run the benchmark at `scale` ("full" or "small"), print the figures and return them.

    Re-runs this module as `python -m bench.bench_export --scale X` with DATABASE_URL on the
    benchmark's database, so nothing here touches the runner's own database.
    """
    ensure_database()
    with tempfile.TemporaryDirectory() as folder:
        figures = Path(folder) / "figures.json"
        arguments = ["--scale", scale, "--figures", str(figures)]
        if os.environ.get("BENCH_EXPORT_KEEP") == "1":
            arguments.append("--keep")
        subprocess.run(
            [sys.executable, "-m", "bench.bench_export", *arguments],
            cwd=BASE_DIR,
            env={**os.environ, "DATABASE_URL": database_url()},
            check=True,
        )
        return json.loads(figures.read_text())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_export")
    parser.add_argument("--scale", choices=tuple(SCALES), default=os.environ.get("SCALE", "full"))
    parser.add_argument("--keep", action="store_true", help="keep the database for next time")
    parser.add_argument("--load", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--figures", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.load:
        load(arguments.load)
    elif arguments.measure:
        print(json.dumps(measure(arguments.measure)))
    else:
        # The small data (~150 MB) is kept for the next run; the full (1.4 GB) only if asked.
        results = run(arguments.scale, keep=arguments.keep or arguments.scale == "small")
        if arguments.figures:
            Path(arguments.figures).write_text(json.dumps(results))
