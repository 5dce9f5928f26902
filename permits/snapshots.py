"""What the file looked like at a step: the canonical snapshot stored with each transition.

The head approves what the snapshot shows: the application's fields, its goods lines and
parties, the documents (by hash), the latest screening and its flags, the criteria worksheet,
the proposed decision and, once taken, the decision and licence. Rows are keyed by their id so
that two snapshots compare field by field (``snapshot_diff``); values are the fields' string
forms, so that the JSON is canonical and hashes the same on every database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

if TYPE_CHECKING:
    from .models import PermitApplication

# The file's rows are reached through its relations only: the event catalogue writes
# snapshots, and the models import the catalogue (through the rules).

# Bumped when the snapshot's shape changes, so that an old snapshot is read for what it is.
SNAPSHOT_FORMAT = 1

# Bookkeeping that changes on every save and says nothing about the file.
SKIPPED_FIELDS = {"updated_at", "updated_by"}


def _fields(instance: models.Model, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS or field.name in skip:
            continue
        value = getattr(instance, field.attname)
        values[field.name] = None if value is None else field.value_to_string(instance)
    return values


def _rows(queryset: models.QuerySet, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {
        str(row.pk): _fields(row, skip | {"id", "application"}) for row in queryset.order_by("pk")
    }


def _one(application: PermitApplication, name: str) -> models.Model | None:
    try:
        return getattr(application, name)
    except ObjectDoesNotExist:
        return None


def application_snapshot(*, application: PermitApplication) -> dict[str, Any]:
    """The file as it stands in the current transaction (called after the step's changes)."""
    application = type(application).objects.get(pk=application.pk)
    snapshot: dict[str, Any] = {
        "format": SNAPSHOT_FORMAT,
        "application": _fields(application),
        "proposed_conditions": sorted(
            str(pk) for pk in application.proposed_conditions.values_list("pk", flat=True)
        ),
        "goods": _rows(application.goods.all()),
        "parties": _rows(application.parties.all()),
        "documents": {
            str(document.public_id): {
                "kind": document.kind,
                "name": document.original_name,
                "sha256": document.sha256,
                "supersedes": str(document.supersedes.public_id) if document.supersedes else None,
            }
            for document in application.documents.select_related("supersedes").order_by("pk")
        },
        "criteria_worksheet": _rows(application.criteria_worksheet.all()),
        "proposed_lines": _rows(application.proposed_lines.all()),
    }
    latest_run = application.screenings.order_by("-pk").first()
    snapshot["screening"] = (
        {
            "run": _fields(latest_run, frozenset({"application"})),
            "flags": _rows(latest_run.flags.all(), frozenset({"run"})),
        }
        if latest_run is not None
        else None
    )
    decision = _one(application, "decision")
    snapshot["decision"] = _fields(decision, frozenset({"application"})) if decision else None
    licence = _one(application, "licence")
    snapshot["licence"] = (
        {
            "licence": _fields(licence, frozenset({"application"})),
            "lines": _rows(licence.lines.all(), frozenset({"licence"})),
        }
        if licence is not None
        else None
    )
    return snapshot


# --- Comparing two steps ----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    path: str
    before: Any
    after: Any

    @property
    def kind(self) -> str:
        if self.before is None and self.after is not None:
            return "added"
        if self.after is None and self.before is not None:
            return "removed"
        return "changed"


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list):
        return {prefix: ", ".join(str(item) for item in value)}
    return {prefix: value}


def snapshot_diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[FieldChange]:
    """Every field that differs between two snapshots, by path (``goods.12.quantity``)."""
    old, new = _flatten(before or {}), _flatten(after or {})
    return [
        FieldChange(path, old.get(path), new.get(path))
        for path in sorted(set(old) | set(new))
        if old.get(path) != new.get(path)
    ]
