"""API-wide permission rules. Object rules live in permits.rules, as for the pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from workflow.roles import Role, has_role


class AuditorsReadOnly(BasePermission):
    """An auditor reads everything and changes nothing, whatever other role they hold."""

    message = "Auditors have read-only access."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or not has_role(request.user, Role.AUDITOR)


class CustomsScope(BasePermission):
    """A customs system's token reaches the customs interface and nothing else: the views
    that set ``customs_interface = True``. Checked on every view, so a new endpoint is closed
    to customs unless it says otherwise."""

    message = _("A customs account can only look up and decrement licences.")

    def has_permission(self, request, view) -> bool:
        if getattr(view, "customs_interface", False):
            return True
        return not has_role(request.user, Role.CUSTOMS)


class CustomsOnly(BasePermission):
    """The customs interface itself: customs accounts only."""

    message = _("Only a customs account can use the customs interface.")

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, Role.CUSTOMS)
