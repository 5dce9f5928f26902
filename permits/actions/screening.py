"""Compliance screening of a file, and the clearance of what it flags."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.exceptions import TransitionForbidden, TransitionGuardFailed

from .. import events, rules
from ..compliance.models import ClockPause, Consultation, ScreeningFlag, ScreeningRun
from ..compliance.reference import current_versions
from ..compliance.screening import screen
from ..models import PermitApplication
from ._base import application_locked
from .clocks import clock_pause


@transaction.atomic
def application_screen(
    *,
    application: PermitApplication,
    occasion: str,
    actor: Any = None,
    today: date | None = None,
    record_event: bool = True,
) -> ScreeningRun:
    """Screen the application now and store the findings as flags of a new run.

    ``record_event=False`` leaves the history event to the caller (the submission records it
    with its own record).

    A finding already cleared in an earlier run stays cleared (same key); a likely match of a
    denial notice opens a consultation of the notifying state unless one is already open.
    """
    locked = application_locked(application)
    run, flags = screening_store(application=locked, occasion=occasion, actor=actor, today=today)
    if record_event:
        events.screening(application=locked, actor=actor, run=run, flag_keys=[f.key for f in flags])
    return run


def screening_store(
    *,
    application: PermitApplication,
    occasion: str,
    actor: Any = None,
    today: date | None = None,
) -> tuple[ScreeningRun, list[ScreeningFlag]]:
    """The screening of ``application``, already locked by the caller in its transaction: a
    new run and its flags (returned as written, in the order of the findings), no history
    event. The approval screens this way inside its own transaction and uses the flags it
    holds instead of reading them back."""
    today = today or timezone.localdate()
    locked = application
    findings = screen(locked, today)
    run = ScreeningRun.objects.create(
        application=locked, occasion=occasion, screened_on=today, versions=current_versions()
    )
    # Only a finding can carry an earlier clearance: nothing to read when there is none.
    cleared = (
        {
            flag.key: flag
            for flag in ScreeningFlag.objects.filter(
                application=locked,
                cleared_at__isnull=False,
                key__in={finding.key for finding in findings},
            ).order_by("cleared_at")
        }
        if findings
        else {}
    )
    flags = []
    for finding in findings:
        previous = cleared.get(finding.key)
        flags.append(
            ScreeningFlag(
                run=run,
                application=locked,
                kind=finding.kind,
                severity=finding.severity,
                key=finding.key,
                explanation=finding.explanation,
                details=finding.details,
                cleared_at=previous.cleared_at if previous else None,
                cleared_by_id=previous.cleared_by_id if previous else None,
                clearance_justification=previous.clearance_justification if previous else "",
            )
        )
    # One statement for every flag (ids returned: PostgreSQL and SQLite both give them back).
    ScreeningFlag.objects.bulk_create(flags)
    for finding in findings:
        notice = finding.denial_notice
        if notice is not None and not locked.consultations.filter(denial_notice=notice).exists():
            consultation = Consultation.objects.create(
                application=locked,
                counterpart=Consultation.Counterpart.MEMBER_STATE,
                counterpart_country=notice.notifying_state,
                subject=_("Undercut consultation on denial notice %(number)s")
                % {"number": notice.number},
                denial_notice=notice,
                requested_on=today,
                due_on=today + timedelta(days=settings.CONSULTATION_DUE_DAYS),
                requested_by=actor,
            )
            if locked.clock_started_on is not None:
                clock_pause(
                    application=locked,
                    reason=ClockPause.Reason.CONSULTATION,
                    on=today,
                    consultation=consultation,
                )
    return run, flags


@transaction.atomic
def screening_flag_clear(*, flag: ScreeningFlag, actor: Any, justification: str) -> ScreeningFlag:
    locked = ScreeningFlag.objects.select_for_update().select_related("application").get(pk=flag.pk)
    if not rules.can_clear_flag(locked.application, actor):
        raise TransitionForbidden(
            _("Only the file's case manager can clear a screening flag."), transition="clear_flag"
        )
    if not locked.is_open:
        return locked
    if not (justification or "").strip():
        raise TransitionGuardFailed(
            {"justification": [_("Clearing a flag requires a written justification.")]},
            transition="clear_flag",
        )
    ScreeningFlag.objects.filter(
        application=locked.application, key=locked.key, cleared_at__isnull=True
    ).update(
        cleared_at=timezone.now(), cleared_by=actor, clearance_justification=justification.strip()
    )
    events.flag_cleared(
        application=locked.application,
        actor=actor,
        flag=locked,
        justification=justification.strip(),
    )
    locked.refresh_from_db()
    return locked
