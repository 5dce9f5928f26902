"""Reading the field-level history of organisations and licences (django-pghistory).

Each event row is a full snapshot of its row after an insert or update (before a delete); a
change is read as the difference between an event and the one before it for the same row. The
context of an event says who made it (``user``, the acting user's id), from which page (``url``)
and why (``reason``, for an operator's correction).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models

from audit.field_history import recorded

from .models import ApplicantOrganisation, Licence, PermitApplication


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class FieldEvent:
    at: Any
    kind: str  # insert, update or delete
    user: Any
    reason: str
    url: str
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class TrackedRow:
    title: str
    events: list[FieldEvent]


def _shown(model_field: models.Field, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


def field_events(instance: models.Model) -> list[FieldEvent]:
    """The changes recorded for ``instance``, oldest first, each with only the fields that
    changed (all of them for its creation)."""
    tracked = [
        f
        for f in instance._meta.concrete_fields
        if not f.primary_key and f.name not in ("verification_code",)
    ]
    rows = list(
        instance.field_history.select_related("pgh_context").order_by("pgh_created_at", "pgh_id")
    )
    users = {
        u.pk: u
        for u in get_user_model().objects.filter(
            pk__in={(r.pgh_context.metadata or {}).get("user") for r in rows if r.pgh_context}
            - {None}
        )
    }
    result: list[FieldEvent] = []
    previous = None
    for row in rows:
        metadata = (row.pgh_context.metadata if row.pgh_context else None) or {}
        event = FieldEvent(
            at=row.pgh_created_at,
            kind=row.pgh_label,
            user=users.get(metadata.get("user")),
            reason=metadata.get("reason", ""),
            url=metadata.get("url", ""),
        )
        if row.pgh_label != "delete":
            for f in tracked:
                new = getattr(row, f.attname, None)
                old = getattr(previous, f.attname, None) if previous is not None else None
                if previous is None or old != new:
                    event.changes.append(
                        FieldChange(
                            field=f.name,
                            label=str(f.verbose_name),
                            old=_shown(f, old) if previous is not None else "",
                            new=_shown(f, new),
                        )
                    )
        if event.changes or row.pgh_label == "delete":
            result.append(event)
        previous = row
    return result


def file_field_history(*, application: PermitApplication) -> dict[str, Any]:
    """The field-level history of a file's organisation, its licence and the licence's lines
    (``recorded`` is False where no history is kept: SQLite)."""
    organisation: ApplicantOrganisation = application.organisation
    licence: Licence | None = getattr(application, "licence", None)
    rows = [TrackedRow(title=str(organisation), events=field_events(organisation))]
    if licence is not None:
        rows.append(TrackedRow(title=str(licence), events=field_events(licence)))
        rows.extend(
            TrackedRow(title=f"{line.control_entry} {line.description}", events=field_events(line))
            for line in licence.lines.all()
        )
    return {"recorded": recorded(), "rows": rows}
