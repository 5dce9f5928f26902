"""Business actions of the compliance engine: screening, clearing flags, consultations.

Each runs in one transaction with its history record, like the workflow's transitions.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow import services as workflow_services
from workflow.exceptions import (
    TransitionConflict,
    TransitionError,
    TransitionForbidden,
    TransitionGuardFailed,
)

from .. import permissions
from ..models import PermitApplication
from . import clocks, criteria
from .models import (
    ClockPause,
    Consultation,
    CriterionAssessment,
    DeadlineNotice,
    GovernmentDecision,
    ScreeningFlag,
    ScreeningRun,
)
from .reference import current_versions
from .screening import screen


def application_screen(
    *,
    application: PermitApplication,
    occasion: str,
    actor: Any = None,
    today: date | None = None,
) -> ScreeningRun:
    """Screen the application now and store the findings as flags of a new run.

    A finding already cleared in an earlier run stays cleared (same key); a likely match of a
    denial notice opens a consultation of the notifying state unless one is already open.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
        findings = screen(locked, today)
        run = ScreeningRun.objects.create(
            application=locked, occasion=occasion, screened_on=today, versions=current_versions()
        )
        cleared = {
            flag.key: flag
            for flag in ScreeningFlag.objects.filter(
                application=locked, cleared_at__isnull=False
            ).order_by("cleared_at")
        }
        for finding in findings:
            previous = cleared.get(finding.key)
            ScreeningFlag.objects.create(
                run=run,
                application=locked,
                kind=finding.kind,
                severity=finding.severity,
                key=finding.key,
                explanation=finding.explanation,
                details=finding.details,
                cleared_at=previous.cleared_at if previous else None,
                cleared_by=previous.cleared_by if previous else None,
                clearance_justification=previous.clearance_justification if previous else "",
            )
            notice = finding.denial_notice
            if (
                notice is not None
                and not locked.consultations.filter(denial_notice=notice).exists()
            ):
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
        workflow_services.history_event_record(
            application=locked,
            event="screening",
            actor=actor,
            payload={
                "run": run.pk,
                "occasion": occasion,
                "screened_on": today.isoformat(),
                "versions": run.versions,
                "flags": [f.key for f in findings],
            },
        )
    return run


def screening_flag_clear(*, flag: ScreeningFlag, actor: Any, justification: str) -> ScreeningFlag:
    with transaction.atomic():
        locked = (
            ScreeningFlag.objects.select_for_update().select_related("application").get(pk=flag.pk)
        )
        if not permissions.is_assigned_case_manager(locked.application, actor):
            raise TransitionForbidden(
                _("Only the file's case manager can clear a screening flag."),
                transition="clear_flag",
            )
        if not locked.is_open:
            return locked
        if not (justification or "").strip():
            raise TransitionGuardFailed(
                {"justification": [_("Clearing a flag requires a written justification.")]},
                transition="clear_flag",
            )
        now = timezone.now()
        ScreeningFlag.objects.filter(application=locked.application, key=locked.key).filter(
            cleared_at__isnull=True
        ).update(cleared_at=now, cleared_by=actor, clearance_justification=justification.strip())
        workflow_services.history_event_record(
            application=locked.application,
            event="flag_cleared",
            actor=actor,
            comment=justification.strip(),
            payload={"flag": locked.key, "severity": locked.severity},
        )
        locked.refresh_from_db()
    return locked


def consultation_record_answer(
    *, consultation: Consultation, actor: Any, answer: str, answered_on: date | None = None
) -> Consultation:
    with transaction.atomic():
        locked = (
            Consultation.objects.select_for_update()
            .select_related("application")
            .get(pk=consultation.pk)
        )
        if not permissions.is_assigned_case_manager(locked.application, actor):
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
        workflow_services.history_event_record(
            application=locked.application,
            event="consultation_answered",
            actor=actor,
            comment=locked.answer,
            payload={"consultation": locked.pk, "answered_on": locked.answered_on.isoformat()},
        )
    return locked


