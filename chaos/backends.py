"""Counting provider backends for the chaos run: every email or SMS handed to the "provider"
is one line in the file named by CHAOS_SENDS (appended with O_APPEND, one write per line, so
concurrent worker processes never interleave), then the provider takes CHAOS_SEND_DELAY
seconds to answer, the window in which a worker may be killed after the send and before its
commit. The harness counts the lines against the notification rows."""

from __future__ import annotations

import json
import os
import time

from django.core.mail.backends.base import BaseEmailBackend

from relief.services.notifications import PermanentSmsError, SmsBackend


def record(channel: str, address: str, text: str, key: str = "") -> None:
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
    def send(self, phone: str, text: str, *args, **kwargs) -> None:
        if not phone:
            raise PermanentSmsError("no phone number on file")
        key = kwargs.get("key") or kwargs.get("reference") or (args[0] if args else "")
        record("sms", phone, text, str(key or ""))


class CountingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            key = message.extra_headers.get("Message-ID", "")
            text = f"{message.subject}\n{message.body}"
            for address in message.recipients():
                record("email", address, text, key)
        return len(email_messages)
