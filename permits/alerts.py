"""Alerts to the auditors: an error in the log and an e-mail to every active auditor.

Written in the issue-13 branch that needed it first, with the agreed signature; the
integrator's version on main replaces it if they differ.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.db import transaction

from outbox.services import outbox_email_enqueue
from workflow.roles import Role

logger = logging.getLogger(__name__)


def auditor_addresses() -> list[str]:
    return list(
        get_user_model()
        .objects.filter(groups__name=Role.AUDITOR, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )


def auditors_alert(*, subject: str, body: str, key: str) -> None:
    """Log ``subject`` as an error and e-mail it to every active auditor through the outbox,
    once per ``key``: the same alert raised again is logged again but sends no second e-mail."""
    logger.error("Alert to auditors: %s — %s", subject, body)
    with transaction.atomic():
        outbox_email_enqueue(
            key_prefix=f"auditors_alert:{key}",
            recipients=auditor_addresses(),
            subject=subject,
            body=body,
        )
