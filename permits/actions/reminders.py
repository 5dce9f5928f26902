"""The daily sweeps that act on deadlines stored in the database: reminders before decision
deadlines, escalation of overdue files, reminders and lapse of unanswered information
requests, goods of temporary licences not back in time, denial notices past their lifetime."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models, transaction
from django.utils import translation

from workflow.exceptions import TransitionError

from .. import notifications
from ..compliance.clocks import is_regional_closure
from ..compliance.freshness import stale_reference_warnings
from ..compliance.models import DENIAL_LIFETIME, ClockPause, DeadlineNotice, DenialNotice
from ..models import PermitApplication
from ..selectors import head_of_unit_addresses, temporary_returns_outstanding
from .review import application_lapse


def _notice_once(application: PermitApplication, kind: str, key: str, today: date) -> bool:
    """Record that ``kind``/``key`` is sent for the file; False if it already was."""
    _notice, created = DeadlineNotice.objects.get_or_create(
        application=application, kind=kind, key=key, defaults={"sent_on": today}
    )
    return created


def deadline_reminders_send(*, today: date) -> dict[str, int]:
    """Remind case managers ahead of deadlines, escalate overdue files to the head of unit,
    and remind applicants of unanswered information requests. Each message goes out once."""
    sent = {
        "case_manager_reminders": 0,
        "escalations": 0,
        "applicant_reminders": 0,
        "lapsed": 0,
        "return_reminders": 0,
        "returns_overdue": 0,
    }
    heads = head_of_unit_addresses()
    active = PermitApplication.objects.filter(
        status__in=["submitted", "under_review", "pending_approval"],
        decision_due_on__isnull=False,
    ).select_related("assigned_case_manager")
    # No case-manager reminder on a regional closure day: the nearest reminder point not yet
    # passed goes out on the next day the administration is open.
    staff_day = not is_regional_closure(today)
    for application in active:
        days_left = (application.decision_due_on - today).days
        manager = application.assigned_case_manager
        # The nearest reminder point not yet passed: 2 days left with points [10, 3] is "3".
        point = min(
            (p for p in settings.DEADLINE_REMINDER_DAYS if 0 <= days_left <= p), default=None
        )
        if staff_day and point is not None and manager is not None and manager.email:
            with transaction.atomic():
                key = f"{point}:{application.decision_due_on}"
                if _notice_once(application, "case_manager_reminder", key, today):
                    notifications.case_manager_reminder_enqueue(
                        application=application,
                        recipient=manager.email,
                        point=point,
                        days_left=days_left,
                    )
                    sent["case_manager_reminders"] += 1
        if days_left < 0 and heads:
            with transaction.atomic():
                key = str(application.decision_due_on)
                if _notice_once(application, "escalation", key, today):
                    notifications.overdue_escalation_enqueue(
                        application=application, recipients=heads
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
            try:
                application_lapse(application=pause.application, today=today)
            except TransitionError:
                continue  # answered or withdrawn meanwhile
            sent["lapsed"] += 1
            continue
        due = [d for d in settings.INFORMATION_REMINDER_DAYS if waited >= d]
        if not due:
            continue
        key = f"{pause.pk}:{max(due)}"
        with transaction.atomic():
            if _notice_once(pause.application, "applicant_reminder", key, today):
                notifications.applicant_notification_enqueue(
                    application=pause.application,
                    event="information_requested",
                    occurrence=f"reminder:{key}",
                )
                sent["applicant_reminders"] += 1
    _temporary_returns_check(today=today, heads=heads, sent=sent)
    return sent


def _temporary_returns_check(*, today: date, heads: list[str], sent: dict[str, int]) -> None:
    """Temporarily exported goods must come back within a year: the holder is reminded a
    month before, and the unit is told once they are overdue."""
    for item in temporary_returns_outstanding(today=today):
        line, application = item["line"], item["line"].shipment.licence.application
        key = f"{line.pk}:{item['due_on']}"
        if 0 <= item["days_left"] <= settings.TEMPORARY_RETURN_REMINDER_DAYS:
            with transaction.atomic():
                if _notice_once(application, "return_reminder", key, today):
                    notifications.applicant_notification_enqueue(
                        application=application, event="return_due", occurrence=key
                    )
                    sent["return_reminders"] += 1
        if item["days_left"] < 0:
            with transaction.atomic():
                if _notice_once(application, "return_overdue", key, today):
                    manager = application.assigned_case_manager
                    recipients = [*heads, *([manager.email] if manager and manager.email else [])]
                    notifications.return_overdue_enqueue(
                        application=application,
                        line=line,
                        outstanding=item["outstanding"],
                        due_on=item["due_on"],
                        recipients=recipients,
                    )
                    sent["returns_overdue"] += 1


def denial_notices_lapse(*, today: date) -> int:
    """Mark the denial notices whose three years ran out (and were not renewed) as lapsed, so
    lists and reports show it; the screening already ignores them from that day."""
    cutoff = today - DENIAL_LIFETIME
    lapsed = DenialNotice.objects.filter(status=DenialNotice.Status.IN_FORCE).filter(
        models.Q(renewed_on__isnull=True, notified_on__lte=cutoff)
        | models.Q(renewed_on__lte=cutoff)
    )
    return lapsed.update(status=DenialNotice.Status.LAPSED)


@transaction.atomic
def reference_freshness_notify(*, today: date) -> int:
    """Tell the heads of unit, once a day, which reference lists are past their review date
    or hold an embargo past its recorded end. Returns how many warnings were sent."""
    heads = head_of_unit_addresses()
    warnings = stale_reference_warnings(today=today)
    if not warnings or not heads:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        texts = [w.text for w in warnings]
    notifications.reference_freshness_enqueue(recipients=heads, warnings=texts, today=today)
    return len(warnings)
