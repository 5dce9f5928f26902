"""Reading the staff read log."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from workflow.roles import Role, user_roles

from .models import StaffRead

# Who reads the log: auditors, and the head of unit who answers for the unit.
LOG_READERS = frozenset({Role.AUDITOR, Role.HEAD_OF_UNIT})


def can_read_log(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    return bool(user_roles(user) & LOG_READERS)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def staff_reads(
    *,
    user: Any = None,
    application_id: int | None = None,
    reference: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[StaffRead]:
    """The reads matching every filter given, newest first (days in the site's time zone,
    both ends included)."""
    reads = StaffRead.objects.select_related("user")
    if user is not None:
        reads = reads.filter(user=user)
    if application_id is not None:
        reads = reads.filter(application_id=application_id)
    if reference:
        reads = reads.filter(reference__icontains=reference.strip())
    if date_from is not None:
        reads = reads.filter(read_at__gte=_day_start(date_from))
    if date_to is not None:
        reads = reads.filter(read_at__lt=_day_start(date_to + timedelta(days=1)))
    return reads
