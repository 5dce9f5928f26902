"""Writing the staff read log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest

from workflow.roles import Role, has_role, is_staff_member

from .models import StaffRead

What = StaffRead.What


def staff_read_record(
    *,
    user: AbstractBaseUser | AnonymousUser,
    application_id: int,
    reference: str | None,
    what: str,
    path: str,
    document: Any = None,
) -> StaffRead | None:
    """Log one read of a file by a member of staff (case manager, head of unit, auditor) or by
    a customs system looking a licence up: a single INSERT. Applicants' reads of their own
    files are not logged."""
    if not (is_staff_member(user) or has_role(user, Role.CUSTOMS)):
        return None
    return StaffRead.objects.create(
        user_id=user.pk,
        application_id=application_id,
        reference=reference or "",
        what=what,
        document=document,
        path=path[:500],
    )


def staff_read_log(
    request: HttpRequest, application: Any, what: str, *, document: Any = None
) -> StaffRead | None:
    """Log the read ``request`` made of ``application`` (any object with ``pk`` and
    ``reference``), if its user is staff."""
    return staff_read_record(
        user=request.user,
        application_id=application.pk,
        reference=getattr(application, "reference", ""),
        what=what,
        path=request.get_full_path(),
        document=document,
    )
