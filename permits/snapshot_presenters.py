"""How a stored snapshot reads on the auditor's pages: sections, rows and fields with their
labels in the reader's language, choice codes as their labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .compliance.models import CriterionAssessment, ScreeningFlag, ScreeningRun
from .models import (
    Decision,
    GoodsItem,
    Licence,
    LicenceLine,
    Party,
    PermitApplication,
    ProposedLine,
)
from .snapshots import FieldChange

# section path → (title, model whose fields it holds, whether it holds rows keyed by id)
SECTIONS: dict[str, tuple[Any, type[models.Model] | None, bool]] = {
    "application": (_("Application"), PermitApplication, False),
    "proposed_conditions": (_("Proposed standard conditions"), None, False),
    "goods": (_("Goods line"), GoodsItem, True),
    "parties": (_("Party"), Party, True),
    "documents": (_("Document"), None, True),
    "criteria_worksheet": (_("Criteria worksheet"), CriterionAssessment, True),
    "proposed_lines": (_("Proposed decision per line"), ProposedLine, True),
    "screening.run": (_("Screening"), ScreeningRun, False),
    "screening.flags": (_("Screening flag"), ScreeningFlag, True),
    "decision": (_("Decision"), Decision, False),
    "licence.licence": (_("Licence"), Licence, False),
    "licence.lines": (_("Licence line"), LicenceLine, True),
}
DOCUMENT_FIELDS = {
    "kind": _("kind"),
    "name": _("original file name"),
    "sha256": _("SHA-256"),
    "supersedes": _("supersedes"),
}


@dataclass
class ShownField:
    name: str
    label: str
    value: str


@dataclass
class ShownRow:
    key: str
    fields: list[ShownField] = field(default_factory=list)


@dataclass
class ShownSection:
    path: str
    title: str
    rows: list[ShownRow] = field(default_factory=list)


def _model_field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # a field the model no longer has: shown by its stored name
        return None


def _label(model: type[models.Model] | None, name: str) -> str:
    if model is None:
        return str(DOCUMENT_FIELDS.get(name, name))
    model_field = _model_field(model, name)
    return str(getattr(model_field, "verbose_name", name))


def _value(model: type[models.Model] | None, name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    model_field = _model_field(model, name)
    choices = dict(getattr(model_field, "flatchoices", None) or ())
    if str(value) in {str(k) for k in choices}:
        return str({str(k): v for k, v in choices.items()}[str(value)])
    return str(value)


def _split(path: str) -> tuple[str, str | None, str]:
    """``goods.12.quantity`` → (``goods``, ``12``, ``quantity``)."""
    for section, (_title, _model, keyed) in sorted(SECTIONS.items(), key=lambda s: -len(s[0])):
        if path == section:
            return section, None, ""
        if path.startswith(section + "."):
            rest = path[len(section) + 1 :]
            if keyed:
                key, _dot, name = rest.partition(".")
                return section, key, name
            return section, None, rest
    return path, None, ""


def snapshot_sections(snapshot: dict[str, Any]) -> list[ShownSection]:
    """The snapshot as sections of labelled fields, in the catalogue's order."""
    shown: list[ShownSection] = []
    for path, (title, model, keyed) in SECTIONS.items():
        data: Any = snapshot
        for part in path.split("."):
            data = data.get(part) if isinstance(data, dict) else None
        if data in (None, {}, []):
            continue
        section = ShownSection(path=path, title=str(title))
        if path == "proposed_conditions":
            section.rows.append(
                ShownRow(key="", fields=[ShownField("ids", str(title), ", ".join(data))])
            )
        elif keyed:
            for key, row in data.items():
                section.rows.append(
                    ShownRow(
                        key=key,
                        fields=[
                            ShownField(name, _label(model, name), _value(model, name, value))
                            for name, value in row.items()
                        ],
                    )
                )
        else:
            section.rows.append(
                ShownRow(
                    key="",
                    fields=[
                        ShownField(name, _label(model, name), _value(model, name, value))
                        for name, value in data.items()
                    ],
                )
            )
        shown.append(section)
    return shown


@dataclass
class ShownChange:
    path: str
    section: str
    row: str
    label: str
    before: str
    after: str
    kind: str


def shown_changes(changes: list[FieldChange]) -> list[ShownChange]:
    rows: list[ShownChange] = []
    for change in changes:
        section, key, name = _split(change.path)
        title, model, _keyed = SECTIONS.get(section, (section, None, False))
        rows.append(
            ShownChange(
                path=change.path,
                section=str(title),
                row=key or "",
                label=_label(model, name) if name else str(title),
                before=_value(model, name, change.before),
                after=_value(model, name, change.after),
                kind=change.kind,
            )
        )
    return rows
