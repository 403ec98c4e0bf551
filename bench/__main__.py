"""`make bench`: run every benchmark and print the product's figure, the baseline's, the ratio.

Benchmarks are measurements, not tests: they never fail the build. `--scale small` keeps the
whole run under a few minutes.
"""

import argparse
import importlib
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BENCHMARKS = [
    "bench.bench_rules",
    "bench.bench_accrual",
    "bench.bench_simulation",
    "bench.bench_queue",
    "bench.bench_export",
]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", choices=("small", "full"), default="full")
    parser.add_argument("--only", help="run only benchmarks whose module name contains this")
    args = parser.parse_args()
    started = time.perf_counter()
    for name in BENCHMARKS:
        if args.only and args.only not in name:
            continue
        print(f"== {name} (scale={args.scale})", flush=True)
        module = importlib.import_module(name)
        module.main(args.scale)
    print(f"== all benchmarks done in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
