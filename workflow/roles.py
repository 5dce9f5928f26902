"""The roles of the permit workflow. They are Django groups, created by data migrations."""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Role(StrEnum):
    APPLICANT = "applicant"
    CASE_MANAGER = "case_manager"
    HEAD_OF_UNIT = "head_of_unit"
    AUDITOR = "auditor"
    # A customs administration's system: looks licences up and decrements them, nothing else
    # (config.api.permissions.CustomsScope). Neither staff nor applicant.
    CUSTOMS = "customs"


# The order in which a user's role is reported when they hold several groups: the most
# powerful first, so the history says in which capacity a decision was taken.
ROLE_PRECEDENCE = (
    Role.HEAD_OF_UNIT,
    Role.CASE_MANAGER,
    Role.AUDITOR,
    Role.APPLICANT,
    Role.CUSTOMS,
)
SYSTEM_ROLE = "system"
STAFF_ROLES = frozenset({Role.CASE_MANAGER, Role.HEAD_OF_UNIT, Role.AUDITOR})


def user_roles(user: AbstractBaseUser | AnonymousUser | None) -> frozenset[Role]:
    """The workflow roles a user holds, cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_workflow_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        user._workflow_roles = cached
    return cached


def has_role(user: AbstractBaseUser | AnonymousUser | None, role: Role) -> bool:
    return role in user_roles(user)


def is_staff_member(user: AbstractBaseUser | AnonymousUser | None) -> bool:
    return bool(user_roles(user) & STAFF_ROLES)


def primary_role(user: AbstractBaseUser | AnonymousUser | None) -> str:
    roles = user_roles(user)
    for role in ROLE_PRECEDENCE:
        if role in roles:
            return role.value
    return ""
