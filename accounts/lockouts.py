"""Sign-in lockouts (django-axes): who is locked out now, and lifting a lock.

Only the head of unit lifts a lock, for a colleague or a company's user who called in; the lift
is logged with who did it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.exceptions import TransitionForbidden
from workflow.roles import Role, has_role

logger = logging.getLogger(__name__)


def _cooloff_start() -> datetime:
    return timezone.now() - settings.AXES_COOLOFF_TIME


def login_lockouts_current() -> QuerySet[AccessAttempt]:
    """Accounts and addresses locked out now: past the failure limit within the cool-off."""
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=_cooloff_start(),
    ).order_by("-attempt_time")


def can_lift_lockouts(user: Any) -> bool:
    return has_role(user, Role.HEAD_OF_UNIT)


def login_lockout_lift(*, actor: Any, username: str = "", ip_address: str = "") -> int:
    """Forget the failed attempts of ``username`` (or of ``ip_address``): it may sign in again."""
    if not can_lift_lockouts(actor):
        raise TransitionForbidden(
            _("Only the head of unit can lift a sign-in lockout."), transition="lockout_lift"
        )
    if username:
        lifted = reset(username=username)
    elif ip_address:
        lifted = reset(ip=ip_address)
    else:
        return 0
    logger.warning(
        "Sign-in lockout lifted by %s for %s",
        actor.get_username(),
        username or ip_address,
    )
    return lifted
