"""Loans quoted per second by the arrangement rules in one process (target: at least 20,000/s).

The options page, the API and the policy simulation quote every deferral and plan a policy
offers (nine under version 2) for each loan, so `arrangement_quote` must stay cheap in bulk.
Cases are built first; only quoting is timed. The baseline, measured in the same run on the
same machine, is building the answer alone: an `ArrangementQuote` with nine options of fixed
figures; the ratio says how much the rules add on top of producing it.

    python -m bench.bench_arrangement_quote            # 100,000 loans
    SCALE=small python -m bench.bench_arrangement_quote  # 20,000 loans
"""

from __future__ import annotations

import argparse
import os
import random
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from bench.support import per_second, result
from relief.rules import (
    HARDSHIP_REASONS,
    ArrangementCase,
    ArrangementOption,
    ArrangementQuote,
    arrangement_quote,
    policy_v2,
)

TARGET_PER_SECOND = 20_000
CASES_BY_SCALE = {"full": 100_000, "small": 20_000}
REPEATS = 3
START = date(2026, 6, 30)


def build_cases(count: int, seed: int = 20260630) -> list[ArrangementCase]:
    """Varied loans: not yet late to 400 days late, one to twelve installments left, with and
    without relief and a stated income, some that cannot have an arrangement."""
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        days = rng.choice((0, 1, 3, 10, 20, 30, 45, 60, 90, 91, 150, 400))
        left = rng.randint(1, 12)
        first_due = START - timedelta(days=days) if days else START + timedelta(days=10)
        dates = tuple(first_due + timedelta(days=30 * n) for n in range(left))
        each = Decimal(rng.randint(20_000, 1_000_000)).scaleb(-2)
        interest = (each * Decimal("0.015")).quantize(Decimal("0.01"))
        overdue_count = sum(1 for due in dates if due < START)
        penalty = Decimal(rng.randint(0, 100_000)).scaleb(-2) if days else Decimal("0.00")
        cases.append(
            ArrangementCase(
                start=START,
                days_overdue=days,
                overdue_principal=each * overdue_count,
                overdue_interest=interest * overdue_count,
                penalty_outstanding=penalty,
                relief=(penalty * Decimal("0.8")).quantize(Decimal("0.01"))
                if rng.random() < 0.5
                else Decimal("0.00"),
                unpaid_principal=each * left,
                unpaid_amount=(each + interest) * left,
                first_unpaid_amount=each + interest,
                unpaid_due_dates=dates,
                regular_installment=each + interest if left > overdue_count else Decimal("0.00"),
                annual_rate=rng.choice((Decimal("0.18"), Decimal("0.24"))),
                day_of_month=first_due.day,
                reason=rng.choice(HARDSHIP_REASONS),
                monthly_income=Decimal(rng.randint(200_000, 3_000_000)).scaleb(-2)
                if rng.random() < 0.6
                else None,
                fraud_flag=rng.random() < 0.01,
                has_open_application=rng.random() < 0.02,
                has_active_arrangement=rng.random() < 0.02,
                arrangements_12m=rng.choice((0, 0, 0, 1)),
            )
        )
    return cases


_FIXED = Decimal("100.00")


def _baseline_quote(case: ArrangementCase, policy: object) -> ArrangementQuote:
    # The least any arrangement quote must do: build its answer, nine options.
    options = tuple(
        ArrangementOption(
            kind="plan",
            periods=term,
            months=None,
            installment_amount=_FIXED,
            last_installment_amount=_FIXED,
            moved=_FIXED,
            extra_interest=_FIXED,
            interest_waived=_FIXED,
            total=_FIXED,
            first_due_date=START,
            last_due_date=START,
            monthly_payment=_FIXED,
            affordable_limit=None,
            affordable=None,
            auto_approval_blockers=(),
            needs_second_approval=False,
        )
        for term in (1, 2, 3, 3, 6, 12, 24, 36, 60)
    )
    return ArrangementQuote(
        eligible=True, options=options, not_eligible_reasons=(), relief=_FIXED, policy_version=0
    )


def _per_second(
    function: Callable[[ArrangementCase, object], ArrangementQuote],
    cases: Sequence[ArrangementCase],
) -> float:
    return per_second(function, cases, policy_v2(), repeats=REPEATS)


def main(scale: str = "full") -> list[dict]:
    """Run the benchmark at `scale` ("full" or "small"), print the figures and return the
    summary line."""
    count = CASES_BY_SCALE[scale]
    cases = build_cases(count)
    policy = policy_v2()  # parsed once, outside the timing
    options = sum(len(arrangement_quote(case, policy).options) for case in cases)
    rate = _per_second(arrangement_quote, cases)
    baseline_rate = _per_second(_baseline_quote, cases)
    print(
        f"arrangement rules: {rate:,.0f} loans/s, {options / count:.1f} options a loan "
        f"(target >= {TARGET_PER_SECOND:,}/s)"
    )
    print(
        f"baseline (building the answer only): {baseline_rate:,.0f}/s; "
        f"rules take {baseline_rate / rate:.1f}x the baseline's time"
    )
    return [
        result(
            f"arrangement quote ({count:,} loans, every option)",
            product=f"{rate:,.0f} loans/s",
            baseline=f"{baseline_rate:,.0f}/s (building the answer only)",
            ratio=f"{rate / baseline_rate:.2f}",
            target=f">= {TARGET_PER_SECOND:,}/s",
            met=rate >= TARGET_PER_SECOND,
        )
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.bench_arrangement_quote")
    parser.add_argument(
        "--scale", choices=tuple(CASES_BY_SCALE), default=os.environ.get("SCALE", "full")
    )
    main(parser.parse_args().scale)
