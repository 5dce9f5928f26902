"""Celery tasks of the permits app. Thin: they find work and call services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError, transaction
from django.utils import timezone

from workflow.exceptions import TransitionError

from . import notifications, selectors, services
from .models import PermitApplication

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
            services.application_expire(application=licence.application, today=today)
        except TransitionError as exc:
            logger.info("Licence %s not expired: %s", licence.number, exc)
            continue
        expired += 1
    return expired


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_applicant_notification(application_id: int, event: str) -> int:
    """Deprecated: call ``notifications.applicant_notification_enqueue`` in the action's
    transaction instead. Kept for the callers not yet moved and the tasks already queued: it
    writes the e-mails to the outbox keyed by the event's latest history record, so running it
    again sends nothing (but two occurrences still queued when the second one commits make one
    e-mail, which the in-transaction call avoids)."""
    with transaction.atomic():
        application = PermitApplication.objects.select_related("organisation").get(
            pk=application_id
        )
        record = application.history.filter(transition=notifications.EVENT_RECORDS[event]).latest(
            "pk"
        )
        written = notifications.applicant_notification_enqueue(
            application=application, event=event, occurrence=record.pk
        )
    return len(written)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_deadline_reminders() -> dict[str, int]:
    """Daily: reminders before decision deadlines, escalation when overdue, applicant
    reminders. Driven by the deadlines stored on the files, never by broker ETAs."""
    from .compliance.services import deadline_reminders_send

    return deadline_reminders_send(today=timezone.localdate())


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def lapse_denial_notices() -> int:
    """Daily: denial notices lapse three years after notification unless renewed."""
    from .compliance.services import denial_notices_lapse

    return denial_notices_lapse(today=timezone.localdate())
