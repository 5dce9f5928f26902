"""Who works on a file: the head of unit (or, where allowed, a case manager) hands a file under
review or waiting on the applicant to another case manager, with a reason; staff keep internal
notes on a file. Neither changes the file's state, and neither is ever shown to the applicant.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from workflow import services as workflow_services
from workflow.exceptions import TransitionConflict, TransitionForbidden
from workflow.roles import Role, has_role

from .. import events, rules
from ..models import CaseNote, PermitApplication
from ._base import User, application_locked, done, guard_check


@transaction.atomic
def application_reassign(
    *, application: PermitApplication, actor: User, case_manager: User | None, reason: str
) -> PermitApplication:
    """Hand the file to ``case_manager``. The one it leaves still counts as a reviewer for
    four-eyes (``rules.reviewer_ids``), and so does the new one."""
    locked = application_locked(application)
    if not rules.may_reassign_files(actor):
        raise TransitionForbidden(
            _("Only the head of unit can hand a file to another case manager."),
            transition="reassigned",
        )
    if not rules.can_reassign(locked, actor):
        raise TransitionConflict(
            _(
                "Only a file under review or waiting on the applicant can be reassigned; "
                "this one is %(status)s."
            )
            % {"status": locked.get_status_display()},
            transition="reassigned",
        )
    errors = rules.required_text("reason", reason, _("Say why the file changes hands."))
    if case_manager is None or not has_role(case_manager, Role.CASE_MANAGER):
        errors["case_manager"] = [_("Choose a case manager.")]
    elif case_manager.pk == locked.assigned_case_manager_id:
        errors["case_manager"] = [_("The file is already assigned to this case manager.")]
    guard_check("reassigned", errors)
    previous = locked.assigned_case_manager
    locked.assigned_case_manager = case_manager
    locked.updated_by = actor
    locked.save(update_fields=["assigned_case_manager", "updated_by", "updated_at"])
    # The work item of the review follows the file; the applicant's (an open information
    # request) stays theirs.
    workflow_services.case_task_reassign(
        application=locked, assignee=case_manager, candidate_role=Role.CASE_MANAGER
    )
    events.reassigned(
        application=locked,
        actor=actor,
        case_manager=case_manager,
        previous=previous,
        reason=reason.strip(),
    )
    return done(application, locked)


@transaction.atomic
def case_note_add(*, application: PermitApplication, actor: User, text: str) -> CaseNote:
    """An internal note: staff read it on the case page and in the history; the applicant
    never does (the event is staff-only in the catalogue, and no applicant page, API answer,
    e-mail or decision document reads ``CaseNote``)."""
    locked = application_locked(application)
    if not rules.can_write_case_note(locked, actor):
        raise TransitionForbidden(
            _("Only case managers and the head of unit write internal notes on a file."),
            transition="case_note_added",
        )
    guard_check("case_note_added", rules.required_text("text", text, _("Write the note.")))
    note = CaseNote.objects.create(application=locked, author=actor, text=text.strip())
    events.case_note_added(application=locked, actor=actor, note=note)
    return note
