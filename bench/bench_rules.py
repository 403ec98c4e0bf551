"""Quotes per second of the relief rules in one process (target: at least 100,000/s).

A policy admin simulates a draft policy over past cases before activating it, so `quote`
must stay cheap in bulk. Cases are built first; only quoting is timed. The baseline, measured
in the same run on the same machine, is the cost of building a `Quote` alone, so the ratio
says how much the rules add on top of producing their answer.

    python -m bench.bench_rules            # 200,000 cases
    SCALE=small python -m bench.bench_rules  # 20,000 cases
"""

from __future__ import annotations

import argparse
import os
import random
from collections.abc import Callable, Sequence
from decimal import Decimal

from bench.support import per_second, result
from relief.rules import HARDSHIP_REASONS, ZERO_AMOUNT, Case, Quote, default_policy, quote

TARGET_PER_SECOND = 100_000
CASES_BY_SCALE = {"full": 200_000, "small": 20_000}
REPEATS = 3


def build_cases(count: int, seed: int = 20240601) -> list[Case]:
    """Varied cases: every band, tier and reason, some ineligible, some with evidence."""
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        cases.append(
            Case(
                days_overdue=rng.choice((0, 1, 3, 4, 20, 30, 31, 60, 90, 91, 150, 181, 400)),
                penalty_outstanding=Decimal(rng.randint(0, 2_000_000)).scaleb(-2),
                on_time_ratio=Decimal(rng.randint(0, 10_000)).scaleb(-4),
                reason=rng.choice(HARDSHIP_REASONS),
                prior_reliefs_12m=rng.choice((0, 0, 0, 1, 2)),
                evidence_verified=rng.random() < 0.3,
                has_open_application=rng.random() < 0.02,
                written_off=rng.random() < 0.01,
                legal_proceedings=rng.random() < 0.01,
                fraud_flag=rng.random() < 0.01,
                risk_flag=rng.random() < 0.02,
            )
        )
    return cases


def _baseline_quote(case: Case, policy: object) -> Quote:
    # The least any quote function must do: build its answer from the case.
    return Quote(
        eligible=True,
        percent=0,
        amount=ZERO_AMOUNT,
        penalty_outstanding=case.penalty_outstanding,
        factors=(),
        hints=(),
        not_eligible_reasons=(),
        auto_approvable=False,
        auto_approval_blockers=(),
        policy_version=0,
    )


def _per_second(function: Callable[[Case, object], Quote], cases: Sequence[Case]) -> float:
    return per_second(function, cases, default_policy(), repeats=REPEATS)


def main(scale: str = "full") -> list[dict]:
    """Run the benchmark at `scale` ("full" or "small"), print the figures and return the
    summary line."""
    count = CASES_BY_SCALE[scale]
    cases = build_cases(count)
    default_policy()  # parse once, outside the timing
    rules_rate = _per_second(quote, cases)
    baseline_rate = _per_second(_baseline_quote, cases)
    print(f"rules: {rules_rate:.0f} quotes/s (target >= {TARGET_PER_SECOND}/s)")
    print(
        f"baseline (building a Quote only): {baseline_rate:.0f}/s; "
        f"rules take {baseline_rate / rules_rate:.1f}x the baseline's time"
    )
    verdict = "meets" if rules_rate >= TARGET_PER_SECOND else "MISSES"
    print(
        f"ratio to target: {rules_rate / TARGET_PER_SECOND:.2f} ({verdict} the target; "
        f"{count} cases, best of {REPEATS})"
    )
    return [
        result(
            f"rules ({count:,} cases)",
            product=f"{rules_rate:,.0f} quotes/s",
            baseline=f"{baseline_rate:,.0f}/s (building a Quote only)",
            ratio=f"{rules_rate / baseline_rate:.2f}",
            target=f">= {TARGET_PER_SECOND:,}/s",
            met=rules_rate >= TARGET_PER_SECOND,
        )
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_rules")
    parser.add_argument(
        "--scale", choices=tuple(CASES_BY_SCALE), default=os.environ.get("SCALE", "full")
    )
    main(parser.parse_args().scale)
