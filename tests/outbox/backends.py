"""An e-mail backend for the tests: Django's in-memory one, with an SMTP server that refuses
chosen recipients a given number of times."""

from __future__ import annotations

import smtplib
import threading

from django.core.mail.backends.locmem import EmailBackend


class RefusingEmailBackend(EmailBackend):
    # address → how many more times the server refuses it (shared with a worker thread)
    refusals: dict[str, int] = {}
    _lock = threading.Lock()

    def send_messages(self, messages):
        for message in messages:
            with self._lock:
                refused = [to for to in message.to if self.refusals.get(to, 0) > 0]
                for to in refused:
                    self.refusals[to] -= 1
            if refused:
                raise smtplib.SMTPRecipientsRefused(
                    {to: (450, b"4.2.1 Mailbox busy, try again later") for to in refused}
                )
        return super().send_messages(messages)


class HeldEmailBackend(EmailBackend):
    """The SMTP server takes a while: it answers once ``release`` is set."""

    sending = threading.Event()
    release = threading.Event()

    def send_messages(self, messages):
        self.sending.set()
        self.release.wait(timeout=10)
        return super().send_messages(messages)
