"""Submission and withdrawal: the applicant's own transitions of a file."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.utils import timezone

from outbox.models import OutboxMessage
from outbox.services import outbox_delivery_after_commit
from workflow import chain
from workflow import services as workflow_services
from workflow.models import CaseTask, HistoryHead, TransitionRecord
from workflow.roles import Role

from .. import events, notifications, rules
from ..compliance.models import ScreeningRun
from ..models import PermitApplication, ReferenceCounter
from ..snapshots import application_snapshot
from ._base import (
    User,
    application_locked,
    done,
    guard_check,
    transition_check,
    transition_make,
    work_item_hand_over,
)
from .clocks import clock_start
from .screening import application_screen


def reference_draw(application: PermitApplication) -> str:
    """Draw the file's reference number and write it on the file's row; returns it.

    The next number of the year's sequence is drawn by one UPDATE of the year's counter row,
    which keeps that row locked until the submitting transaction ends: a failed submission
    gives its number back (no gap) and a concurrent one waits for it (no duplicate). On
    PostgreSQL the same statement writes the reference on the file: the draw is one round trip.
    The year's row is inserted the first time the UPDATE finds none.

    An amendment or renewal keeps its licence's number with a suffix."""
    if application.follows_id is not None:
        original = PermitApplication.objects.select_for_update().get(pk=application.follows_id)
        letter = "A" if application.follow_up == "amendment" else "R"
        taken = (
            PermitApplication.objects.filter(follows=original, follow_up=application.follow_up)
            .exclude(reference__isnull=True)
            .count()
        )
        reference = f"{original.reference}-{letter}{taken + 1}"
        PermitApplication.objects.filter(pk=application.pk).update(reference=reference)
    else:
        year = timezone.localdate().year
        prefix = f"{application.reference_prefix}-{year}-"
        drawn = _number_drawn(application, year, prefix)
        if drawn is None:  # the year's first submission
            ReferenceCounter.objects.bulk_create(
                [ReferenceCounter(year=year)], ignore_conflicts=True
            )
            drawn = _number_drawn(application, year, prefix)
        if drawn is None:
            raise RuntimeError(f"No reference counter for {year}.")
        reference = drawn
    application.reference = reference
    return reference


# One statement: the counter's UPDATE locks the year's row until the commit and gives the number,
# the file's UPDATE writes it (at least six digits, as f"{n:06d}": lpad alone would cut a seventh).
_DRAW = """
WITH drawn AS (
    UPDATE permits_referencecounter SET last_value = last_value + 1
    WHERE year = %s
    RETURNING last_value
)
UPDATE permits_permitapplication AS file
SET reference = %s || lpad(drawn.last_value::text, greatest(6, length(drawn.last_value::text)), '0')
FROM drawn
WHERE file.id = %s
RETURNING file.reference
"""


def _number_drawn(application: PermitApplication, year: int, prefix: str) -> str | None:
    """The year's next number, formatted and written on the file; None if the year has no
    counter row yet."""
    connection = connections[router.db_for_write(ReferenceCounter)]
    if connection.vendor != "postgresql":
        counter = ReferenceCounter.objects.select_for_update().filter(year=year).first()
        if counter is None:
            return None
        counter.last_value += 1
        counter.save(update_fields=["last_value"])
        reference = f"{prefix}{counter.last_value:06d}"
        PermitApplication.objects.filter(pk=application.pk).update(reference=reference)
        return reference
    with connection.cursor() as cursor:
        cursor.execute(_DRAW, [year, prefix, application.pk])
        row = cursor.fetchone()
    return row[0] if row else None


def application_submit(*, application: PermitApplication, actor: User) -> PermitApplication:
    with transaction.atomic():
        submitted = _submitted(application=application, actor=actor)
    # The caller's copy is read again after the commit, not while the year's counter is held.
    application.refresh_from_db()
    return submitted


