"""Reads of permit applications, always through the permission module's visibility rule."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from workflow.models import CaseTask, TransitionRecord
from workflow.roles import Role

from .models import Licence, PermitApplication, Status
from .permissions import visible_applications


def application_list(*, user: Any) -> QuerySet[PermitApplication]:
    return visible_applications(user).select_related("organisation", "assigned_case_manager")


def application_get(*, user: Any, key: str) -> PermitApplication:
    """The application with reference number or public id ``key``, if ``user`` may see it.

    Anything the user may not see raises Http404, exactly as if it did not exist.
    """
    qs = application_list(user=user)
    lookup = {"reference": key} if key.startswith("BXL-") else {"public_id": key}
    try:
        return qs.get(**lookup)
    except (PermitApplication.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404("No such application.") from exc


def application_history(*, application: PermitApplication) -> QuerySet[TransitionRecord]:
    return TransitionRecord.objects.filter(application=application).select_related("actor")


def case_manager_queue(*, user: Any) -> dict[str, QuerySet[PermitApplication]]:
    """A case manager's work: files waiting to be taken, their own, those with the applicant."""
    base = application_list(user=user)
    return {
        "unassigned": base.filter(status=Status.SUBMITTED).order_by("submitted_at", "id"),
        "mine": base.filter(assigned_case_manager=user, status=Status.UNDER_REVIEW).order_by(
            "submitted_at", "id"
        ),
        "waiting": base.filter(
            assigned_case_manager=user, status=Status.INFORMATION_REQUESTED
        ).order_by("submitted_at", "id"),
    }


def approval_queue(*, user: Any) -> QuerySet[PermitApplication]:
    return (
        application_list(user=user)
        .filter(status=Status.PENDING_APPROVAL)
        .order_by("updated_at", "id")
    )


def open_tasks(*, role: Role | str, assignee: Any = None) -> QuerySet[CaseTask]:
    qs = CaseTask.objects.open().filter(candidate_role=role).select_related("application")
    if assignee is not None:
        qs = qs.filter(assignee=assignee)
    return qs


def licences_to_expire(*, today) -> QuerySet[Licence]:
    return Licence.objects.filter(
        status=Licence.Status.VALID,
        valid_until__lt=today,
        application__status=Status.ISSUED,
    ).select_related("application")
