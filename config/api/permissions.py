"""API-wide permission rules. Object rules live in permits.rules, as for the pages."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from workflow.roles import Role, has_role


class AuditorsReadOnly(BasePermission):
    """An auditor reads everything and changes nothing, whatever other role they hold."""

    message = "Auditors have read-only access."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or not has_role(request.user, Role.AUDITOR)