def _submitted(*, application: PermitApplication, actor: User) -> PermitApplication:
    locked = application_locked(application)
    transition_check(locked, "submit", actor)
    guard_check("submit", rules.submission_problems(locked))
    locked.submitted_at = timezone.now()
    source = transition_make(locked, "submit", actor)
    work_item_hand_over(
        application=locked, actor=actor, kind=CaseTask.Kind.REVIEW, candidate_role=Role.CASE_MANAGER
    )
    # The file is complete now that it passed the guard: the decision clock starts.
    clock_start(application=locked, on=timezone.localdate())
    # Screening reads the reference lists and writes flags (maybe a consultation): the slow
    # part, and none of it needs the reference. Its history event waits for the submission's.
    run = application_screen(
        application=locked, occasion=ScreeningRun.Occasion.SUBMISSION, record_event=False
    )
    flag_keys = list(run.flags.values_list("key", flat=True))
    # Everything else the number's writes need is read now: the file's snapshot (all but the
    # number), the reference lists' versions, the end of the file's history chain and the
    # applicant's addresses. Reading them after the draw held the year's counter row, hence
    # every other submission of the Region, meanwhile.
    snapshot = application_snapshot(application=locked)
    in_force = events.versions_in_force()
    history = workflow_services.HistoryBatch(locked)
    recipients = notifications.applicant_recipients(application=locked, event="submitted")
    # The snapshot's canonical JSON (what its hash and its stored value are made of) is
    # encoded now, with a placeholder where the number goes, and read back once: after the
    # draw the number only replaces the placeholder (SubmittedSnapshot).
    prepared = SubmittedSnapshot(snapshot)
    connection = connections[router.db_for_write(TransitionRecord)]
    one_statement = _one_statement(connection)
    # On PostgreSQL the two records' ids are taken now, so that after the draw everything
    # (records, chain head, e-mails keyed by the submission record's id) goes in one statement.
    record_ids = _record_ids_reserved(connection, 2) if one_statement else None
    # The number is drawn last, still in this transaction (a failure gives it back: no gap, no
    # duplicate). From the draw to the commit the year's counter row stays locked: on
    # PostgreSQL only one more statement runs (both history records, the file's chain head and
    # the e-mails, by data-modifying CTEs), elsewhere three (the ORM's inserts).
    reference_draw(locked)
    snapshot, encoded = prepared.completed(locked.reference)
    record = events.transition_recorded(
        application=locked,
        name="submit",
        source_state=source,
        actor=actor,
        reference=locked.reference,
        snapshot=snapshot,
        snapshot_encoded=encoded,
        in_force=in_force,
        batch=history,
    )
    events.screening(
        application=locked,
        actor=None,
        run=run,
        flag_keys=flag_keys,
        in_force=in_force,
        batch=history,
    )
    if record_ids is None:
        history.write()
        notifications.applicant_notification_enqueue(
            application=locked,
            event="submitted",
            occurrence=record.pk,
            recipients=recipients,
            fresh=True,
        )
        return locked
    records = history.take()
    for pk, written in zip(record_ids, records, strict=True):
        written.pk = pk
    messages = notifications.applicant_notification_messages(
        application=locked, event="submitted", occurrence=record.pk, recipients=recipients
    )
    _submission_written(connection, records, messages)
    outbox_delivery_after_commit([message.pk for message in messages])
    return locked


class SubmittedSnapshot:
    """The submission record's snapshot, encoded before the reference number exists.

    ``chain.canonical_json`` writes each value of an object on its own, in key order: a string
    value's text does not depend on the other values, nor they on it. So encoding the snapshot
    with a unique placeholder as the reference, then replacing the placeholder's text by the
    number's, gives the very bytes encoding the snapshot with the number would. The placeholder
    is random (it occurs nowhere else: checked) and, like the number, a JSON string that needs
    no escaping (checked for the number; otherwise the snapshot is encoded again, whole, as it
    is if the placeholder were found elsewhere too).
    """

    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.snapshot = snapshot
        self.placeholder = f"@reference-{secrets.token_hex(16)}@"
        snapshot["application"]["reference"] = self.placeholder
        mark = self.placeholder.encode("ascii")
        self.template: bytes | None = chain.canonical_json(snapshot)
        if self.template.count(mark) != 1 or json.dumps(self.placeholder).encode() not in (
            self.template
        ):  # never seen: the snapshot is then encoded after the draw, whole
            self.template = None
        # As the text reads back, which is what the record stores (json_roundtrip).
        self.read_back = json.loads(self.template) if self.template is not None else None

    def completed(self, reference: str) -> tuple[dict[str, Any], bytes]:
        """The snapshot with ``reference`` as read back from its canonical JSON, and that JSON."""
        text = reference.encode("utf-8")
        quoted = json.dumps(reference, ensure_ascii=False).encode("utf-8")
        if self.template is None or self.read_back is None or quoted != b'"' + text + b'"':
            self.snapshot["application"]["reference"] = reference
            encoded = chain.canonical_json(self.snapshot)
            return json.loads(encoded), encoded
        self.read_back["application"]["reference"] = reference
        return self.read_back, self.template.replace(self.placeholder.encode("ascii"), text)


