"""Loading versioned reference lists from the data files in ``permits/data/``."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from defusedxml import DefusedXmlException, ElementTree
from django.conf import settings
from django.db import transaction

from .models import (
    ControlListEntry,
    DenialNotice,
    Embargo,
    MemberState,
    ReferenceList,
    SanctionedParty,
)
from .names import name_keys
from .sanctions import SanctionsFormatError, parse_eu_list, parse_un_list

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_FILES = {
    ReferenceList.Kind.CONTROL_LIST: DATA_DIR / "control_lists.yaml",
    ReferenceList.Kind.EMBARGOES: DATA_DIR / "embargoes.yaml",
    ReferenceList.Kind.DENIALS: DATA_DIR / "denials.yaml",
    ReferenceList.Kind.EU_MEMBER_STATES: DATA_DIR / "eu_member_states.yaml",
    ReferenceList.Kind.SANCTIONS_EU: DATA_DIR / "sanctions_eu_sample.xml",
    ReferenceList.Kind.SANCTIONS_UN: DATA_DIR / "sanctions_un_sample.xml",
}
XML_PARSERS = {
    ReferenceList.Kind.SANCTIONS_EU: (parse_eu_list, "EU consolidated financial sanctions list"),
    ReferenceList.Kind.SANCTIONS_UN: (parse_un_list, "UN Security Council consolidated list"),
}


class ReferenceDataError(Exception):
    pass


def parent_code(code: str) -> str:
    """The code one level up: "ML8.a.1" → "ML8.a"; a top entry ("ML8", "1C011") has none."""
    return code.rpartition(".")[0]


def _entries(data: dict[str, Any]) -> list[ControlListEntry]:
    """The entries of every list in the file, parents before children.

    A file gives ``lists: {regime: {source, entries: {code: title or {en, fr, nl, notes,
    source}}}}``; the older ``entries: {regime: {code: title}}`` is still read."""
    lists = data.get("lists") or {
        regime: {"entries": codes} for regime, codes in (data.get("entries") or {}).items()
    }
    entries = []
    for regime, block in lists.items():
        default_source = block.get("source") or data.get("source", "")
        for code, value in (block.get("entries") or {}).items():
            fields = value if isinstance(value, dict) else {"en": value}
            entries.append(
                ControlListEntry(
                    regime=regime,
                    code=str(code),
                    title=str(fields.get("en") or fields.get("fr") or ""),
                    title_fr=str(fields.get("fr") or ""),
                    title_nl=str(fields.get("nl") or ""),
                    notes=str(fields.get("notes") or ""),
                    source=str(fields.get("source") or default_source)[:300],
                    subitems_complete=not fields.get("partial", False),
                )
            )
    return sorted(entries, key=lambda e: e.code.count("."))


def _save_entries(reference_list: ReferenceList, rows: list[ControlListEntry]) -> None:
    # Level by level, so that each entry's parent already has its id.
    saved: dict[tuple[str, str], ControlListEntry] = {}
    for depth in sorted({row.code.count(".") for row in rows}):
        level = [row for row in rows if row.code.count(".") == depth]
        for row in level:
            row.reference_list = reference_list
            row.parent = saved.get((row.regime, parent_code(row.code)))
        ControlListEntry.objects.bulk_create(level, batch_size=2000)
        for row in ControlListEntry.objects.filter(
            reference_list=reference_list, code__in=[r.code for r in level]
        ).only("id", "regime", "code"):
            saved[(row.regime, row.code)] = row


def _embargoes(data: dict[str, Any]) -> list[Embargo]:
    return [
        Embargo(
            country=row["country"],
            scope=row["scope"],
            legal_act=row["legal_act"],
            starts_on=row["starts_on"],
            ends_on=row.get("ends_on"),
            review_on=row.get("review_on"),
            source=data["source"],
        )
        for row in data["embargoes"]
    ]


def _denials(data: dict[str, Any]) -> list[DenialNotice]:
    notices = []
    for row in data["denials"]:
        consignee = name_keys(row.get("consignee_name", ""))
        end_user = name_keys(row.get("end_user_name", ""))
        notices.append(
            DenialNotice(
                number=row["number"],
                notifying_state=row["notifying_state"],
                notified_on=row["notified_on"],
                renewed_on=row.get("renewed_on"),
                destination=row["destination"],
                consignee_name=row.get("consignee_name", ""),
                consignee_address=row.get("consignee_address", ""),
                end_user_name=row.get("end_user_name", ""),
                end_user_address=row.get("end_user_address", ""),
                control_entries=list(row.get("control_entries", [])),
                description=row.get("description", ""),
                criteria=[str(c) for c in row.get("criteria", [])],
                status=row.get("status", DenialNotice.Status.IN_FORCE),
                consignee_key=consignee.key,
                end_user_key=end_user.key,
                consignee_compact=consignee.compact,
                end_user_compact=end_user.compact,
            )
        )
    return notices


def _sanctioned(data: dict[str, Any]) -> list[SanctionedParty]:
    rows = []
    for listed in data["parties"]:
        keys = [name_keys(n) for n in [listed.name, *listed.aliases]]
        rows.append(
            SanctionedParty(
                reference=listed.reference[:60],
                subject_type=listed.subject_type,
                name=listed.name[:300],
                aliases=listed.aliases,
                programme=listed.programme[:100],
                listed_on=listed.listed_on,
                name_keys=[[k.key, k.compact] for k in keys if k.key or k.compact],
            )
        )
    return rows


def _read_xml(kind: str, raw: bytes, path: Path) -> dict[str, Any]:
    """A sanctions list in its published XML, as the data the loader expects."""
    parse, title = XML_PARSERS[kind]
    try:
        parsed = parse(raw)
    except (SanctionsFormatError, ElementTree.ParseError, DefusedXmlException) as exc:
        raise ReferenceDataError(f"{path.name}: {exc}") from exc
    return {
        "version": parsed.version,
        "published_on": parsed.published_on,
        # Sanctions lists change weekly or faster: a loaded file is stale after a few days.
        "review_on": parsed.published_on + timedelta(days=settings.SANCTIONS_LIST_REVIEW_DAYS),
        "source": f"{title} ({path.name})",
        "parties": parsed.parties,
    }


def _member_states(data: dict[str, Any]) -> list[MemberState]:
    return [MemberState(country=code) for code in data["member_states"]]


BUILDERS = {
    ReferenceList.Kind.SANCTIONS_EU: (SanctionedParty, _sanctioned),
    ReferenceList.Kind.SANCTIONS_UN: (SanctionedParty, _sanctioned),
    ReferenceList.Kind.EU_MEMBER_STATES: (MemberState, _member_states),
    ReferenceList.Kind.CONTROL_LIST: (ControlListEntry, _entries),
    ReferenceList.Kind.EMBARGOES: (Embargo, _embargoes),
    ReferenceList.Kind.DENIALS: (DenialNotice, _denials),
}


def reference_list_load(*, kind: str, path: Path | None = None) -> tuple[ReferenceList, bool]:
    """Load one version of a list and make it current. Loading the same file again changes
    nothing; a version whose content changed must get a new version name."""
    path = Path(path or DEFAULT_FILES[kind])
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    data = _read_xml(kind, raw, path) if kind in XML_PARSERS else yaml.safe_load(raw)
    version = str(data["version"])
    with transaction.atomic():
        existing = (
            ReferenceList.objects.select_for_update().filter(kind=kind, version=version).first()
        )
        if existing is not None:
            if existing.sha256 != digest:
                raise ReferenceDataError(
                    f"{path.name}: version {version} is already loaded with other content; "
                    "give the changed list a new version."
                )
            if not existing.is_current:
                ReferenceList.objects.filter(kind=kind, is_current=True).update(is_current=False)
                ReferenceList.objects.filter(pk=existing.pk).update(is_current=True)
            return existing, False
        ReferenceList.objects.filter(kind=kind, is_current=True).update(is_current=False)
        reference_list = ReferenceList.objects.create(
            kind=kind,
            version=version,
            published_on=data["published_on"],
            source=data["source"],
            sha256=digest,
            is_current=True,
            review_on=data.get("review_on"),
        )
        model, build = BUILDERS[kind]
        rows = build(data)
        if model is ControlListEntry:
            _save_entries(reference_list, rows)
        else:
            for row in rows:
                row.reference_list = reference_list
            model.objects.bulk_create(rows, batch_size=2000)
    return reference_list, True


def loaded_counts(reference_list: ReferenceList) -> dict[str, int]:
    """How many rows each list of a loaded version holds (per regime for control lists)."""
    if reference_list.kind == ReferenceList.Kind.CONTROL_LIST:
        rows = reference_list.entries.values_list("regime", flat=True)
        counts: dict[str, int] = {}
        for regime in rows:
            counts[regime] = counts.get(regime, 0) + 1
        return dict(sorted(counts.items()))
    related = {
        ReferenceList.Kind.EMBARGOES: reference_list.embargoes,
        ReferenceList.Kind.DENIALS: reference_list.denials,
        ReferenceList.Kind.EU_MEMBER_STATES: reference_list.member_states,
        ReferenceList.Kind.SANCTIONS_EU: reference_list.sanctioned,
        ReferenceList.Kind.SANCTIONS_UN: reference_list.sanctioned,
    }[reference_list.kind]
    return {reference_list.kind: related.count()}


def eu_member_states() -> frozenset[str]:
    """The member states of the current list version (ISO codes); empty when none is loaded."""
    return frozenset(
        code
        for code in MemberState.objects.filter(
            reference_list__kind=ReferenceList.Kind.EU_MEMBER_STATES,
            reference_list__is_current=True,
        ).values_list("country", flat=True)
    )


def current_versions() -> dict[str, str]:
    return dict(ReferenceList.objects.filter(is_current=True).values_list("kind", "version"))
