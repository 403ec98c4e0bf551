"""The faults, one scenario each, every one with borrowers of its own submitting over HTTP
while the stack is broken. A scenario returns what its requests saw; `measure` counts what
they left behind once the stack has settled."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from chaos import SCALES, data  # noqa: F401 - SCALES read from here too
from chaos.load import Background, Client, Record, submit_all
from chaos.measure import fresh_connection
from chaos.stack import Stack


@dataclass
class Outcome:
    name: str
    record: Record
    customers: list[data.Customer]
    repaid_loans: list[str] = field(default_factory=list)


@dataclass
class Run:
    stack: Stack
    scale: dict
    servicing_token: str
    log: object
    notes: list[str] = field(default_factory=list)

    def people(self, name: str, count: int | None = None) -> list[data.Customer]:
        fresh_connection()
        return data.customers(f"{name[:10]}-", count or self.scale["borrowers"])

    def client(self) -> tuple[Client, Record]:
        record = Record()
        return Client(self.stack.base_url, record), record


def redis_outages(run: Run) -> Outcome:
    """Redis killed and started again (empty: no persistence) `outages` times, away for 2, 4
    or 6 s in turn and back for 2 s, while borrowers submit and the worker is busy triaging
    and sending."""
    outages = run.scale["outages"]
    people = run.people("outage", run.scale["borrowers"] * 3)
    client, record = run.client()
    away = [(2.0, 4.0, 6.0)[n % 3] for n in range(outages)]
    pace = (sum(away) + 2.0 * outages) * 4 / len(people)  # spread over the outages, 4 threads
    with Background(client, people, threads=4, pace=pace):
        for seconds in away:
            time.sleep(2.0)
            run.stack.redis_stop()
            time.sleep(seconds)
            run.stack.redis_start()
    return Outcome(f"redis outages ×{outages}", record, people)


def worker_killed_mid_task(run: Run) -> Outcome:
    """The whole worker SIGKILLed while it triages (and started again, as its supervisor
    would), then its pool processes killed twice."""
    people = run.people("killtask")
    client, record = run.client()
    with Background(client, people, threads=4, pace=0.3):
        time.sleep(2.0)
        run.stack.worker_kill_all()
        time.sleep(3.0)
        for _ in range(2):
            run.stack.worker_kill_children()
            time.sleep(2.0)
    return Outcome("worker SIGKILL mid-task", record, people)


def worker_killed_mid_send(run: Run) -> Outcome:
    """The worker's pool processes SIGKILLed just after the provider took a message and
    before the send was committed (the counting provider answers after CHAOS_SEND_DELAY)."""
    people = run.people("killsend")
    client, record = run.client()
    kills = 0
    with Background(client, people, threads=4, pace=0.2):
        deadline = time.monotonic() + 40
        seen = line_count(run.stack)
        while kills < 3 and time.monotonic() < deadline:
            now = line_count(run.stack)
            if now > seen:
                run.stack.worker_kill_children()
                kills += 1
                time.sleep(2.0)
                seen = line_count(run.stack)
            time.sleep(0.02)
    run.notes.append(f"mid-send: {kills} kills just after a provider send")
    return Outcome("worker SIGKILL mid-send", record, people)


def line_count(stack: Stack) -> int:
    with open(stack.sends, "rb") as sends:
        return sum(1 for _ in sends)


def postgres_terminated(run: Run) -> Outcome:
    """Every connection to the run's database terminated (pg_terminate_backend) 5 times,
    1.5 s apart, while borrowers submit and the worker triages."""
    people = run.people("pgkill")
    client, record = run.client()
    terminated = 0
    with Background(client, people, threads=4, pace=0.2):
        for _ in range(5):
            time.sleep(1.5)
            terminated += run.stack.postgres_terminate()
    run.notes.append(f"postgres: {terminated} connections terminated")
    return Outcome("postgres connections terminated", record, people)


def redis_frozen(run: Run) -> Outcome:
    """Redis stopped with SIGSTOP for `frozen` seconds (it accepts connections and never
    answers), then SIGCONT, while borrowers submit."""
    people = run.people("frozen")
    client, record = run.client()
    run.stack.redis_freeze()
    try:
        with Background(client, people, threads=4, pace=run.scale["frozen"] * 4 / len(people)):
            time.sleep(run.scale["frozen"])
            run.stack.redis_thaw()
    finally:
        run.stack.redis_thaw()
    return Outcome(f"redis frozen {run.scale['frozen']} s", record, people)


def duplicate_storm(run: Run) -> Outcome:
    """Each borrower sends the same submission with the same Idempotency-Key `storm` times
    at once."""
    people = run.people("storm", max(4, run.scale["borrowers"] // 4))
    client, record = run.client()
    storm = run.scale["storm"]
    with ThreadPoolExecutor(storm) as pool:
        for customer in people:
            key = uuid.uuid4().hex
            list(pool.map(lambda _n, c=customer, k=key: client.submit(c, k), range(storm)))
    return Outcome(f"duplicate storm ×{storm}", record, people)


def concurrent_repayments(run: Run) -> Outcome:
    """Ten repayments of 10.00 at once on each loan, each reference sent twice at once (the
    second a retry), through the servicing API."""
    people = run.people("repay", run.scale["repay_loans"])
    client, record = run.client()
    jobs = []
    for customer in people:
        for n in range(10):
            reference = f"R-{customer.loan_external_id}-{n}-{uuid.uuid4().hex[:6]}"
            jobs += [(customer.loan_external_id, reference)] * 2
    with ThreadPoolExecutor(20) as pool:
        list(pool.map(lambda job: client.repay(run.servicing_token, job[0], "10.00", job[1]), jobs))
    return Outcome(
        "concurrent repayments", record, [], [customer.loan_external_id for customer in people]
    )


def plain_load(run: Run) -> Outcome:
    """No fault: the baseline the others compare with."""
    people = run.people("baseline")
    client, record = run.client()
    submit_all(client, people, threads=4)
    return Outcome("no fault (baseline)", record, people)


SCENARIOS = [
    plain_load,
    redis_outages,
    worker_killed_mid_task,
    worker_killed_mid_send,
    postgres_terminated,
    redis_frozen,
    duplicate_storm,
    concurrent_repayments,
]
