"""`python -m chaos` (`make chaos`): start the stack, run every scenario, let the stack
settle, print one row per scenario; exit 1 unless duplicates, provider duplicates, lost and
500s are all zero. Everything started is stopped, on success, failure or Ctrl-C."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

COLUMNS = [
    ("scenario", "scenario", 31),
    ("requests", "requests", 8),
    ("statuses", "statuses", 30),
    ("p50", "p50 s", 6),
    ("p95", "p95 s", 6),
    ("max", "max s", 6),
    ("saved", "saved", 5),
    ("triaged", "triaged", 7),
    ("duplicates", "dup rows", 8),
    ("sends", "dup sends", 9),
    ("lost", "lost", 4),
    ("errors", "500s", 4),
]
MUST_BE_ZERO = ("duplicates", "sends", "lost", "errors")


def log(message: str) -> None:
    print(f"[chaos {time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def table(rows: list[dict]) -> str:
    def cell(value, width):
        text = f"{value:.2f}" if isinstance(value, float) else str(value)
        return text.ljust(width)

    lines = [" | ".join(title.ljust(width) for _key, title, width in COLUMNS)]
    lines.append("-+-".join("-" * width for _key, _title, width in COLUMNS))
    for row in rows:
        lines.append(" | ".join(cell(row[key], width) for key, _title, width in COLUMNS))
    return "\n".join(lines)


def stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    scale_name = os.environ.get("CHAOS_SCALE", "small")
    from chaos import SCALES

    if scale_name not in SCALES:
        print(f"CHAOS_SCALE must be one of {', '.join(SCALES)}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    workdir = Path(tempfile.mkdtemp(prefix="relief-chaos-"))
    from chaos.stack import Stack

    stack = Stack(workdir, send_delay=float(os.environ.get("CHAOS_SEND_DELAY", "0.1")))
    failed = True
    stop_supervising = threading.Event()
    try:
        log(f"scale {scale_name}; logs in {workdir}; database {stack.database}")
        stack.start()
        os.environ.update({k: v for k, v in stack.env.items() if k not in ("PYTHONPATH",)})
        import django

        django.setup()
        from chaos import data, measure
        from chaos.scenarios import SCENARIOS, Run

        run = Run(stack, SCALES[scale_name], data.staff(), log)
        stack.start_services()

        def supervise():
            while not stop_supervising.wait(0.5):
                stack.worker_supervise()

        threading.Thread(target=supervise, daemon=True).start()
        time.sleep(3)  # the worker connects
        outcomes = []
        for scenario in SCENARIOS:
            log(f"scenario: {scenario.__name__}")
            outcomes.append(scenario(run))
        loan_ids = [c.loan_id for outcome in outcomes for c in outcome.customers]
        timeout = float(os.environ.get("CHAOS_SETTLE", "300"))
        log(f"settling: every case triaged and every message sent (at most {timeout:.0f} s)")
        took = measure.settle(loan_ids, timeout, log)
        time.sleep(3)  # a redelivered task still running would show now
        sends = measure.provider_sends(stack.sends)
        rows = [measure.row(o.name, o.record, o.customers, sends, o.repaid_loans) for o in outcomes]
        print()
        print(table(rows))
        print()
        print(f"settled in {took:.0f} s; worker started {stack.worker_starts} times")
        worker_log = (workdir / "worker.log").read_text(errors="replace")
        run.notes.append(
            f"worker log: {worker_log.count('Unrecoverable error')} 'Unrecoverable error', "
            f"{worker_log.count('Restoring')} 'Restoring ... unacknowledged', "
            f"{worker_log.count('raised error: WorkerLostError')} tasks lost with a killed process "
            "(redelivered: acks_late)"
        )
        for exit_ in stack.worker_exits:
            run.notes.append(f"the worker exited on its own ({exit_}); restarted as supervised")
        for note in run.notes:
            print(f"note: {note}")
        failed = any(row[key] for row in rows for key in MUST_BE_ZERO)
        print("chaos: FAILED (non-zero duplicates, lost or 500s)" if failed else "chaos: passed")
        return 1 if failed else 0
    except KeyboardInterrupt:
        from chaos.load import STOP

        STOP.set()
        log("interrupted")
        return 130
    finally:
        stop_supervising.set()
        with stack.worker_lock:
            stack.stop()
        if failed:
            log(f"logs kept in {workdir}")
        else:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
