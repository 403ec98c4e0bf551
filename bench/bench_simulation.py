"""Policy simulation: 100,000 past cases scored under a draft and the active policy.

The cases are applications (made in bulk with SQL from overdue loans); the product is
`relief.services.simulation.policy_simulate`, which loads them in a few queries and scores in
memory. Target: under 10 seconds for 100,000 cases.
"""

from __future__ import annotations

import argparse
import time

from bench.support import report, result, run_child

SCALES = {"full": 100_000, "small": 20_000}
TARGET_SECONDS = 10.0
LOANS = 5_000


def main(scale: str = "full") -> list[dict]:
    return run_child("bench.bench_simulation", scale, database="bench_simulation")


INSERT_APPLICATIONS = """
INSERT INTO relief_reliefapplication (
    loan_id, borrower_id, reason, description, status, policy_id, policy_version, quote,
    suggested_percent, suggested_amount, penalty_at_submission, dpd_at_submission,
    bucket_at_submission, waived_amount, priority, version, created_at, updated_at,
    rejection_reason
)
SELECT l.id, l.borrower_id,
       (ARRAY['serious_illness','accident','natural_disaster','unemployment','income_drop',
              'family_emergency','other'])[1 + n %% 7],
       '', 'rejected', %(policy)s, 1,
       jsonb_build_object('factors', jsonb_build_array(
           jsonb_build_object('code', 'base', 'points', 0,
                              'params', jsonb_build_object('days_overdue', 1 + n %% 400)),
           jsonb_build_object('code', 'history', 'points', 0,
                              'params', jsonb_build_object('on_time_ratio',
                                  to_char((n %% 101) / 100.0, 'FM0.00'))))),
       0, 0, (1.33 * (1 + n %% 400))::numeric(14, 2), 1 + n %% 400, 'M1', 0, 0, 1, now(), now(),
       'other'
FROM generate_series(0, %(count)s - 1) AS n
JOIN loans_loan AS l ON l.id = %(first_loan)s + n %% %(loans)s
"""


def run(scale: str) -> None:
    from bench.loans_data import overdue_borrowers
    from bench.support import django_setup_and_migrate

    django_setup_and_migrate()
    from django.db import connection

    from relief.models import ReliefApplication, ReliefPolicy
    from relief.rules import DEFAULT_POLICY_DOCUMENT
    from relief.services.simulation import policy_simulate

    count = SCALES[scale]
    loan_ids = overdue_borrowers(LOANS, prefix="S")
    if ReliefApplication.objects.count() != count:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE relief_reliefapplication CASCADE")
            cursor.execute(
                INSERT_APPLICATIONS,
                {
                    "policy": ReliefPolicy.objects.get(version=1).pk,
                    "count": count,
                    "first_loan": loan_ids[0],
                    "loans": len(loan_ids),
                },
            )
            cursor.execute("ANALYZE")
    document = {
        **DEFAULT_POLICY_DOCUMENT,
        "hardship_points": {**DEFAULT_POLICY_DOCUMENT["hardship_points"], "other": 15},
    }
    ReliefPolicy.objects.update_or_create(version=2, defaults={"document": document})
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        simulated = policy_simulate(version=2)
        timings.append(time.perf_counter() - started)
    best = min(timings)
    print(
        f"simulation: {simulated.cases} cases in {best:.2f}s (best of 3; "
        f"{simulated.cases / best:.0f} cases/s; target < {TARGET_SECONDS:.0f}s, "
        f"ratio to target {best / TARGET_SECONDS:.2f})"
    )
    report(
        [
            result(
                f"policy simulation ({simulated.cases:,} cases)",
                product=f"{best:.2f} s",
                target=f"< {TARGET_SECONDS:.0f} s",
                met=best < TARGET_SECONDS,
            )
        ]
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=SCALES, default="full")
    run(parser.parse_args().scale)
