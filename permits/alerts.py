"""Alerts to the auditors: something the evidence says is wrong (a broken history chain, a
stored file that no longer matches its hash). Logged as an error and e-mailed through the
outbox, once per occurrence."""

from __future__ import annotations

import hashlib
import logging

from django.db import transaction

from outbox.services import outbox_email_enqueue

from . import selectors

logger = logging.getLogger("permits.alerts")


def auditors_alert(*, subject: str, body: str, key: str) -> None:
    """Log ``subject`` as an error and e-mail every active auditor, once per ``key``: the same
    finding reported again (the next sweep, a retried task) sends nothing twice."""
    logger.error("%s\n%s", subject, body)
    # The outbox's keys and "concerns" are bounded: a long finding key is stood for by its hash.
    if len(key) > 100:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    with transaction.atomic():
        outbox_email_enqueue(
            key_prefix=f"auditors_alert:{key}",
            recipients=selectors.auditor_addresses(),
            subject=subject,
            body=body,
            concerns=key,
        )
