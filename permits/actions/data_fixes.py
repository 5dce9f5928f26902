"""Operators' corrections of a file's data: the one audited path.

A correction made outside the workflow's actions (a typo in an end-use statement, a goods line
entered under the wrong control entry, a file filed under the wrong organisation) is made inside
``application_data_fix``: it locks the file and its goods and parties, takes their state, lets
the caller change them, compares the state the database holds at the end with the one it started
from and writes ONE ``data_fix`` history event with the operator, the reason and every field
changed (old → new), in the same transaction. Unless ``commit=True`` it is a dry run: everything
is rolled back, the event included, and the caller only reads the diff.

The Django admin (``permits/admin.py``) and ``manage.py data_fix`` both go through it. Changes to
the organisation and the licence are recorded field by field by django-pghistory; the block
passes its operator and reason to that history too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from audit.field_history import field_history_context
from workflow.exceptions import TransitionForbidden, TransitionGuardFailed
from workflow.models import TransitionRecord
from workflow.roles import Role, has_role

from .. import events
from ..models import GoodsItem, Party, PermitApplication
from ._base import application_locked

TRANSITION = "data_fix"
# Bookkeeping the save itself changes: not a correction.
IGNORED_FIELDS = frozenset({"updated_at"})


@dataclass
class DataFix:
    """What the block works on (the locked rows) and, once it is left, what it changed."""

    application: PermitApplication
    goods: dict[int, GoodsItem]
    parties: dict[int, Party]
    commit: bool
    changes: list[dict[str, Any]] = field(default_factory=list)
    record: TransitionRecord | None = None


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def data_fix_refusals(*, operator: AbstractBaseUser | None, reason: str) -> None:
    """Refuse a correction without an operator allowed to make it, or without a reason."""
    if operator is None or not operator.is_active:
        raise TransitionForbidden(
            _("A data correction needs the operator who makes it."), transition=TRANSITION
        )
    if has_role(operator, Role.AUDITOR):
        raise TransitionForbidden(_("Auditors change nothing."), transition=TRANSITION)
    if not (operator.is_staff or operator.is_superuser):
        raise TransitionForbidden(
            _("Only an operator of the administration site can correct data."),
            transition=TRANSITION,
        )
    if not (reason or "").strip():
        raise TransitionGuardFailed(
            {"reason": [_("Say why the data is corrected.")]}, transition=TRANSITION
        )


def _value(instance: models.Model, model_field: models.Field) -> str | None:
    value = getattr(instance, model_field.attname)
    return None if value is None else model_field.value_to_string(instance)


def _fields(instance: models.Model, prefix: str = "") -> dict[str, str | None]:
    return {
        f"{prefix}{f.name}": _value(instance, f)
        for f in instance._meta.concrete_fields
        if f.name not in IGNORED_FIELDS
    }


def _state(application_id: int) -> dict[str, str | None]:
    """The file as the database holds it now: its fields, its goods lines and its parties,
    each line's fields named ``goods[<id>].<field>`` / ``parties[<id>].<field>``."""
    application = PermitApplication.objects.get(pk=application_id)
    state = _fields(application)
    state["proposed_conditions"] = ",".join(
        str(pk)
        for pk in application.proposed_conditions.order_by("pk").values_list("pk", flat=True)
    )
    for line in GoodsItem.objects.filter(application_id=application_id).order_by("pk"):
        state.update(_fields(line, f"goods[{line.pk}]."))
    for party in Party.objects.filter(application_id=application_id).order_by("pk"):
        state.update(_fields(party, f"parties[{party.pk}]."))
    return state


def state_diff(before: dict[str, str | None], after: dict[str, str | None]) -> list[dict[str, Any]]:
    """Every field whose value differs, in a stable order; a line added or removed shows its
    fields with ``None`` on the side where it does not exist."""
    return [
        {"field": name, "old": before.get(name), "new": after.get(name)}
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    ]


@contextlib.contextmanager
def application_data_fix(
    *,
    application: PermitApplication,
    operator: AbstractBaseUser,
    reason: str,
    commit: bool = False,
) -> Iterator[DataFix]:
    """Correct ``application`` (and its goods and parties) inside the block; one ``data_fix``
    history event records the operator, the reason and the changes. A dry run (the default)
    rolls everything back; read ``fix.changes`` after the block either way. Nothing changed:
    no event."""
    data_fix_refusals(operator=operator, reason=reason)
    reason = reason.strip()
    fix: DataFix | None = None
    try:
        with (
            transaction.atomic(),
            field_history_context(user=operator.pk, reason=reason, data_fix=True),
        ):
            locked = application_locked(application)
            goods = {g.pk: g for g in locked.goods.select_for_update().order_by("pk")}
            parties = {p.pk: p for p in locked.parties.select_for_update().order_by("pk")}
            before = _state(locked.pk)
            fix = DataFix(application=locked, goods=goods, parties=parties, commit=commit)
            yield fix
            fix.changes = state_diff(before, _state(locked.pk))
            if fix.changes:
                fix.record = events.data_fix(
                    application=locked, operator=operator, reason=reason, changes=fix.changes
                )
            if not commit:
                raise _DryRun
    except _DryRun:
        # Rolled back with the rest: the record the dry run wrote does not exist.
        fix.record = None


# What a correction never sets by hand: identity, the workflow's own state and bookkeeping.
PROTECTED_FIELDS = frozenset(
    {
        "id",
        "public_id",
        "reference",
        "status",
        "application",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    }
)


def _target(fix: DataFix, name: str) -> tuple[models.Model, str]:
    """``end_use_statement``, ``goods.<id>.quantity`` or ``parties.<id>.name``: the locked row
    and the field named."""
    parts = name.split(".")
    if len(parts) == 1:
        return fix.application, parts[0]
    if len(parts) == 3 and parts[0] in ("goods", "parties") and parts[1].isdigit():
        rows = fix.goods if parts[0] == "goods" else fix.parties
        row = rows.get(int(parts[1]))
        if row is not None:
            return row, parts[2]
    raise TransitionGuardFailed(
        {name: [_("No such field or line on this application.")]}, transition=TRANSITION
    )


def data_fix_set(*, fix: DataFix, assignments: dict[str, str], operator: AbstractBaseUser) -> None:
    """Set fields from text (``{"goods.12.quantity": "40"}``) on the rows of ``fix``, each
    checked by its field's validators; an unknown or protected field is refused, naming it."""
    touched: dict[int, tuple[models.Model, list[str]]] = {}
    errors: dict[str, list[str]] = {}
    for name, text in assignments.items():
        row, field_name = _target(fix, name)
        try:
            model_field = row._meta.get_field(field_name)
        except FieldDoesNotExist:
            model_field = None
        if (
            model_field is None
            or not model_field.concrete
            or model_field.many_to_many
            or field_name in PROTECTED_FIELDS
        ):
            errors[name] = [_("This field cannot be corrected here.")]
            continue
        target = model_field.target_field if model_field.is_relation else model_field
        try:
            value = None if text == "" and model_field.null else target.to_python(text)
        except ValidationError as exc:
            errors[name] = exc.messages
            continue
        setattr(row, model_field.attname, value)
        touched.setdefault(id(row), (row, []))[1].append(model_field.name)
    for row, names in touched.values():
        try:
            row.clean_fields(exclude=[f.name for f in row._meta.fields if f.name not in names])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise TransitionGuardFailed(errors, transition=TRANSITION)
    for row, names in touched.values():
        if isinstance(row, PermitApplication):
            row.updated_by = operator
            names = [*names, "updated_by", "updated_at"]
        row.save(update_fields=names)
