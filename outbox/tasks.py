"""Celery tasks of the outbox: deliver one message; sweep up what is still pending."""

from __future__ import annotations

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=3,
)
def deliver_outbox_message(message_id: int) -> bool:
    """Idempotent: a message already sent (or being sent by another worker) is left alone.
    Beyond these few retries, the sweep keeps trying until ``OUTBOX_MAX_ATTEMPTS``."""
    return services.outbox_message_deliver(message_id=message_id)


@shared_task(acks_late=True)
def deliver_pending_outbox() -> int:
    """Beat sweep: messages whose delivery was never enqueued (broker down at commit), lost
    with the broker, or failed, are handed to a worker again."""
    ids = list(services.outbox_messages_due().values_list("pk", flat=True))
    services.outbox_messages_lease(message_ids=ids)
    for message_id in ids:
        try:
            deliver_outbox_message.delay(message_id)
        except Exception:
            # Only without a broker (tasks run in-process) does a failed delivery surface here;
            # it is recorded on the message, and the others still get their turn.
            logger.exception("Outbox message %s not delivered by the sweep.", message_id)
    return len(ids)
