"""Celery tasks of the permits app. Thin: they find work and call actions."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from documents.integrity import StorageUnavailable
from workflow.exceptions import TransitionError

from . import selectors
from .actions.integrity import stored_files_verify
from .actions.licences import application_expire
from .actions.reminders import (
    deadline_reminders_send,
    denial_notices_lapse,
    reference_freshness_notify,
)
from .evidence import history_check_and_alert

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def expire_licences() -> int:
    """Daily sweep: every issued licence whose validity has ended becomes expired.

    Idempotent: a licence already expired (or revoked meanwhile) is no longer selected, and a
    transition that lost a race to another actor is skipped.
    """
    today = timezone.localdate()
    expired = 0
    for licence in selectors.licences_to_expire(today=today):
        try:
            application_expire(application=licence.application, today=today)
        except TransitionError as exc:
            logger.info("Licence %s not expired: %s", licence.number, exc)
            continue
        expired += 1
    return expired


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_deadline_reminders() -> dict[str, int]:
    """Daily: reminders before decision deadlines, escalation when overdue, applicant
    reminders. Driven by the deadlines stored on the files, never by broker ETAs."""
    return deadline_reminders_send(today=timezone.localdate())


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def lapse_denial_notices() -> int:
    """Daily: denial notices lapse three years after notification unless renewed."""
    return denial_notices_lapse(today=timezone.localdate())


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def warn_stale_reference_data() -> int:
    """Daily: the heads of unit hear of reference lists past their review date."""
    return reference_freshness_notify(today=timezone.localdate())


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def verify_history_chain() -> dict[str, object]:
    """Daily: walk the history's hash chains; a break is logged and e-mailed to the auditors
    (once per break, so a retry or the next day's run does not repeat it)."""
    check = history_check_and_alert()
    return {
        "intact": check.intact,
        "head": check.head.label,
        "first_break": check.first_break.record_id if check.first_break else None,
    }


@shared_task(
    acks_late=True,
    # The object store out of reach says nothing about the files: try again later.
    autoretry_for=(OperationalError, StorageUnavailable),
    retry_backoff=True,
    max_retries=5,
)
def verify_stored_files() -> dict[str, int]:
    """Daily: every stored file re-hashed against its record, orphan files removed after their
    grace period; each broken or orphan file reported to the auditors once. Idempotent."""
    report = stored_files_verify()
    return {
        "checked": report.checked,
        "broken": len(report.broken),
        "orphans_removed": len(report.orphans_removed),
    }
