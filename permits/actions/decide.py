"""The decision: the head of unit who did not review the file approves it (the licence is
issued) or refuses it; where the Brussels Government decides, its decision is recorded first
and the head carries it out. Either way a ``Decision`` is written and its document is rendered
after commit (``permits.decisions``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outbox.services import task_enqueue_after_commit
from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionGuardFailed

from .. import events, rules
from ..compliance.models import GovernmentDecision, ScreeningRun
from ..models import Decision, Licence, LicenceLine, PermitApplication, Status
from ._base import (
    User,
    application_locked,
    done,
    guard_check,
    transition_check,
    transition_make,
    work_item_hand_over,
)
from .licences import licence_replace_original
from .screening import application_screen

# Renders, signs and stores the decision's document (idempotent; a beat sweep catches up).
DECISION_DOCUMENT_TASK = "permits.decisions.tasks.generate_decision_document"


def licence_validity(application: PermitApplication, start: date) -> tuple[date, date]:
    months = application.requested_validity_months or settings.LICENCE_DEFAULT_VALIDITY_MONTHS
    months = min(months, settings.LICENCE_MAX_VALIDITY_MONTHS[application.regime])
    return start, start + relativedelta(months=months) - timedelta(days=1)


def _decision_record(
    application: PermitApplication,
    *,
    actor: User,
    outcome: str,
    grounds: str = "",
    criteria: list[str] | None = None,
) -> Decision:
    """The decision, and once committed, the rendering of its document."""
    government = getattr(application, "government_decision", None)
    decision = Decision.objects.create(
        authority="government" if government else "head_of_unit",
        authority_reference=(
            f"{government.reference} ({government.decided_on.isoformat()})" if government else ""
        ),
        application=application,
        outcome=outcome,
        decided_by=actor,
        decided_at=application.decided_at,
        grounds=grounds,
        criteria=criteria or [],
        language=application.organisation.language,
    )
    task_enqueue_after_commit(DECISION_DOCUMENT_TASK, decision.pk)
    return decision


def application_approve(
    *, application: PermitApplication, actor: User, comment: str = ""
) -> PermitApplication:
    """Screen the file once more, then grant it only without open blocking flags or
    consultations. The screening commits on its own: its findings stay for the case manager to
    clear even when they refuse this approval."""
    if application.status == Status.PENDING_APPROVAL and rules.can_decide(application, actor):
        application_screen(
            application=application, occasion=ScreeningRun.Occasion.PRE_DECISION, actor=actor
        )
    with transaction.atomic():
        locked = application_locked(application)
        transition_check(locked, "approve", actor)
        guard_check(
            "approve",
            rules.decision_blockers(locked) | rules.authority_problems(locked, outcome="granted"),
        )
        now = timezone.now()
        locked.decided_at = now
        source = transition_make(locked, "approve", actor)
        work_item_hand_over(application=locked, actor=actor)
        valid_from, valid_until = licence_validity(locked, timezone.localdate(now))
        licence = Licence.objects.create(
            number=locked.reference,
            application=locked,
            holder=locked.organisation,
            licence_type=locked.licence_type,
            valid_from=valid_from,
            valid_until=valid_until,
            issued_at=now,
            issued_by=actor,
        )
        LicenceLine.objects.bulk_create(
            LicenceLine(
                licence=licence,
                goods_item=item,
                description=item.description,
                control_entry=item.control_entry,
                unit=item.unit,
                authorised_quantity=item.quantity,
                authorised_value=item.line_value,
            )
            for item in locked.goods.all()
        )
        # An amendment or renewal closes its original licence (permits.actions.licences).
        licence_replace_original(licence=licence, actor=actor)
        _decision_record(locked, actor=actor, outcome=Decision.Outcome.GRANTED)
        events.transition_recorded(
            application=locked,
            name="approve",
            source_state=source,
            actor=actor,
            comment=comment.strip(),
            licence=licence.number,
            valid_from=valid_from.isoformat(),
            valid_until=valid_until.isoformat(),
        )
    return done(application, locked)


@transaction.atomic
def application_refuse(
    *, application: PermitApplication, actor: User, grounds: str
) -> PermitApplication:
    locked = application_locked(application)
    transition_check(locked, "refuse", actor)
    guard_check(
        "refuse",
        rules.required_text("grounds", grounds, _("A refusal must state its grounds."))
        | rules.refusal_criteria_problems(locked)
        | rules.authority_problems(locked, outcome="refused"),
    )
    locked.decided_at = timezone.now()
    locked.refusal_grounds = grounds.strip()
    source = transition_make(locked, "refuse", actor)
    work_item_hand_over(application=locked, actor=actor)
    _decision_record(
        locked,
        actor=actor,
        outcome=Decision.Outcome.REFUSED,
        grounds=grounds.strip(),
        criteria=rules.refusal_criteria(locked),
    )
    events.transition_recorded(
        application=locked,
        name="refuse",
        source_state=source,
        actor=actor,
        comment=grounds.strip(),
    )
    return done(application, locked)


@transaction.atomic
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
    locked = application_locked(application)
    if not rules.can_record_government_decision(locked, actor):
        raise TransitionForbidden(
            _("Only the head of unit records the Government's decision."),
            transition="government_decision_recorded",
        )
    if rules.decision_authority(locked) != "government":
        raise TransitionConflict(
            _("The Government does not decide this kind of licence."),
            transition="government_decision_recorded",
        )
    if locked.status != Status.PENDING_APPROVAL:
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
        errors["decided_on"] = [_("The date of the Government's decision cannot be in the future.")]
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
    events.government_decision_recorded(application=locked, actor=actor, decision=decision)
    return decision
