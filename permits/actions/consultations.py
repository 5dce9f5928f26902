"""Consultations of other authorities (a Member State, a region, the federal services, the
expert committee): the decision clock stands still and the file cannot be granted until the
answer is recorded."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionGuardFailed

from .. import events, rules
from ..compliance.models import ClockPause, Consultation
from ..models import PermitApplication
from ._base import application_locked
from .clocks import clock_pause, clock_resume


@transaction.atomic
def consultation_open(
    *,
    application: PermitApplication,
    actor: Any,
    counterpart: str,
    subject: str,
    counterpart_country: str = "",
    due_on: date | None = None,
) -> Consultation:
    today = timezone.localdate()
    locked = application_locked(application)
    if not rules.can_open_consultation(locked, actor):
        raise TransitionForbidden(
            _("Only the file's case manager opens a consultation."),
            transition="consultation_opened",
        )
    if locked.status not in rules.WORKSHEET_STATES:
        raise TransitionConflict(
            _("Consultations are opened while the file is reviewed or decided."),
            transition="consultation_opened",
        )
    errors: dict[str, list[str]] = {}
    if counterpart not in Consultation.Counterpart.values:
        errors["counterpart"] = [_("Choose who is consulted.")]
    if not (subject or "").strip():
        errors["subject"] = [_("Say what the consultation is about.")]
    if due_on is not None and due_on < today:
        errors["due_on"] = [_("The answer cannot be due in the past.")]
    if errors:
        raise TransitionGuardFailed(errors, transition="consultation_opened")
    consultation = Consultation.objects.create(
        application=locked,
        counterpart=counterpart,
        counterpart_country=counterpart_country or "",
        subject=subject.strip(),
        requested_on=today,
        due_on=due_on or today + timedelta(days=settings.CONSULTATION_DUE_DAYS),
        requested_by=actor,
    )
    clock_pause(
        application=locked,
        reason=ClockPause.Reason.CONSULTATION,
        on=today,
        consultation=consultation,
    )
    events.consultation_opened(application=locked, actor=actor, consultation=consultation)
    return consultation


@transaction.atomic
def consultation_record_answer(
    *, consultation: Consultation, actor: Any, answer: str, answered_on: date | None = None
) -> Consultation:
    locked = (
        Consultation.objects.select_for_update()
        .select_related("application")
        .get(pk=consultation.pk)
    )
    if not rules.can_answer_consultation(locked.application, actor):
        raise TransitionForbidden(
            _("Only the file's case manager records consultation answers."),
            transition="consultation_answer",
        )
    if not (answer or "").strip():
        raise TransitionGuardFailed(
            {"answer": [_("Record what the consulted authority answered.")]},
            transition="consultation_answer",
        )
    locked.answer = answer.strip()
    locked.answered_on = answered_on or timezone.localdate()
    locked.save(update_fields=["answer", "answered_on"])
    clock_resume(
        application=locked.application,
        reason=ClockPause.Reason.CONSULTATION,
        on=locked.answered_on,
        consultation=locked,
    )
    events.consultation_answered(application=locked.application, actor=actor, consultation=locked)
    return locked
