"""Counting provider backends for the chaos run: every email or SMS handed to the "provider"
is one line in the file named by CHAOS_SENDS (appended with O_APPEND, one write per line, so
concurrent worker processes never interleave), then the provider takes CHAOS_SEND_DELAY
seconds to answer, the window in which a worker may be killed after the send and before its
commit. The harness counts the lines against the notification rows.

Like a provider that takes an idempotency key (the SMS's client reference, the email's
Message-ID), a key it has already taken is not sent again (`deduplicates = True`): a marker
file per key, created exclusively, decides across processes. A message sent twice under two
keys, or without one, still counts twice."""

from __future__ import annotations

import json
import os
import time

from django.core.mail.backends.base import BaseEmailBackend

from relief.services.notifications import PermanentSmsError, SmsBackend


def first_time(key: str) -> bool:
    """Whether the provider sees `key` for the first time (always, without a key)."""
    if not key:
        return True
    seen = os.environ["CHAOS_SENDS"] + ".keys"
    os.makedirs(seen, exist_ok=True)
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in key)
    try:
        os.close(os.open(os.path.join(seen, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        return False
    return True


def record(channel: str, address: str, text: str, key: str = "") -> None:
    if not first_time(key):
        return  # the provider took this key before: nothing goes out again
    line = json.dumps(
        {"channel": channel, "address": address, "text": text, "key": key, "pid": os.getpid()},
        ensure_ascii=False,
    )
    descriptor = os.open(os.environ["CHAOS_SENDS"], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(descriptor, (line + "\n").encode())
    finally:
        os.close(descriptor)
    time.sleep(float(os.environ.get("CHAOS_SEND_DELAY", "0")))


class CountingSmsBackend(SmsBackend):
    deduplicates = True

    def send(self, phone: str, text: str, *, client_reference: str = "") -> None:
        if not phone:
            raise PermanentSmsError("no phone number on file")
        record("sms", phone, text, client_reference)


class CountingEmailBackend(BaseEmailBackend):
    deduplicates = True

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            key = message.extra_headers.get("Message-ID", "")
            text = f"{message.subject}\n{message.body}"
            for address in message.recipients():
                record("email", address, text, key)
        return len(email_messages)
