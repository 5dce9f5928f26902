"""What the file looked like at a step: the canonical snapshot stored with each transition.

The head approves what the snapshot shows: the application's fields, its goods lines and
parties, the documents (by hash), the latest screening and its flags, the criteria worksheet,
the proposed decision and, once taken, the decision and licence. Rows are keyed by their id so
that two snapshots compare field by field (``snapshot_diff``); values are the fields' string
forms, so that the JSON is canonical and hashes the same on every database.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def _rows(rows: Iterable[models.Model], skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    ordered = sorted(rows, key=lambda row: row.pk)
    return {str(row.pk): _fields(row, skip | {"id", "application"}) for row in ordered}


def _one(application: PermitApplication, name: str) -> models.Model | None:
    try:
        return getattr(application, name)
    except ObjectDoesNotExist:
        return None


@dataclass
class FileRows:
    """The rows of the file a snapshot shows. ``application_snapshot`` reads them; a step that
    already holds every one of them as the database now has it (read in its transaction, under
    the file's lock, or written by it) may hand them over instead of having them read again."""

    application: PermitApplication
    proposed_conditions: list[Any]  # primary keys
    goods: list[models.Model]
    parties: list[models.Model]
    documents: list[Any]  # with ``supersedes`` loaded
    criteria_worksheet: list[models.Model]
    proposed_lines: list[models.Model]
    screening_run: models.Model | None  # the latest run
    screening_flags: list[models.Model]  # its flags
    decision: models.Model | None
    licence: models.Model | None
    licence_lines: list[models.Model]


def file_rows_read(application: PermitApplication) -> FileRows:
    """The file's rows as they stand in the current transaction."""
    application = type(application).objects.get(pk=application.pk)
    latest_run = application.screenings.order_by("-pk").first()
    licence = _one(application, "licence")
    return FileRows(
        application=application,
        proposed_conditions=list(application.proposed_conditions.values_list("pk", flat=True)),
        goods=list(application.goods.all()),
        parties=list(application.parties.all()),
        documents=list(application.documents.select_related("supersedes")),
        criteria_worksheet=list(application.criteria_worksheet.all()),
        proposed_lines=list(application.proposed_lines.all()),
        screening_run=latest_run,
        screening_flags=list(latest_run.flags.all()) if latest_run is not None else [],
        decision=_one(application, "decision"),
        licence=licence,
        licence_lines=list(licence.lines.all()) if licence is not None else [],
    )


def application_snapshot(
    *, application: PermitApplication, rows: FileRows | None = None
) -> dict[str, Any]:
    """The file as it stands in the current transaction (called after the step's changes).
    ``rows``: the file's rows as the step holds them (``FileRows``); read afresh without."""
    if rows is None:
        rows = file_rows_read(application)
    snapshot: dict[str, Any] = {
        "format": SNAPSHOT_FORMAT,
        "application": _fields(rows.application),
        "proposed_conditions": sorted(str(pk) for pk in rows.proposed_conditions),
        "goods": _rows(rows.goods),
        "parties": _rows(rows.parties),
        "documents": {
            str(document.public_id): {
                "kind": document.kind,
                "name": document.original_name,
                "sha256": document.sha256,
                "supersedes": str(document.supersedes.public_id) if document.supersedes else None,
            }
            for document in sorted(rows.documents, key=lambda document: document.pk)
        },
        "criteria_worksheet": _rows(rows.criteria_worksheet),
        "proposed_lines": _rows(rows.proposed_lines),
    }
    run = rows.screening_run
    snapshot["screening"] = (
        {
            "run": _fields(run, frozenset({"application"})),
            "flags": _rows(rows.screening_flags, frozenset({"run"})),
        }
        if run is not None
        else None
    )
    decision = rows.decision
    snapshot["decision"] = _fields(decision, frozenset({"application"})) if decision else None
    licence = rows.licence
    snapshot["licence"] = (
        {
            "licence": _fields(licence, frozenset({"application"})),
            "lines": _rows(rows.licence_lines, frozenset({"licence"})),
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
