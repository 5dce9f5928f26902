"""The criteria worksheet: each criterion of the file's framework assessed, with a note."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionGuardFailed

from .. import events, rules
from ..compliance import criteria
from ..compliance.models import CriterionAssessment
from ..models import PermitApplication
from ._base import application_locked


@transaction.atomic
def criterion_assess(
    *, application: PermitApplication, actor: Any, code: str, assessment: str, note: str = ""
) -> CriterionAssessment:
    """Fill one line of the worksheet: the assigned case manager while reviewing, the head of
    unit while the file waits for the decision."""
    locked = application_locked(application)
    if not rules.can_assess_criteria(locked, actor):
        raise TransitionForbidden(
            _("Only the file's case manager or the head of unit fills the worksheet."),
            transition="criterion_assessed",
        )
    if locked.status not in rules.WORKSHEET_STATES:
        raise TransitionConflict(
            _("The worksheet can only be changed while the file is reviewed or decided."),
            transition="criterion_assessed",
        )
    framework = rules.criteria_framework(locked)
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
    events.criterion_assessed(application=locked, actor=actor, line=line)
    return line
