"""Early warning: the nightly scoring of 100,000 loans against the plain SQL read of the same
features, and the day's outreach selection over the scores (docs/benchmarks.md).

The product is `risk.services.risk_scores_compute(day=D)`, what the nightly `score_risk` job
calls: the features read in one statement, scored by the pure rules, written in bulk. The
baseline is that statement alone, executed and fetched on the same connection: what any
scoring needs to read. Target: under 60 s, ratio at most 3. Then the day's outreach over the
scores: the selection of the high-risk loans with an installment due in 3–7 days and the
writing of their outreach rows (`risk.services.outreach.outreach_pick`, the first half of
`send_outreach`, as at 22:00: every row waits for 08:00, no message is sent), and then the
sending of the first 1,000 messages (`outreach_release` at 10:00: in-app rows, the email or
SMS queued), a rate for context.

The data (database `bench_risk`, kept between runs): `seed_demo` borrowers (full 143,000,
small 14,300: about 70% of the demo's loans are eligible, so about 100,000 and 10,000 are
scored), with a repayment that left an installment unpaid on a third of the loans and a
relief granted in the last year to a tenth of the borrowers, so that every feature reads
rows. Before each timed scoring the day's scores are deleted; product and baseline runs
alternate and their medians are compared.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

from bench.support import report, result, run_child

SCALES = {"full": 143_000, "small": 14_300}
REPEATS = {"full": 3, "small": 5}
TARGET_SECONDS = 60.0
TARGET_RATIO = 3.0
DATABASE = "bench_risk"

INSERT_REPAYMENTS = """
INSERT INTO loans_repayment (loan_id, amount, paid_on, reference, allocation, waiver_posted,
                             created_at)
SELECT l.id, 100.00, LEAST(i.due_date + 2, %(day)s), 'BENCH-RISK-' || l.id, '[]'::jsonb, 0,
       now()
FROM loans_loan AS l
JOIN LATERAL (
    SELECT due_date FROM loans_installment
    WHERE loan_id = l.id AND paid_off_on IS NULL ORDER BY due_date LIMIT 1
) AS i ON true
WHERE l.id %% 3 = 0 AND i.due_date < %(day)s
ON CONFLICT (reference) DO NOTHING
"""

INSERT_APPLICATIONS = """
INSERT INTO relief_reliefapplication (
    loan_id, borrower_id, reason, description, status, policy_id, policy_version, quote,
    suggested_percent, suggested_amount, penalty_at_submission, dpd_at_submission,
    bucket_at_submission, decided_percent, decided_amount, decided_at, waived_amount, priority,
    version, created_at, updated_at, rejection_reason
)
SELECT l.id, l.borrower_id, 'income_drop', '', 'fulfilled', %(policy)s, 1, '{}'::jsonb,
       50, 10.00, 20.00, 10, 'M1', 50, 10.00, now() - (l.id %% 300) * interval '1 day',
       10.00, 0, 1, now(), now(), ''
FROM loans_loan AS l
WHERE l.id %% 10 = 0
  AND NOT EXISTS (SELECT 1 FROM relief_reliefapplication a WHERE a.loan_id = l.id)
"""


def main(scale: str = "full") -> list[dict]:
    return run_child("bench.bench_risk", scale, database=DATABASE)


def build(borrowers: int, day) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from loans.models import Borrower
    from relief.models import ReliefPolicy

    present = Borrower.objects.filter(external_id__startswith="DEMO-B").count()
    if present >= borrowers:
        print(f"  reusing {present:,} borrowers", flush=True)
        return
    started = time.perf_counter()
    call_command("seed_demo", borrowers=borrowers, force=True, stdout=io.StringIO())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(INSERT_REPAYMENTS, {"day": day})
        cursor.execute(
            INSERT_APPLICATIONS, {"policy": ReliefPolicy.objects.order_by("version")[0].pk}
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  seeded {borrowers:,} borrowers in {time.perf_counter() - started:.0f}s", flush=True)


def forget_scores(day) -> None:
    from django.db import connection

    from risk.models import Outreach, RiskScore

    Outreach.objects.all().delete()
    RiskScore.objects.filter(as_of=day).delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE risk_riskscore")


def baseline_read(day) -> tuple[float, int]:
    from django.db import connection

    from risk.features import features_params, features_sql

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(features_sql(connection.vendor, skip_scored=True), features_params(day))
        rows = cursor.fetchall()
    return time.perf_counter() - started, len(rows)


def run(scale: str) -> None:
    from bench.support import django_setup_and_migrate

    django_setup_and_migrate()
    from loans.selectors import local_today
    from risk.services import risk_scores_compute

    day = local_today()
    build(SCALES[scale], day)
    products, baselines = [], []
    scored = read = 0
    for _ in range(REPEATS[scale]):
        forget_scores(day)
        started = time.perf_counter()
        scored = risk_scores_compute(day=day).stored
        products.append(time.perf_counter() - started)
        forget_scores(day)
        seconds, read = baseline_read(day)
        baselines.append(seconds)
    product, baseline = statistics.median(products), statistics.median(baselines)
    ratio = product / baseline
    print(
        f"scoring: {scored:,} loans in {product:.2f}s (median of {len(products)}); the SQL "
        f"read of their features alone {baseline:.2f}s ({read:,} rows); ratio {ratio:.2f}",
        flush=True,
    )
    rows = [
        result(
            f"risk scoring ({scored:,} loans)",
            product=f"{product:.2f} s",
            baseline=f"{baseline:.2f} s (the features' SQL read)",
            ratio=f"{ratio:.2f}",
            target=f"< {TARGET_SECONDS:.0f} s; ratio <= {TARGET_RATIO:.0f}",
            met=product < TARGET_SECONDS and ratio <= TARGET_RATIO,
        )
    ]
    rows += outreach_figures(day)
    report(rows)


def outreach_figures(day) -> list[dict]:
    from datetime import datetime
    from datetime import time as clock

    from django.utils import timezone

    from risk.models import Outreach
    from risk.services import risk_scores_compute
    from risk.services.outreach import outreach_pick, outreach_release

    forget_scores(day)
    risk_scores_compute(day=day)
    night = timezone.make_aware(datetime.combine(day, clock(22, 0)))
    picks = []
    counts = None
    for _ in range(3):
        Outreach.objects.all().delete()
        started = time.perf_counter()
        counts = outreach_pick(day=day, now=night)
        picks.append(time.perf_counter() - started)
    pick = statistics.median(picks)
    # The first 1,000 are due at 10:00; the others keep waiting for the next morning.
    morning = timezone.make_aware(datetime.combine(day, clock(10, 0)))
    first = Outreach.objects.filter(status="scheduled").order_by("pk").values("pk")[:1000]
    Outreach.objects.filter(pk__in=first).update(send_after=morning)
    started = time.perf_counter()
    sent = outreach_release(now=morning)["sent"]
    send_seconds = time.perf_counter() - started
    picked = counts.total() - counts["capped"]
    print(
        f"outreach: {picked:,} rows picked ({counts['held_out']:,} held out, "
        f"{counts['capped']:,} over the cap) in {pick:.2f}s; {sent:,} messages sent in "
        f"{send_seconds:.2f}s",
        flush=True,
    )
    return [
        result(
            f"outreach selection ({picked:,} installments)",
            product=f"{pick:.2f} s",
            target="—",
            met=None,
        ),
        result(
            "outreach messages",
            product=f"{sent / send_seconds:.0f} messages/s",
            target="—",
            met=None,
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=SCALES, default="full")
    run(parser.parse_args().scale)