def _one_statement(connection: BaseDatabaseWrapper) -> bool:
    """Whether the writes after the draw go in one statement (PostgreSQL), else by the ORM."""
    return connection.vendor == "postgresql"


def _record_ids_reserved(connection: BaseDatabaseWrapper, count: int) -> list[int]:
    """``count`` ids of the history records' sequence, in increasing order (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(_IDS_RESERVED, [count])
        return [row[0] for row in cursor.fetchall()]


_IDS_RESERVED = """
SELECT nextval(pg_get_serial_sequence('workflow_transitionrecord', 'id'))
FROM generate_series(1, %s) ORDER BY 1
"""


def _values(
    connection: BaseDatabaseWrapper, model: type[Model], objects: list[Any], skip: tuple[str, ...]
) -> tuple[str, str, list[Any]]:
    """The columns, the VALUES rows and their parameters of an INSERT of ``objects`` (as
    ``bulk_create`` would write them). A record's snapshot is sent as the canonical JSON it
    was hashed from, cast to jsonb, instead of being encoded again."""
    fields = [f for f in model._meta.concrete_fields if f.attname not in skip]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    rows, params = [], []
    for obj in objects:
        marks = []
        for field in fields:
            if model is TransitionRecord and field.attname == "snapshot":
                encoded = obj.snapshot_encoded
                params.append(encoded.decode("utf-8") if encoded is not None else None)
                marks.append("%s::jsonb")
                continue
            value = field.pre_save(obj, add=True)
            params.append(field.get_db_prep_save(value, connection))
            marks.append("%s")
        rows.append(f"({', '.join(marks)})")
    return columns, ", ".join(rows), params


def _submission_written(
    connection: BaseDatabaseWrapper, records: list[Any], messages: list[OutboxMessage]
) -> None:
    """One statement (PostgreSQL): the history records (ids already set), the file's chain
    head moved onto the last one (``workflow.services._head_move``), the e-mails; each e-mail
    gets its id."""
    last = records[-1]
    head = HistoryHead(
        application_id=last.application_id,
        seq=last.seq,
        record_id=last.pk,
        record_hash=last.record_hash,
    )
    # Only column names of the models and "%s" marks are written into the text: every value is a
    # parameter.
    columns, rows, params = _values(connection, TransitionRecord, records, ())
    sql = f'WITH records AS (INSERT INTO "workflow_transitionrecord" ({columns}) VALUES {rows}), '  # noqa: S608
    columns, rows, head_params = _values(connection, HistoryHead, [head], ())
    params += head_params
    sql += (
        f'head AS (INSERT INTO "workflow_historyhead" ({columns}) VALUES {rows} '  # noqa: S608
        'ON CONFLICT ("application_id") DO UPDATE SET "seq" = EXCLUDED."seq", '
        '"record_id" = EXCLUDED."record_id", "record_hash" = EXCLUDED."record_hash") '
    )
    if messages:
        columns, rows, message_params = _values(connection, OutboxMessage, messages, ("id",))
        params += message_params
        sql += f'INSERT INTO "outbox_outboxmessage" ({columns}) VALUES {rows} RETURNING "key", "id"'  # noqa: S608
    else:
        sql += "SELECT NULL, NULL WHERE false"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = dict(cursor.fetchall())
    for message in messages:
        message.pk = ids[message.key]


@transaction.atomic
def application_withdraw(
    *, application: PermitApplication, actor: User, reason: str = ""
) -> PermitApplication:
    locked = application_locked(application)
    transition_check(locked, "withdraw", actor)
    source = transition_make(locked, "withdraw", actor)
    work_item_hand_over(application=locked, actor=actor)
    events.transition_recorded(
        application=locked,
        name="withdraw",
        source_state=source,
        actor=actor,
        comment=reason.strip(),
    )
    return done(application, locked)
