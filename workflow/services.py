"""History records and work items, written inside the permits actions' transactions."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from . import chain
from .models import CaseTask, HistoryHead, TransitionRecord
from .roles import SYSTEM_ROLE, primary_role

logger = logging.getLogger(__name__)


def _chain_end(application: Any) -> tuple[int, str]:
    """The position and hash of the file's last record (0 and the genesis hash if none)."""
    type(application).objects.select_for_update().filter(pk=application.pk).exists()
    last = (
        TransitionRecord.objects.filter(application_id=application.pk)
        .order_by("-seq")
        .values("seq", "record_hash")
        .first()
    )
    return (last["seq"], last["record_hash"]) if last else (0, chain.GENESIS)


class HistoryBatch:
    """Records of one file appended to its hash chain together, by one INSERT.

    Made inside the action's transaction, under the file's row lock (which every action holds,
    and which orders the records of one file): it reads the chain's end once, then each record
    given to ``transition_record_create(..., batch=...)`` is hashed in Python onto the one
    before it and kept until ``write()`` inserts them all in one statement, in order.

    For an action that must hold a contended lock briefly: the submission reads the chain's
    end before it draws the year's reference number and, once it has the number, writes its
    records in one round trip instead of two reads and an insert per record.
    """

    def __init__(self, application: Any) -> None:
        self.application_id = application.pk
        self.seq, self.prev_hash = _chain_end(application)
        self.pending: list[TransitionRecord] = []

    def add(self, record: TransitionRecord) -> TransitionRecord:
        self.seq, self.prev_hash = record.seq, record.record_hash
        self.pending.append(record)
        return record

    def take(self) -> list[TransitionRecord]:
        """The records added since the last write, handed to a caller that inserts them itself
        (and moves the chain head onto the last one) in the same transaction."""
        records, self.pending = self.pending, []
        return records

    def write(self) -> list[TransitionRecord]:
        """Insert the records added since the last write (one statement); each gets its id."""
        records, self.pending = self.pending, []
        if records:
            TransitionRecord.objects.bulk_create(records)
            _head_move(records[-1])
        return records


def _head_move(record: TransitionRecord) -> None:
    """The file's chain head moves in the same transaction (one statement, an upsert), so that
    ``chain.chain_head`` never has to aggregate the history."""
    HistoryHead.objects.bulk_create(
        [
            HistoryHead(
                application_id=record.application_id,
                seq=record.seq,
                record_id=record.pk,
                record_hash=record.record_hash,
            )
        ],
        update_conflicts=True,
        unique_fields=["application"],
        update_fields=["seq", "record_id", "record_hash"],
    )


def transition_record_create(
    *,
    application: Any,
    transition: str,
    source_state: str,
    target_state: str,
    actor: AbstractBaseUser | None,
    comment: str = "",
    payload: dict[str, Any] | None = None,
    snapshot: dict[str, Any] | None = None,
    versions: dict[str, Any] | None = None,
    batch: HistoryBatch | None = None,
    snapshot_encoded: bytes | None = None,
) -> TransitionRecord:
    """Append a record to the file's hash chain (workflow/chain.py).

    The file's row lock (which every action already holds) orders the records of one file, so
    the position and the previous hash read here are the chain's real end.

    With ``batch``, the record is hashed onto the batch's end and kept, unsaved (no id yet),
    until ``batch.write()``.

    ``snapshot_encoded``: ``chain.canonical_json(snapshot)``, already made by the caller, who
    also gives ``snapshot`` as that text reads back (``json.loads``); the record keeps the text
    in ``snapshot_encoded`` for a caller that inserts it itself.
    """
    if batch is not None:
        if batch.application_id != application.pk:
            raise ValueError("A history batch holds the records of one file.")
        last_seq, prev_hash = batch.seq, batch.prev_hash
    else:
        last_seq, prev_hash = _chain_end(application)
    # Encoded once: the stored snapshot is what this text reads back as, and its hash is this
    # text's, so the two always agree.
    if snapshot_encoded is not None:
        if snapshot is None:
            raise ValueError("snapshot_encoded comes with the snapshot it encodes.")
        encoded: bytes | None = snapshot_encoded
    else:
        encoded = chain.canonical_json(snapshot) if snapshot is not None else None
        snapshot = json.loads(encoded) if encoded is not None else None
    fields = {
        "application_id": application.pk,
        "seq": last_seq + 1,
        "prev_hash": prev_hash,
        "transition": transition,
        "source_state": source_state,
        "target_state": target_state,
        "actor_id": actor.pk if actor is not None else None,
        "actor_role": primary_role(actor) if actor is not None else SYSTEM_ROLE,
        "created_at": timezone.now(),
        "comment": comment,
        # Stored as it reads back from JSON, so that the hash verifies against the stored row.
        "payload": chain.json_roundtrip(payload or {}),
        "snapshot_hash": hashlib.sha256(encoded).hexdigest() if encoded is not None else "",
        "versions": chain.json_roundtrip(versions or {}),
        "chain_key": chain.current_key_id(),
    }
    record = TransitionRecord(**fields, snapshot=snapshot, record_hash=chain.record_hash(fields))
    record.snapshot_encoded = encoded
    if batch is not None:
        return batch.add(record)
    record.save(force_insert=True)
    _head_move(record)
    return record


def history_event_record(
    *,
    application: Any,
    event: str,
    actor: AbstractBaseUser | None,
    comment: str = "",
    payload: dict[str, Any] | None = None,
    versions: dict[str, Any] | None = None,
    batch: HistoryBatch | None = None,
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
        versions=versions,
        batch=batch,
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


def case_task_reassign(*, application: Any, assignee: AbstractBaseUser, candidate_role: str) -> int:
    """Hand the file's open work items for ``candidate_role`` to ``assignee``."""
    return (
        CaseTask.objects.open()
        .filter(application=application, candidate_role=candidate_role)
        .update(assignee=assignee, claimed_at=timezone.now())
    )
