"""What a scenario left in the database and at the provider, counted after the stack had
time to finish its work (`settle`). Nothing here forgives: a case still untriaged, a message
never sent, a 201 with no row, a provider send more than once per row are all counted."""

from __future__ import annotations

import json
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

from django.db import close_old_connections, connection
from django.db.models import Count, F, Sum

from chaos.data import Customer
from chaos.load import Record
from loans.models import Installment, Repayment
from relief.models import ApplicationEvent, ApplicationStatus, Notification, ReliefApplication

EXTERNAL = (Notification.Channel.EMAIL, Notification.Channel.SMS)
ANSWERED = ("200", "201")


def fresh_connection() -> None:
    """The run terminates database connections on purpose: start from a live one."""
    close_old_connections()
    connection.close()


def unfinished(loan_ids: list[int]) -> tuple[int, int]:
    """(cases still submitted, external messages still pending) among these loans."""
    fresh_connection()
    cases = ReliefApplication.objects.filter(
        loan_id__in=loan_ids, status=ApplicationStatus.SUBMITTED
    ).count()
    messages = Notification.objects.filter(
        application__loan_id__in=loan_ids,
        channel__in=EXTERNAL,
        status=Notification.Status.PENDING,
    ).count()
    return cases, messages


def settle(loan_ids: list[int], timeout: float, log) -> float:
    """Wait until every case is triaged and every message sent, at most `timeout` seconds;
    the seconds it took."""
    started = time.monotonic()
    said = 0.0
    while time.monotonic() - started < timeout:
        state = unfinished(loan_ids)
        if state == (0, 0):
            break
        if time.monotonic() - said >= 15:
            log(f"  waiting: {state[0]} cases untriaged, {state[1]} messages unsent")
            said = time.monotonic()
        time.sleep(2)
    return time.monotonic() - started


def provider_sends(path: Path) -> Counter:
    sends: Counter = Counter()
    for line in path.read_text().splitlines():
        send = json.loads(line)
        sends[(send["channel"], send["address"], send["text"])] += 1
    return sends


def provider_text(notification: Notification) -> tuple[str, str, str]:
    """What the provider received for a row: the backends' (channel, address, text)."""
    if notification.channel == Notification.Channel.SMS:
        address = notification.recipient.borrower.phone
        return "sms", address, f"{notification.title}: {notification.body}"
    return "email", notification.recipient.email, f"{notification.title}\n{notification.body}"


def messages(loan_ids: list[int], sends: Counter) -> tuple[int, int, int]:
    """(duplicate rows, duplicate provider sends, lost) of the external messages."""
    rows = list(
        Notification.objects.filter(
            application__loan_id__in=loan_ids, channel__in=EXTERNAL
        ).select_related("recipient", "recipient__borrower")
    )
    per_kind = Counter((row.application_id, row.kind, row.channel) for row in rows)
    duplicate_rows = sum(n - 1 for n in per_kind.values() if n > 1)
    by_text: dict[tuple, list[Notification]] = {}
    for row in rows:
        by_text.setdefault(provider_text(row), []).append(row)
    duplicate_sends = lost = 0
    for text, group in by_text.items():
        sent = sends.get(text, 0)
        duplicate_sends += max(0, sent - len(group))
        marked_sent = sum(row.status == Notification.Status.SENT for row in group)
        lost += max(0, marked_sent - sent)  # marked sent, never reached the provider
        lost += sum(row.status != Notification.Status.SENT for row in group)
    return duplicate_rows, duplicate_sends, lost


def cases(loan_ids: list[int], record: Record) -> dict:
    applications = ReliefApplication.objects.filter(loan_id__in=loan_ids)
    per_loan = Counter(applications.values_list("loan_id", flat=True))
    triages = (
        ApplicationEvent.objects.filter(
            application__loan_id__in=loan_ids, from_status=ApplicationStatus.SUBMITTED
        )
        .values("application_id")
        .annotate(n=Count("id"))
    )
    answered = {loan for loan, status in record.submitted if status in ANSWERED}
    return {
        "saved": sum(per_loan.values()),
        "triaged": applications.exclude(status=ApplicationStatus.SUBMITTED).count(),
        "duplicate rows": sum(n - 1 for n in per_loan.values() if n > 1)
        + sum(row["n"] - 1 for row in triages if row["n"] > 1),
        "lost": len(answered - set(per_loan))
        + applications.filter(status=ApplicationStatus.SUBMITTED).count(),
    }


def repayments(record: Record, loan_external_ids: list[str]) -> dict:
    """Every repayment answered is recorded once; what the installments show paid is what
    the repayments add up to, loan by loan (a lost update would differ)."""
    answered = {ref for ref, status, _amount in record.repaid if status in ANSWERED}
    rows = Repayment.objects.filter(loan__external_id__in=loan_external_ids)
    per_reference = Counter(rows.values_list("reference", flat=True))
    lost = len(answered - set(per_reference))
    for external_id in loan_external_ids:
        received = rows.filter(loan__external_id=external_id).aggregate(s=Sum("amount"))["s"]
        paid = Installment.objects.filter(loan__external_id=external_id).aggregate(
            s=Sum(F("principal_paid") + F("interest_paid") + F("penalty_paid"))
        )["s"]
        if (received or Decimal(0)) != (paid or Decimal(0)):
            lost += 1
    return {
        "saved": len(per_reference),
        "duplicate rows": sum(n - 1 for n in per_reference.values() if n > 1),
        "lost": lost,
    }


def row(
    name: str,
    record: Record,
    customers: list[Customer],
    sends: Counter,
    repaid_loans: list[str] | None = None,
) -> dict:
    fresh_connection()
    loan_ids = [customer.loan_id for customer in customers]
    figures = {"scenario": name, **record.summary()}
    found = cases(loan_ids, record)
    message_rows, message_sends, message_lost = messages(loan_ids, sends)
    figures.update(
        saved=found["saved"],
        triaged=found["triaged"],
        duplicates=found["duplicate rows"] + message_rows,
        sends=message_sends,
        lost=found["lost"] + message_lost,
    )
    if repaid_loans:
        money = repayments(record, repaid_loans)
        figures["saved"] += money["saved"]
        figures["duplicates"] += money["duplicate rows"]
        figures["lost"] += money["lost"]
    return figures
