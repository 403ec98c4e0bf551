"""Email and SMS providers for tests that keep what reached them, in a folder shared with a
worker process (RELIEF_TEST_PROVIDER_DIR).

Like a real provider with idempotency keys, a message whose key (the email's Message-ID, the
SMS's client reference) it has seen is taken again but not sent again: `sent()` are the
messages that went out, `calls()` every hand-over. With RELIEF_TEST_PROVIDER_DIE set
("kill" or "exit"), the process dies right after the first message is taken, as a worker
killed before it could record the outcome: SIGKILL, or SystemExit in-process.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

from relief.services.notifications import PermanentSmsError, SmsBackend


class Provider:
    def __init__(self, directory: str | os.PathLike | None = None):
        self.dir = Path(directory or os.environ["RELIEF_TEST_PROVIDER_DIR"])
        (self.dir / "sent").mkdir(parents=True, exist_ok=True)

    def die_after_first_send(self, how: str) -> None:
        """Arm the one-time death (for the process that takes the next message)."""
        (self.dir / "die-once").write_text(how)

    def take(self, key: str, channel: str, to: str, text: str, *, deduplicate: bool) -> bool:
        """Hand one message over; False when its key was seen and it was not sent again."""
        assert key, "every message reaches the provider with its key"
        with open(self.dir / "calls.jsonl", "a") as calls:
            calls.write(json.dumps({"key": key, "channel": channel}) + "\n")
        record = json.dumps({"key": key, "channel": channel, "to": to, "text": text})
        name = key if deduplicate else f"{key}-{len(self.calls())}"
        try:
            # Created only if absent: two hand-overs with one key send one message.
            with open(self.dir / "sent" / name.replace("/", "_"), "x") as sent:
                sent.write(record)
        except FileExistsError:
            return False
        self.maybe_die()
        return True

    def maybe_die(self) -> None:
        marker = self.dir / "die-once"
        try:
            how = marker.read_text()
            marker.unlink()  # only the one process that removes it dies
        except FileNotFoundError:
            return
        if how == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        raise SystemExit("killed after the provider took the message")

    def sent(self) -> list[dict]:
        return [json.loads(path.read_text()) for path in sorted((self.dir / "sent").iterdir())]

    def calls(self) -> list[dict]:
        try:
            lines = (self.dir / "calls.jsonl").read_text().splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in lines]


class CountingSmsBackend(SmsBackend):
    """An SMS provider that sends a client reference once."""

    deduplicates = True

    def send(self, phone: str, text: str, *, client_reference: str) -> None:
        if not phone:
            raise PermanentSmsError("no phone number on file")
        Provider().take(client_reference, "sms", phone, text, deduplicate=self.deduplicates)


class ForgetfulSmsBackend(CountingSmsBackend):
    """An SMS provider without idempotency: it sends whatever it is given."""

    deduplicates = False


class CountingEmailBackend(BaseEmailBackend):
    """An email provider that sends a Message-ID once."""

    deduplicates = True

    def send_messages(self, email_messages) -> int:
        provider = Provider()
        sent = 0
        for message in email_messages:
            key = message.message()["Message-ID"]
            text = f"{message.subject}\n{message.body}"
            for to in message.recipients():
                sent += provider.take(key, "email", to, text, deduplicate=self.deduplicates)
        return sent


class ForgetfulEmailBackend(CountingEmailBackend):
    """An email provider without idempotency (like SMTP)."""

    deduplicates = False
