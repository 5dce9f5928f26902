"""Submission and withdrawal: the applicant's own transitions of a file."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from workflow.models import CaseTask
from workflow.roles import Role

from .. import events, rules
from ..compliance.models import ScreeningRun
from ..models import PermitApplication, ReferenceCounter
from ..snapshots import application_snapshot
from ._base import (
    User,
    applicant_notify,
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
    """The file's reference number: the next of the year's sequence, drawn under the counter's
    row lock in the submitting transaction, so a failed submission gives its number back (no
    gaps, no duplicates). An amendment or renewal keeps its licence's number with a suffix."""
    if application.follows_id is not None:
        original = PermitApplication.objects.select_for_update().get(pk=application.follows_id)
        letter = "A" if application.follow_up == "amendment" else "R"
        taken = (
            PermitApplication.objects.filter(follows=original, follow_up=application.follow_up)
            .exclude(reference__isnull=True)
            .count()
        )
        return f"{original.reference}-{letter}{taken + 1}"
    year = timezone.localdate().year
    ReferenceCounter.objects.get_or_create(year=year)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{application.reference_prefix}-{year}-{counter.last_value:06d}"


@transaction.atomic
def application_submit(*, application: PermitApplication, actor: User) -> PermitApplication:
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
    # The history record's snapshot of the file and the reference lists' versions are read
    # now: the number is their only part not yet known, and reading them (a dozen queries)
    # after the draw held the year's counter row, hence every other submission, meanwhile.
    snapshot = application_snapshot(application=locked)
    in_force = events.versions_in_force()
    # The number is drawn last: the year's counter row stays locked from here to the commit
    # only, so concurrent submitters queue on it briefly, not for each other's screening.
    # Still in this transaction, so a failure gives the number back (no gap, no duplicate).
    locked.reference = reference_draw(locked)
    locked.save(update_fields=["reference"])
    snapshot["application"]["reference"] = locked.reference
    record = events.transition_recorded(
        application=locked,
        name="submit",
        source_state=source,
        actor=actor,
        reference=locked.reference,
        snapshot=snapshot,
        in_force=in_force,
    )
    events.screening(
        application=locked,
        actor=None,
        run=run,
        flag_keys=list(run.flags.values_list("key", flat=True)),
    )
    applicant_notify(locked, "submitted", occurrence=record.pk)
    return done(application, locked)


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
