"""Submission and withdrawal: the applicant's own transitions of a file."""

from __future__ import annotations

from django.db import connections, router, transaction
from django.utils import timezone

from workflow import services as workflow_services
from workflow.models import CaseTask
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
    # The number is drawn last, still in this transaction (a failure gives it back: no gap, no
    # duplicate). From the draw to the commit the year's counter row stays locked, and only
    # four statements run: the draw (which writes the reference too), one INSERT of both
    # history records, the upsert of the file's chain head, one INSERT of the e-mails; the
    # rest is Python.
    reference_draw(locked)
    snapshot["application"]["reference"] = locked.reference
    record = events.transition_recorded(
        application=locked,
        name="submit",
        source_state=source,
        actor=actor,
        reference=locked.reference,
        snapshot=snapshot,
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
    history.write()
    notifications.applicant_notification_enqueue(
        application=locked,
        event="submitted",
        occurrence=record.pk,
        recipients=recipients,
        fresh=True,
    )
    return locked


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
