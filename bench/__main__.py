"""`make bench`: run every benchmark and print the product's figure, the baseline's, the ratio.

Each module's `main(scale)` prints its details and returns its lines of the summary table
printed at the end (`bench.support.result`); the table is also written to `bench/results/`
(not versioned). `--scale small` runs the same jobs on smaller data (docs/benchmarks.md).

A missed target is a measurement, shown as MISSES in the table; it does not fail the run. A
benchmark that could not measure does: an exception, a child process that failed, a service
it needs that does not answer. Nothing is skipped: what the benchmarks need is installed by
`make bench` (Python packages through `make install`). The others still run; the reason is
printed where it happened and again after the summary, and the process exits 1.
"""

import argparse
import importlib
import json
import os
import platform
import sys
import time
from datetime import datetime
from pathlib import Path

from bench.support import BenchmarkFailed, result

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BENCHMARKS = [
    "bench.bench_rules",
    "bench.bench_arrangement_quote",
    "bench.bench_accrual",
    "bench.bench_arrangements_nightly",
    "bench.bench_simulation",
    "bench.bench_queue",
    "bench.bench_export",
    "bench.bench_pages",
    "bench.bench_staff",
    "bench.bench_risk",
]
RESULTS = Path(__file__).resolve().parent / "results"


def export_rows(figures: dict) -> list[dict]:
    """bench_export returns its figures as a dict; turn them into summary lines."""
    from bench.bench_export import TARGET_RATIO, TARGET_RSS_MB, TARGET_XLSX_SECONDS

    ratio = figures["ratio"]
    return [
        result(
            f"CSV export ({figures['rows']:,} rows)",
            product=f"{figures['product_seconds']:.2f} s, peak RSS {figures['peak_rss_mb']:.0f} MB",
            baseline=f"{figures['baseline_seconds']:.2f} s (COPY TO STDOUT)",
            ratio=f"{ratio:.2f}",
            target=f"ratio <= {TARGET_RATIO}; RSS < {TARGET_RSS_MB} MB",
            met=ratio <= TARGET_RATIO and figures["peak_rss_mb"] < TARGET_RSS_MB,
        ),
        result(
            f"XLSX export ({figures['xlsx_rows']:,} rows)",
            product=f"{figures['xlsx_seconds']:.2f} s, peak RSS "
            f"{figures['xlsx_peak_rss_mb']:.0f} MB",
            target=f"< {TARGET_XLSX_SECONDS} s; RSS < {TARGET_RSS_MB} MB",
            met=figures["xlsx_seconds"] < TARGET_XLSX_SECONDS
            and figures["xlsx_peak_rss_mb"] < TARGET_RSS_MB,
        ),
    ]


def summary_lines(rows: list[dict]) -> list[str]:
    columns = ("job", "product", "baseline", "ratio", "target", "verdict")
    verdicts = {True: "meets", False: "MISSES", None: "—"}
    table = [
        dict(row, verdict="FAILED" if row["product"] == "failed" else verdicts[row["met"]])
        for row in rows
    ]
    widths = {c: max(len(c), *(len(str(row[c])) for row in table)) for c in columns}
    lines = [" | ".join(c.ljust(widths[c]) for c in columns)]
    lines.append("-+-".join("-" * widths[c] for c in columns))
    lines += [" | ".join(str(row[c]).ljust(widths[c]) for c in columns) for row in table]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", choices=("small", "full"), default="full")
    parser.add_argument("--only", help="run only benchmarks whose module name contains this")
    args = parser.parse_args()
    if args.only and not any(args.only in name for name in BENCHMARKS):
        parser.error(f"no benchmark's module name contains {args.only!r}")
    started = time.perf_counter()
    rows: list[dict] = []
    failures: list[str] = []
    for name in BENCHMARKS:
        if args.only and args.only not in name:
            continue
        print(f"== {name} (scale={args.scale})", flush=True)
        module_started = time.perf_counter()
        try:
            figures = importlib.import_module(name).main(args.scale)
            if isinstance(figures, dict):
                figures = export_rows(figures)
            if not figures:
                raise BenchmarkFailed("it returned no figures")
        # One broken benchmark must not hide the others' figures; SystemExit too, as a module
        # may refuse to run that way.
        except (Exception, SystemExit) as exc:
            reason = f"{type(exc).__name__}: {exc}"
            print(f"  {name} failed: {reason}", flush=True)
            failures.append(f"{name}: {reason}")
            figures = [result(name, product="failed", target="—", met=False)]
        rows += figures
        print(f"   ({time.perf_counter() - module_started:.0f} s)", flush=True)
    elapsed = time.perf_counter() - started
    print(f"\n== summary (scale={args.scale}, {elapsed:.0f} s in all)")
    for line in summary_lines(rows) if rows else ["(nothing ran)"]:
        print(line)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"{stamp}-{args.scale}.json").write_text(
        json.dumps(
            {
                "scale": args.scale,
                "seconds": round(elapsed, 1),
                "machine": f"{platform.node()} {os.cpu_count()} CPUs",
                "load_average": os.getloadavg(),
                "rows": rows,
                "failures": failures,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    if failures:
        print(f"\n{len(failures)} benchmark(s) failed:", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
