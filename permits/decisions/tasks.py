"""Celery tasks of the decision documents: thin wrappers that take ids and call services."""

from __future__ import annotations

from celery import shared_task

from . import generation


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    # Only what a later attempt may not meet is retried; a permanent failure is recorded on
    # the decision by ``decision_document_produce`` and alerts staff instead of looping.
    autoretry_for=generation.TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def generate_decision_document(decision_id: int) -> str:
    document = generation.decision_document_produce(decision_id=decision_id)
    return document.sha256 if document is not None else ""


@shared_task(acks_late=True)
def generate_missing_decision_documents() -> int:
    """Beat sweep: decisions whose document never came (broker down, task lost) get it now."""
    ids = list(generation.decisions_without_document().values_list("pk", flat=True))
    for decision_id in ids:
        generate_decision_document.delay(decision_id)
    return len(ids)
