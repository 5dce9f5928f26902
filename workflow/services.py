"""History records and work items, written inside the permits actions' transactions."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from .models import CaseTask, TransitionRecord
from .roles import SYSTEM_ROLE, primary_role

logger = logging.getLogger(__name__)


def transition_record_create(
    *,
    application: Any,
    transition: str,
    source_state: str,
    target_state: str,
    actor: AbstractBaseUser | None,
    comment: str = "",
    payload: dict[str, Any] | None = None,
) -> TransitionRecord:
    return TransitionRecord.objects.create(
        application=application,
        transition=transition,
        source_state=source_state,
        target_state=target_state,
        actor=actor,
        actor_role=primary_role(actor) if actor is not None else SYSTEM_ROLE,
        comment=comment,
        payload=payload or {},
    )


def history_event_record(
    *,
    application: Any,
    event: str,
    actor: AbstractBaseUser | None,
    comment: str = "",
    payload: dict[str, Any] | None = None,
) -> TransitionRecord:
    """A history record of something that happened to the file without changing its state
    (a document, a screening, a shipment…): recorded with the same state before and after."""
    return transition_record_create(
        application=application,
        transition=event,
        source_state=application.status,
        target_state=application.status,
        actor=actor,
        comment=comment,
        payload=payload,
    )


def case_task_open(
    *,
    application: Any,
    kind: str,
    candidate_role: str,
    assignee: AbstractBaseUser | None = None,
) -> CaseTask:
    now = timezone.now()
    return CaseTask.objects.create(
        application=application,
        kind=kind,
        candidate_role=candidate_role,
        assignee=assignee,
        claimed_at=now if assignee is not None else None,
        due_at=now + timedelta(days=settings.WORKFLOW_TASK_DUE_DAYS[kind]),
    )


def case_task_claim(*, application: Any, assignee: AbstractBaseUser) -> None:
    CaseTask.objects.open().filter(application=application).update(
        assignee=assignee, claimed_at=timezone.now()
    )


def case_tasks_complete(*, application: Any, actor: AbstractBaseUser | None) -> None:
    CaseTask.objects.open().filter(application=application).update(
        completed_at=timezone.now(), completed_by=actor
    )


def enqueue_after_commit(task: Any, *args: Any) -> None:
    """Send ``task`` to the broker once the current transaction commits.

    A broker that is down must not turn a committed decision into an error page: the failure
    is logged, and the beat sweeps (which act on what the database says) send it again later.
    """

    def send() -> None:
        try:
            # One attempt: a request must not hang on a dead broker; the sweep retries.
            task.apply_async(args, retry=False)
        except Exception:
            logger.exception("Could not enqueue %s%r; a beat sweep will retry.", task.name, args)

    transaction.on_commit(send)


def task_enqueue_after_commit(task_name: str, *args: Any) -> None:
    """Send the task registered as ``task_name`` once the current transaction commits.

    By name, so that actions need not import task modules (the tasks import the actions).
    """

    def send() -> None:
        try:
            if task_name not in current_app.tasks:
                # A web process imports task modules only on demand: discover them now.
                current_app.loader.import_default_modules()
            current_app.tasks[task_name].apply_async(args, retry=False)
        except Exception:
            logger.exception("Could not enqueue %s%r; a beat sweep will retry.", task_name, args)

    transaction.on_commit(send)
