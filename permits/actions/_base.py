"""What every action shares: named locks, the transition checks, work items and side effects.

An action calls these in order, inside its one transaction: lock, check (state, permission,
guard), change, save, record the history event, record the side effects. Nothing here decides
what an action does; it keeps the guarantees each one needs.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from workflow import services as workflow_services
from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionGuardFailed

from .. import notifications, rules
from ..models import Licence, PermitApplication, Status

logger = logging.getLogger(__name__)
User = AbstractBaseUser


# --- Named locks (the row lock serialises concurrent actors: the loser waits, then sees the
# state the winner left) -------------------------------------------------------------------------


def application_locked(application: PermitApplication) -> PermitApplication:
    return PermitApplication.objects.select_for_update().get(pk=application.pk)


def draft_locked(application: PermitApplication, actor: User) -> PermitApplication:
    """The draft, locked, once it is sure ``actor`` may edit it."""
    locked = application_locked(application)
    if locked.status != Status.DRAFT:
        raise TransitionConflict(
            _("Only a draft can be edited; this application is %(status)s.")
            % {"status": locked.get_status_display()},
            transition="edit",
        )
    if not rules.can_edit_draft(locked, actor):
        raise TransitionForbidden(_("You cannot edit this application."), transition="edit")
    return locked


def draft_line_locked(model: type[models.Model], pk: Any, application: PermitApplication) -> Any:
    """A goods item or party of the (locked) draft, locked too."""
    try:
        return model.objects.select_for_update().get(pk=pk, application=application)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise TransitionConflict(
            _("This line is no longer part of the application; reload it."), transition="edit"
        ) from exc


def licence_locked(licence: Licence) -> Licence:
    """The licence and its application, locked in one statement; the organisation only read.

    The application lock is wanted: every licence action writes a history event, which locks
    the application row anyway, and an application transition (revocation) locks the
    application before it changes the licence. Taking both at the start, application with
    licence, keeps one order and so no deadlock. The organisation was locked only because it
    is joined: that made a shipment block every insert referring to the organisation (a new
    draft of the same organisation), so it is left out of ``of``.
    """
    return (
        Licence.objects.select_for_update(of=("self", "application"))
        .select_related("application__organisation")
        .get(pk=licence.pk)
    )


# --- Checks -----------------------------------------------------------------------------------


def transition_check(application: PermitApplication, name: str, actor: User | None) -> None:
    """Refuse a transition the file's state or the actor's rights do not allow."""
    method = getattr(application, name)
    if not can_proceed(method, check_conditions=False):
        raise TransitionConflict(
            _("Cannot %(transition)s: the application is %(status)s.")
            % {"transition": name.replace("_", " "), "status": application.get_status_display()},
            transition=name,
        )
    fsm_transition = method._django_fsm.get_transition(application.status)
    if fsm_transition.has_perm(application, actor):
        return
    if name in ("approve", "refuse") and rules.violates_four_eyes(application, actor):
        raise TransitionForbidden(
            _("Four-eyes rule: you reviewed this file, so another head of unit must decide it."),
            transition=name,
        )
    raise TransitionForbidden(
        _("You are not allowed to %(transition)s this application.")
        % {"transition": name.replace("_", " ")},
        transition=name,
    )


def guard_check(name: str, errors: dict[str, list[str]]) -> None:
    """Refuse, naming every missing or wrong field at once."""
    if errors:
        raise TransitionGuardFailed(errors, transition=name)


def full_clean(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise TransitionGuardFailed(exc.message_dict, transition="edit") from exc


# --- Changing state -------------------------------------------------------------------------------


def transition_make(application: PermitApplication, name: str, actor: User | None) -> str:
    """Run the django-fsm transition and save; returns the state it left."""
    source = application.status
    getattr(application, name)()
    if actor is not None:
        application.updated_by = actor
    try:
        application.save()
    except ConcurrentTransition as exc:
        raise TransitionConflict(
            _("Someone else changed this application at the same time; reload it."),
            transition=name,
        ) from exc
    return source


def work_item_hand_over(
    *,
    application: PermitApplication,
    actor: User | None,
    kind: str | None = None,
    candidate_role: str = "",
    assignee: User | None = None,
) -> None:
    """Close the file's open work item and open the one for whoever acts next (if anyone)."""
    workflow_services.case_tasks_complete(application=application, actor=actor)
    if kind is not None:
        workflow_services.case_task_open(
            application=application, kind=kind, candidate_role=candidate_role, assignee=assignee
        )


# --- Side effects, delivered after commit -----------------------------------------------------


def applicant_notify(application: PermitApplication, event: str, *, occurrence: int) -> None:
    """Write the e-mails telling the applicant organisation's members (in their language) to
    the outbox, in the action's transaction; ``occurrence`` is the history record they report,
    so a redelivery never sends twice and a second occurrence is another e-mail."""
    notifications.applicant_notification_enqueue(
        application=application, event=event, occurrence=occurrence
    )


def done(application: PermitApplication, locked: PermitApplication) -> PermitApplication:
    """The caller's instance reflects the change too; the locked one is returned."""
    application.refresh_from_db()
    return locked
