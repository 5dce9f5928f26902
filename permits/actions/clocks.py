"""The decision clock: started when the file is complete, paused while the applicant is asked
for information or another authority is consulted. Called inside the actions' transactions."""

from __future__ import annotations

from datetime import date

from ..compliance import clocks
from ..compliance.models import ClockPause, Consultation
from ..models import PermitApplication


def decision_deadline_refresh(*, application: PermitApplication) -> date | None:
    """Recompute and store the file's decision deadline from its rule and pauses."""
    if application.clock_started_on is None:
        return None
    due = clocks.deadline(
        application.clock_started_on,
        clocks.rule_for(application.kind, application.regime),
        [clocks.Pause(p.started_on, p.ended_on) for p in application.clock_pauses.all()],
    )
    PermitApplication.objects.filter(pk=application.pk).update(decision_due_on=due)
    application.decision_due_on = due
    return due


def clock_start(*, application: PermitApplication, on: date) -> None:
    PermitApplication.objects.filter(pk=application.pk).update(clock_started_on=on)
    application.clock_started_on = on
    decision_deadline_refresh(application=application)


def clock_pause(
    *,
    application: PermitApplication,
    reason: str,
    on: date,
    consultation: Consultation | None = None,
) -> ClockPause:
    pause = ClockPause.objects.create(
        application=application, reason=reason, consultation=consultation, started_on=on
    )
    decision_deadline_refresh(application=application)
    return pause


def clock_resume(
    *,
    application: PermitApplication,
    reason: str,
    on: date,
    consultation: Consultation | None = None,
) -> None:
    ClockPause.objects.filter(
        application=application, reason=reason, consultation=consultation, ended_on__isnull=True
    ).update(ended_on=on)
    decision_deadline_refresh(application=application)
