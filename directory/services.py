"""Business actions of the directory: loading the data file, linking accounts, syncing roles."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django_countries.fields import Country

from .datafile import PERMITS_UNIT_KEY, DirectoryData
from .models import (
    DirectoryChange,
    DirectoryLoad,
    Network,
    NetworkMembership,
    Organisation,
    Partner,
    PartnerStatement,
    Person,
    Portfolio,
    Position,
    Representation,
    RoleGrant,
    Source,
    Unit,
    WorkflowRole,
)

# Derived columns: kept up to date, but a difference in them alone is not reported as a change.
DERIVED_FIELDS = frozenset({"search_text"})

# (attribute of DirectoryData, model, {reference field: referenced model}), in loading order.
# Rows are deleted in the reverse order, so nothing is deleted while something refers to it.
LOAD_ORDER: tuple[tuple[str, type[models.Model], dict[str, type[models.Model]]], ...] = (
    ("sources", Source, {}),
    ("organisations", Organisation, {"parent": Organisation, "source": Source}),
    ("units", Unit, {"organisation": Organisation, "source": Source}),
    ("partners", Partner, {}),
    ("networks", Network, {"source": Source}),
    ("people", Person, {"source": Source}),
    ("representations", Representation, {"organisation": Organisation, "source": Source}),
    (
        "positions",
        Position,
        {"person": Person, "organisation": Organisation, "unit": Unit, "source": Source},
    ),
    (
        "portfolios",
        Portfolio,
        {"person": Person, "partner": Partner, "network": Network, "source": Source},
    ),
    ("statements", PartnerStatement, {"partner": Partner, "source": Source}),
    (
        "memberships",
        NetworkMembership,
        {"network": Network, "organisation": Organisation, "source": Source},
    ),
)


@dataclass(frozen=True)
class RoleSyncResult:
    granted: tuple[tuple[str, str], ...] = ()
    revoked: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LoadResult:
    load: DirectoryLoad | None
    roles: RoleSyncResult

    @property
    def changed(self) -> bool:
        return self.load is not None


def _plain(value: Any) -> Any:
    """A value as it goes into a change record (JSON)."""
    if isinstance(value, models.Model):
        return getattr(value, "key", value.pk)
    if isinstance(value, Country):
        return value.code or ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class _Recorder:
    def __init__(self, *, file_name: str, sha256: str) -> None:
        self.file_name = file_name
        self.sha256 = sha256
        self.entries: list[tuple[str, str, str, dict[str, list[Any]]]] = []

    def add(self, model: type[models.Model], key: str, action: str, changes: dict) -> None:
        self.entries.append((model._meta.model_name, key, action, changes))

    def save(self) -> DirectoryLoad | None:
        if not self.entries:
            return None
        counts = {action: 0 for action in DirectoryChange.Action.values}
        for _, _, action, _ in self.entries:
            counts[action] += 1
        load = DirectoryLoad.objects.create(file_name=self.file_name, sha256=self.sha256, **counts)
        DirectoryChange.objects.bulk_create(
            DirectoryChange(load=load, model=model, key=key, action=action, changes=changes)
            for model, key, action, changes in self.entries
        )
        return load


def _current_value(obj: models.Model, name: str, refs: dict) -> Any:
    if name in refs:
        return getattr(obj, f"{name}_id")
    value = getattr(obj, name)
    return value.code if isinstance(value, Country) else value


def _sync_rows(
    model: type[models.Model],
    rows: dict[str, dict[str, Any]],
    refs: dict[str, type[models.Model]],
    instances: dict[type[models.Model], dict[str, models.Model]],
    recorder: _Recorder,
) -> None:
    existing = {obj.key: obj for obj in model.objects.all()}
    instances[model] = existing
    # The parser has checked the references; full_clean checks each field's own rules but not
    # the references, resolved here from rows of this load (otherwise one query each).
    exclude = list(refs)
    self_referencing = model in refs.values()
    new_rows: list[models.Model] = []
    for key, values in rows.items():
        resolved = {
            name: (instances[refs[name]][value] if name in refs and value else value)
            for name, value in values.items()
        }
        obj = existing.get(key)
        if obj is None:
            obj = model(key=key, **resolved)
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
            if self_referencing:
                obj.save()  # a later row of this load may point to it
            else:
                new_rows.append(obj)
            existing[key] = obj
            recorder.add(
                model,
                key,
                DirectoryChange.Action.CREATED,
                {
                    name: [None, _plain(value)]
                    for name, value in resolved.items()
                    if name not in DERIVED_FIELDS
                },
            )
            continue
        wanted = {
            name: (value.pk if name in refs and value is not None else value)
            for name, value in resolved.items()
        }
        changed = [
            name for name, value in wanted.items() if _current_value(obj, name, refs) != value
        ]
        if not changed:
            continue
        diff = {
            name: [_plain(getattr(obj, name)), _plain(resolved[name])]
            for name in changed
            if name not in DERIVED_FIELDS
        }
        for name in changed:
            setattr(obj, name, resolved[name])
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        obj.save(update_fields=changed)
        if diff:
            recorder.add(model, key, DirectoryChange.Action.UPDATED, diff)
    if new_rows:
        model.objects.bulk_create(new_rows)


def _delete_missing(
    model: type[models.Model],
    rows: dict[str, dict[str, Any]],
    instances: dict[type[models.Model], dict[str, models.Model]],
    recorder: _Recorder,
) -> None:
    for key, obj in list(instances[model].items()):
        if key not in rows:
            obj.delete()
            del instances[model][key]
            recorder.add(model, key, DirectoryChange.Action.DELETED, {})


def directory_load(*, data: DirectoryData, file_name: str, sha256: str) -> LoadResult:
    """Make the database say what the data file says, and record every difference.

    Rows are matched by their natural key: a row whose values are already those of the file
    is not written, so loading the same file twice changes nothing and records nothing. A
    changed file creates, updates or deletes only the rows concerned; each is recorded as a
    ``DirectoryChange`` (field: [before, after]) under one ``DirectoryLoad``. User links
    (``Person.user``) and photos are not in the file and are left alone. The workflow groups
    are then synced from the Permits unit's positions (``workflow_roles_sync``).
    """
    with transaction.atomic():
        recorder = _Recorder(file_name=file_name, sha256=sha256)
        instances: dict[type[models.Model], dict[str, models.Model]] = {}
        for attribute, model, refs in LOAD_ORDER:
            _sync_rows(model, getattr(data, attribute), refs, instances, recorder)
        for attribute, model, _refs in reversed(LOAD_ORDER):
            _delete_missing(model, getattr(data, attribute), instances, recorder)
        load = recorder.save()
        roles = workflow_roles_sync()
    return LoadResult(load=load, roles=roles)


def person_link_user(*, person: Person, user: AbstractBaseUser | None) -> Person:
    """Link ``person`` to a user account (or unlink it with ``user=None``), then resync the
    workflow groups so that the account gains or loses what the person's positions give."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if user is not None:
            other = Person.objects.filter(user=user).exclude(pk=person.pk).first()
            if other is not None:
                raise ValidationError(
                    {"user": f"This account is already linked to {other.full_name}."}
                )
        person.user = user
        person.save(update_fields=["user"])
        workflow_roles_sync()
    return person