def decision_blockers(application: PermitApplication) -> dict[str, list[str]]:
    """Why the file cannot be granted now: uncleared blocking flags of its latest screening,
    and consultations still waiting for an answer."""
    errors: dict[str, list[str]] = {}
    latest = application.screenings.order_by("-ran_at", "-id").first()
    if latest is not None:
        for flag in latest.flags.filter(
            severity=ScreeningFlag.Severity.BLOCKING, cleared_at__isnull=True
        ):
            errors.setdefault("screening", []).append(flag.explanation)
    for consultation in application.consultations.filter(answered_on__isnull=True):
        errors.setdefault("consultations", []).append(
            _("Consultation open: %(subject)s (due %(due)s).")
            % {"subject": consultation.subject, "due": consultation.due_on.isoformat()}
        )
    return errors


# --- Decision clock -----------------------------------------------------------------------------


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


# --- Reminders and escalations (daily beat sweep) ----------------------------------------------


def _notice_once(application: PermitApplication, kind: str, key: str, today: date) -> bool:
    """Record that ``kind``/``key`` is sent for the file; False if it already was."""
    _notice, created = DeadlineNotice.objects.get_or_create(
        application=application, kind=kind, key=key, defaults={"sent_on": today}
    )
    return created


def deadline_reminders_send(*, today: date) -> dict[str, int]:
    """Remind case managers ahead of deadlines, escalate overdue files to the head of unit,
    and remind applicants of unanswered information requests. Each message goes out once."""
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail

    from workflow.roles import Role

    sent = {
        "case_manager_reminders": 0,
        "escalations": 0,
        "applicant_reminders": 0,
        "lapsed": 0,
        "return_reminders": 0,
        "returns_overdue": 0,
    }
    active = PermitApplication.objects.filter(
        status__in=["submitted", "under_review", "pending_approval"],
        decision_due_on__isnull=False,
    ).select_related("assigned_case_manager")
    heads = list(
        get_user_model()
        .objects.filter(groups__name=Role.HEAD_OF_UNIT, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    for application in active:
        days_left = (application.decision_due_on - today).days
        manager = application.assigned_case_manager
        # The nearest reminder point not yet passed: 2 days left with points [10, 3] is "3".
        point = min(
            (p for p in settings.DEADLINE_REMINDER_DAYS if 0 <= days_left <= p), default=None
        )
        if (
            point is not None
            and manager is not None
            and manager.email
            and _notice_once(
                application,
                "case_manager_reminder",
                f"{point}:{application.decision_due_on}",
                today,
            )
        ):
            send_mail(
                f"{application.reference}: decision due on {application.decision_due_on}",
                f"File {application.reference} must be decided by "
                f"{application.decision_due_on} ({days_left} days left).",
                settings.DEFAULT_FROM_EMAIL,
                [manager.email],
            )
            sent["case_manager_reminders"] += 1
        if (
            days_left < 0
            and heads
            and _notice_once(application, "escalation", str(application.decision_due_on), today)
        ):
            send_mail(
                f"Overdue: {application.reference}",
                f"File {application.reference} was due on {application.decision_due_on} "
                f"and is {application.get_status_display().lower()}.",
                settings.DEFAULT_FROM_EMAIL,
                heads,
            )
            sent["escalations"] += 1
    waiting = ClockPause.objects.filter(
        reason=ClockPause.Reason.INFORMATION_REQUESTED,
        ended_on__isnull=True,
        application__status="information_requested",
    ).select_related("application__organisation")
    for pause in waiting:
        waited = (today - pause.started_on).days
        if waited >= settings.INFORMATION_REQUEST_LAPSE_DAYS:
            from ..services import application_lapse

            try:
                application_lapse(application=pause.application, today=today)
            except TransitionError:
                continue  # answered or withdrawn meanwhile
            sent["lapsed"] += 1
            continue
        due = [d for d in settings.INFORMATION_REMINDER_DAYS if waited >= d]
        if due and _notice_once(
            pause.application, "applicant_reminder", f"{pause.pk}:{max(due)}", today
        ):
            from ..notifications import notify_applicant

            notify_applicant(application_id=pause.application_id, event="information_requested")
            sent["applicant_reminders"] += 1
    _temporary_returns_check(today=today, heads=heads, sent=sent)
    return sent


def _temporary_returns_check(*, today: date, heads: list[str], sent: dict[str, int]) -> None:
    """Temporarily exported goods must come back within a year: the holder is reminded a
    month before, and the unit is told once they are overdue."""
    from django.core.mail import send_mail

    from ..notifications import notify_applicant
    from ..services import temporary_returns_outstanding

    for item in temporary_returns_outstanding(today=today):
        line, application = item["line"], item["line"].shipment.licence.application
        key = f"{line.pk}:{item['due_on']}"
        if 0 <= item["days_left"] <= settings.TEMPORARY_RETURN_REMINDER_DAYS and _notice_once(
            application, "return_reminder", key, today
        ):
            notify_applicant(application_id=application.pk, event="return_due")
            sent["return_reminders"] += 1
        if item["days_left"] < 0 and _notice_once(application, "return_overdue", key, today):
            manager = application.assigned_case_manager
            recipients = [*heads, *([manager.email] if manager and manager.email else [])]
            if recipients:
                send_mail(
                    f"Goods not returned: {application.reference}",
                    f"{item['outstanding']:f} {line.licence_line.unit} of "
                    f"{line.licence_line.description} shipped on {line.shipment.shipped_on} "
                    f"under {application.reference} were due back on {item['due_on']}.",
                    settings.DEFAULT_FROM_EMAIL,
                    recipients,
                )
            sent["returns_overdue"] += 1


# --- Criteria worksheet -----------------------------------------------------------------------

WORKSHEET_STATES = ("under_review", "pending_approval")


def criterion_assess(
    *, application: PermitApplication, actor: Any, code: str, assessment: str, note: str = ""
) -> CriterionAssessment:
    """Fill one line of the worksheet: the assigned case manager while reviewing, the head of
    unit while the file waits for the decision."""
    framework = criteria.framework_for(application.regime)
    errors: dict[str, list[str]] = {}
    if code not in criteria.CRITERIA[framework]:
        errors["code"] = [
            _("Choose one of the criteria of this file's framework: %(codes)s.")
            % {"codes": ", ".join(criteria.CRITERIA[framework])}
        ]
    if assessment not in CriterionAssessment.Assessment.values:
        errors["assessment"] = [_("Unknown assessment.")]
    if assessment == CriterionAssessment.Assessment.REFUSAL_GROUND and not note.strip():
        errors["note"] = [_("Explain why this criterion is a ground for refusal.")]
    with transaction.atomic():
        locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
        allowed = permissions.is_assigned_case_manager(locked, actor) or (
            locked.status == "pending_approval" and permissions.is_head_of_unit(locked, actor)
        )
        if not allowed:
            raise TransitionForbidden(
                _("Only the file's case manager or the head of unit fills the worksheet."),
                transition="criterion_assessed",
            )
        if locked.status not in WORKSHEET_STATES:
            raise TransitionConflict(
                _("The worksheet can only be changed while the file is reviewed or decided."),
                transition="criterion_assessed",
            )
        if errors:
            raise TransitionGuardFailed(errors, transition="criterion_assessed")
        line, _created = CriterionAssessment.objects.update_or_create(
            application=locked,
            code=code,
            defaults={
                "framework": framework,
                "assessment": assessment,
                "note": note.strip(),
                "assessed_by": actor,
            },
        )
        workflow_services.history_event_record(
            application=locked,
            event="criterion_assessed",
            actor=actor,
            comment=note.strip(),
            payload={"code": code, "assessment": assessment},
        )
    return line


def refusal_criteria(application: PermitApplication) -> list[str]:
    return list(
        application.criteria_worksheet.filter(
            assessment=CriterionAssessment.Assessment.REFUSAL_GROUND
        ).values_list("code", flat=True)
    )


def refusal_criteria_problems(application: PermitApplication) -> dict[str, list[str]]:
    if refusal_criteria(application):
        return {}
    return {
        "criteria": [
            _(
                "Mark at least one criterion of the worksheet as a ground for refusal: a "
                "refusal must cite the criteria it rests on."
            )
        ]
    }


# --- Decision authority ---------------------------------------------------------------------


def decision_authority(application: PermitApplication) -> str:
    rules = settings.DECISION_AUTHORITY
    return (
        rules.get(f"{application.kind}:{application.regime}")
        or rules.get(application.regime)
        or rules["default"]
    )


def government_decision_record(
    *,
    application: PermitApplication,
    actor: Any,
    outcome: str,
    decided_on: date,
    reference: str,
    note: str = "",
) -> GovernmentDecision:
    """Record the Brussels Government's decision on a file it decides. The head of unit then
    issues the licence or the refusal that carries out that decision."""
    with transaction.atomic():
        locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
        if not permissions.is_head_of_unit(locked, actor):
            raise TransitionForbidden(
                _("Only the head of unit records the Government's decision."),
                transition="government_decision_recorded",
            )
        if decision_authority(locked) != "government":
            raise TransitionConflict(
                _("The Government does not decide this kind of licence."),
                transition="government_decision_recorded",
            )
        if locked.status != "pending_approval":
            raise TransitionConflict(
                _("The Government's decision is recorded while the file awaits the decision."),
                transition="government_decision_recorded",
            )
        errors: dict[str, list[str]] = {}
        if outcome not in GovernmentDecision.Outcome.values:
            errors["outcome"] = [_("Choose granted or refused.")]
        if not (reference or "").strip():
            errors["reference"] = [_("The reference of the Government's decision is required.")]
        if decided_on is None or decided_on > timezone.localdate():
            errors["decided_on"] = [
                _("The date of the Government's decision cannot be in the future.")
            ]
        if hasattr(locked, "government_decision"):
            errors["outcome"] = [_("The Government's decision is already recorded.")]
        if errors:
            raise TransitionGuardFailed(errors, transition="government_decision_recorded")
        decision = GovernmentDecision.objects.create(
            application=locked,
            outcome=outcome,
            decided_on=decided_on,
            reference=reference.strip(),
            note=note.strip(),
            recorded_by=actor,
        )
        workflow_services.history_event_record(
            application=locked,
            event="government_decision_recorded",
            actor=actor,
            comment=note.strip(),
            payload={
                "outcome": outcome,
                "decided_on": decided_on.isoformat(),
                "reference": decision.reference,
            },
        )
    return decision


def authority_problems(application: PermitApplication, *, outcome: str) -> dict[str, list[str]]:
    """Where the Government decides, the head can only carry out its recorded decision."""
    if decision_authority(application) != "government":
        return {}
    recorded = GovernmentDecision.objects.filter(application=application).first()
    if recorded is None:
        return {
            "government_decision": [
                _(
                    "The Brussels Government decides this licence: record its decision (date "
                    "and reference) before issuing it."
                )
            ]
        }
    if recorded.outcome != outcome:
        return {
            "government_decision": [
                _("The Government's decision (%(reference)s) was: %(outcome)s.")
                % {"reference": recorded.reference, "outcome": recorded.get_outcome_display()}
            ]
        }
    return {}


def denial_notices_lapse(*, today: date) -> int:
    """Mark the denial notices whose three years ran out (and were not renewed) as lapsed, so
    lists and reports show it; the screening already ignores them from that day."""
    from .models import DENIAL_LIFETIME, DenialNotice

    cutoff = today - DENIAL_LIFETIME
    lapsed = DenialNotice.objects.filter(status=DenialNotice.Status.IN_FORCE).filter(
        models.Q(renewed_on__isnull=True, notified_on__lte=cutoff)
        | models.Q(renewed_on__lte=cutoff)
    )
    return lapsed.update(status=DenialNotice.Status.LAPSED)


def consultation_open(
    *,
    application: PermitApplication,
    actor: Any,
    counterpart: str,
    subject: str,
    counterpart_country: str = "",
    due_on: date | None = None,
) -> Consultation:
    """Consult another authority (a Member State, a region, the federal services, the expert
    committee). The decision clock pauses and the file cannot be granted until it answers."""
    today = timezone.localdate()
    with transaction.atomic():
        locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
        if not permissions.is_assigned_case_manager(locked, actor):
            raise TransitionForbidden(
                _("Only the file's case manager opens a consultation."),
                transition="consultation_opened",
            )
        if locked.status not in WORKSHEET_STATES:
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
        workflow_services.history_event_record(
            application=locked,
            event="consultation_opened",
            actor=actor,
            comment=consultation.subject,
            payload={"consultation": consultation.pk, "counterpart": counterpart},
        )
    return consultation
