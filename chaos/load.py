"""Borrowers and the servicing system over HTTP: every request's status (or "none" when no
answer came within the timeout) and how long the answer took, kept per scenario."""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import requests

from chaos.data import Customer

TIMEOUT = 30.0  # seconds; a request with no answer by then counts as one with none


@dataclass
class Record:
    statuses: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    # (loan id, status) of each submission; repayments: (reference, status, amount)
    submitted: list[tuple[int, str]] = field(default_factory=list)
    repaid: list[tuple[str, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: str, seconds: float) -> None:
        with self.lock:
            self.statuses.append(status)
            self.seconds.append(seconds)

    def summary(self) -> dict:
        ordered = sorted(self.seconds)

        def quantile(q: float) -> float:
            if not ordered:
                return 0.0
            return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

        counts = Counter(self.statuses)
        return {
            "requests": len(self.statuses),
            "statuses": " ".join(f"{code}×{n}" for code, n in sorted(counts.items())),
            "p50": quantile(0.5) if ordered else 0.0,
            "p95": quantile(0.95),
            "max": ordered[-1] if ordered else 0.0,
            "mean": statistics.fmean(ordered) if ordered else 0.0,
            "errors": sum(n for code, n in counts.items() if failed(code)),
        }


def failed(status: str) -> bool:
    """A 5xx, or no answer at all (timeout, connection refused or reset)."""
    return not status.isdigit() or int(status) >= 500


class Client:
    def __init__(self, base_url: str, record: Record):
        self.base_url = base_url
        self.record = record
        self.local = threading.local()

    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def post(self, path: str, token: str, body: dict, key: str | None = None) -> str:
        headers = {"Authorization": f"Token {token}"}
        if key:
            headers["Idempotency-Key"] = key
        started = time.monotonic()
        try:
            response = self.session().post(
                self.base_url + path, json=body, headers=headers, timeout=TIMEOUT
            )
            status = str(response.status_code)
        except requests.RequestException:
            status = "none"
            self.local.__dict__.pop("session", None)
        self.record.add(status, time.monotonic() - started)
        return status

    def submit(self, customer: Customer, key: str | None = None) -> str:
        body = {"loan": customer.loan_id, "reason": "other", "description": "Chaos run."}
        status = self.post(
            "/api/v1/relief-applications/", customer.token, body, key or uuid.uuid4().hex
        )
        with self.record.lock:
            self.record.submitted.append((customer.loan_id, status))
        return status

    def repay(self, token: str, loan_external_id: str, amount: str, reference: str) -> str:
        body = {
            "loan_external_id": loan_external_id,
            "amount": amount,
            "paid_on": date.today().isoformat(),
            "reference": reference,
        }
        status = self.post("/api/v1/servicing/repayments/", token, body)
        with self.record.lock:
            self.record.repaid.append((reference, status, amount))
        return status


STOP = threading.Event()  # set on Ctrl-C: no further request starts


def submit_all(
    client: Client, customers: list[Customer], *, threads: int = 8, pace: float = 0.0
) -> None:
    """Every customer submits once, `threads` at a time, `pace` seconds apart per thread."""

    def one(customer: Customer) -> None:
        if STOP.is_set():
            return
        client.submit(customer)
        if pace:
            time.sleep(pace)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, customers))


class Background:
    """Customers submitting in a thread while the scenario breaks things."""

    def __init__(self, client: Client, customers: list[Customer], *, threads: int, pace: float):
        self.thread = threading.Thread(
            target=submit_all, args=(client, customers), kwargs={"threads": threads, "pace": pace}
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, kind, error, trace):
        if kind is not None:  # interrupted or failed: start no further request
            STOP.set()
        self.thread.join()