def workflow_roles_sync() -> RoleSyncResult:
    """Keep the ``case_manager`` and ``head_of_unit`` groups in step with the Permits unit.

    The permit workflow checks roles through Django groups (``workflow.roles``), so the
    directory keeps those groups in sync rather than the workflow deriving roles from
    positions: nothing in ``workflow`` or ``permits`` needs to know about the directory, and
    a role can still be given by hand (for a stand-in, or in tests).

    Who should hold a role: every user linked to a person whose *current* position in the
    Permits unit carries that ``workflow_role``. Then:

    * a user who should hold a role and is not in its group is added, and an open
      ``RoleGrant`` records that the directory gave it;
    * a user who is already in the group but has no open grant was given the role by hand:
      nothing is recorded, so the sync will never take it away;
    * an open grant whose reason is gone (the position was removed, is no longer current or
      lost its role, or the account was unlinked) is closed and the user leaves the group.
      Only memberships the directory gave are ever removed; one given by hand stays;
    * while the position exists the directory wins: if someone removed by hand a membership
      the directory gave, the next sync adds it again. To take a role away, change the
      Permits unit's positions in the data file.
    """
    with transaction.atomic():
        groups = {role: Group.objects.get_or_create(name=role)[0] for role in WorkflowRole.values}
        wanted: dict[tuple[int, str], Position] = {}
        positions = (
            Position.objects.filter(
                unit__key=PERMITS_UNIT_KEY,
                is_current=True,
                person__user__isnull=False,
            )
            .exclude(workflow_role="")
            .select_related("person__user")
            .order_by("key")
        )
        for position in positions:
            wanted.setdefault((position.person.user_id, position.workflow_role), position)

        open_grants = {
            (grant.user_id, grant.role): grant
            for grant in RoleGrant.objects.select_for_update()
            .filter(revoked_at__isnull=True)
            .select_related("user")
        }
        granted: list[tuple[str, str]] = []
        revoked: list[tuple[str, str]] = []
        for (user_id, role), position in wanted.items():
            user = position.person.user
            group = groups[role]
            is_member = user.groups.filter(pk=group.pk).exists()
            if (user_id, role) in open_grants:
                if not is_member:
                    user.groups.add(group)
                continue
            if is_member:
                continue  # given by hand: not ours to take back later
            user.groups.add(group)
            RoleGrant.objects.create(
                user=user, role=role, person=position.person, position_key=position.key
            )
            granted.append((user.get_username(), role))

        now = timezone.now()
        for (user_id, role), grant in open_grants.items():
            if (user_id, role) in wanted:
                continue
            grant.user.groups.remove(groups[role])
            grant.revoked_at = now
            grant.save(update_fields=["revoked_at"])
            revoked.append((grant.user.get_username(), role))
    return RoleSyncResult(granted=tuple(granted), revoked=tuple(revoked))
