"""Reading and checking the directory's data file; no database access here.

``parse_directory_data`` turns the YAML document into flat rows, one dictionary of field
values per database row, keyed by natural key, with references still given as keys. It
computes the derived values (international phone numbers, search text, a partner's current
relationship and status) so that loading the same file twice gives exactly the same rows.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers
import yaml
from django.utils.text import slugify
from django_countries import countries

from .models import (
    Network,
    NetworkMembership,
    Organisation,
    Partner,
    Representation,
    WorkflowRole,
)
from .search import search_text

DEFAULT_DATA_FILE = Path(__file__).resolve().parent / "data" / "directory.yaml"
PERMITS_UNIT_KEY = "permits"
LANGUAGES = ("en", "fr", "nl")


class DirectoryDataError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors))


@dataclass
class DirectoryData:
    """Rows per kind, in loading order; reference fields hold the referenced row's key."""

    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    organisations: dict[str, dict[str, Any]] = field(default_factory=dict)
    units: dict[str, dict[str, Any]] = field(default_factory=dict)
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    partners: dict[str, dict[str, Any]] = field(default_factory=dict)
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    representations: dict[str, dict[str, Any]] = field(default_factory=dict)
    positions: dict[str, dict[str, Any]] = field(default_factory=dict)
    portfolios: dict[str, dict[str, Any]] = field(default_factory=dict)
    statements: dict[str, dict[str, Any]] = field(default_factory=dict)
    memberships: dict[str, dict[str, Any]] = field(default_factory=dict)


def read_data_file(path: Path | str = DEFAULT_DATA_FILE) -> tuple[dict[str, Any], str]:
    """The parsed document and the SHA-256 of the file's bytes."""
    raw = Path(path).read_bytes()
    document = yaml.safe_load(raw)
    if not isinstance(document, dict):
        raise DirectoryDataError([f"{path}: the file must hold a mapping"])
    return document, hashlib.sha256(raw).hexdigest()


def e164(phone: str) -> str:
    """'02/800 37 45' -> '+3228003745' (Belgian numbers unless written with a country code)."""
    if not phone:
        return ""
    try:
        number = phonenumbers.parse(phone, "BE")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(where, "must be a mapping")
            return {}
        return value

    def text(self, item: dict, name: str, where: str, *, required: bool = False) -> str:
        value = item.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            value = str(value)
        if required and not value.strip():
            self.error(where, f"'{name}' is required")
        return value.strip()

    def choice(self, item: dict, name: str, choices, where: str, *, blank: bool = False) -> str:
        value = self.text(item, name, where, required=not blank)
        if value and value not in choices.values:
            self.error(where, f"'{name}' must be one of {', '.join(choices.values)}")
        return value

    def ref(self, value: Any, known: dict, kind: str, where: str) -> str | None:
        if value in (None, ""):
            return None
        if value not in known:
            self.error(where, f"unknown {kind} '{value}'")
        return value

    def country(self, item: dict, where: str) -> str:
        code = self.text(item, "country", where, required=True).upper()
        if code and code not in countries:
            self.error(where, f"unknown country code '{code}'")
        return code

    def flag(self, item: dict, name: str, default: bool) -> bool:
        return bool(item.get(name, default))


def _names(item: dict, c: _Checker, where: str) -> dict[str, str]:
    names = {f"name_{lang}": c.text(item, f"name_{lang}", where) for lang in LANGUAGES}
    if not names["name_en"]:
        c.error(where, "'name_en' is required")
    return names


def _aliases(item: dict, c: _Checker, where: str) -> list[str]:
    aliases = item.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        c.error(where, "'aliases' must be a list of names")
        return []
    return aliases


def _fact(item: dict, c: _Checker, data: DirectoryData, where: str) -> dict[str, Any]:
    return {
        "source": c.ref(item.get("source"), data.sources, "source", where),
        "is_current": c.flag(item, "current", True),
        "note": c.text(item, "note", where),
    }


def parse_directory_data(document: dict[str, Any]) -> DirectoryData:
    """Check the whole document; raise DirectoryDataError listing every problem found."""
    c = _Checker()
    data = DirectoryData()
    if document.get("version") != 1:
        c.error("version", "must be 1")

    for key, item in c.mapping(document.get("sources"), "sources").items():
        where = f"sources.{key}"
        item = c.mapping(item, where)
        date = item.get("date")
        if not isinstance(date, datetime.date):
            c.error(where, "'date' must be a date (YYYY-MM-DD)")
        data.sources[key] = {
            "file_name": c.text(item, "file", where, required=True),
            "title": c.text(item, "title", where, required=True),
            "url": c.text(item, "url", where),
            "language": c.text(item, "language", where, required=True),
            "date": date,
            "date_stated": c.flag(item, "date_stated", False),
            "note": c.text(item, "note", where),
        }

    for key, item in c.mapping(document.get("organisations"), "organisations").items():
        where = f"organisations.{key}"
        item = c.mapping(item, where)
        parent = item.get("parent")
        if parent and parent not in data.organisations:
            c.error(where, f"parent '{parent}' must be defined before it")
        names = _names(item, c, where)
        acronym = c.text(item, "acronym", where)
        aliases = _aliases(item, c, where)
        phone = c.text(item, "phone", where)
        data.organisations[key] = {
            **names,
            "acronym": acronym,
            "aliases": aliases,
            "kind": c.choice(item, "kind", Organisation.Kind, where),
            "is_home": c.flag(item, "home", False),
            "parent": parent or None,
            "description_en": c.text(item, "description_en", where),
            "description_fr": c.text(item, "description_fr", where),
            "address": c.text(item, "address", where),
            "email": c.text(item, "email", where),
            "phone": phone,
            "phone_e164": e164(phone),
            "source": c.ref(item.get("source"), data.sources, "source", where),
            "search_text": search_text([*names.values(), acronym, *aliases]),
        }
    if sum(1 for o in data.organisations.values() if o["is_home"]) != 1:
        c.error("organisations", "exactly one organisation must be 'home: true'")

    for key, item in c.mapping(document.get("units"), "units").items():
        where = f"units.{key}"
        item = c.mapping(item, where)
        names = _names(item, c, where)
        aliases = _aliases(item, c, where)
        data.units[key] = {
            "organisation": c.ref(
                item.get("organisation"), data.organisations, "organisation", where
            ),
            "number": int(item.get("number") or 0),
            **names,
            "aliases": aliases,
            "mission_en": c.text(item, "mission_en", where),
            "mission_fr": c.text(item, "mission_fr", where),
            "source": c.ref(item.get("source"), data.sources, "source", where),
            "search_text": search_text([*names.values(), *aliases]),
        }

    for key, item in c.mapping(document.get("partners"), "partners").items():
        where = f"partners.{key}"
        item = c.mapping(item, where)
        names = _names(item, c, where)
        aliases = _aliases(item, c, where)
        data.partners[key] = {
            **names,
            "name_native": c.text(item, "name_native", where),
            "aliases": aliases,
            "place": c.choice(item, "place", Partner.Place, where),
            "country": c.country(item, where),
            "relationship": "",
            "status": "",
            "search_text": search_text(
                [*names.values(), c.text(item, "name_native", where), *aliases]
            ),
        }
        current = []
        for index, statement in enumerate(item.get("statements") or []):
            swhere = f"{where}.statements[{index}]"
            statement = c.mapping(statement, swhere)
            row = {
                "partner": key,
                **_fact(statement, c, data, swhere),
                "relationship": c.choice(
                    statement, "relationship", Partner.Relationship, swhere, blank=True
                ),
                "status": c.choice(statement, "status", Partner.Status, swhere),
                "as_written": c.text(statement, "as_written", swhere),
            }
            skey = f"{key}:{row['source']}"
            if skey in data.statements:
                c.error(swhere, f"a second statement from source '{row['source']}'")
            data.statements[skey] = row
            if row["is_current"]:
                current.append(row)
        statements = [s for s in data.statements.values() if s["partner"] == key]
        if statements and len(current) != 1:
            c.error(where, "exactly one statement must be current")
        if current:
            # The current statement gives the status; the relationship too, unless that page
            # does not say, in which case the first statement in the file that says it.
            stated = [s["relationship"] for s in [*current, *statements] if s["relationship"]]
            data.partners[key]["status"] = current[0]["status"]
            data.partners[key]["relationship"] = stated[0] if stated else ""

    for key, item in c.mapping(document.get("networks"), "networks").items():
        where = f"networks.{key}"
        item = c.mapping(item, where)
        names = _names(item, c, where)
        acronym = c.text(item, "acronym", where)
        aliases = _aliases(item, c, where)
        data.networks[key] = {
            "acronym": acronym,
            **names,
            "aliases": aliases,
            "kind": c.choice(item, "kind", Network.Kind, where),
            "source": c.ref(item.get("source"), data.sources, "source", where),
            "search_text": search_text([acronym, *names.values(), *aliases]),
        }
        for index, membership in enumerate(item.get("memberships") or []):
            mwhere = f"{where}.memberships[{index}]"
            membership = c.mapping(membership, mwhere)
            organisation = c.ref(
                membership.get("organisation"), data.organisations, "organisation", mwhere
            )
            row = {
                "network": key,
                "organisation": organisation,
                "relation": c.choice(membership, "relation", NetworkMembership.Relation, mwhere),
                **_fact(membership, c, data, mwhere),
            }
            mkey = f"{key}:{organisation}:{row['source']}"
            if mkey in data.memberships:
                c.error(mwhere, "duplicate membership")
            data.memberships[mkey] = row

    for key, item in c.mapping(document.get("representations"), "representations").items():
        where = f"representations.{key}"
        item = c.mapping(item, where)
        data.representations[key] = {
            "organisation": c.ref(
                item.get("organisation"), data.organisations, "organisation", where
            ),
            "kind": c.choice(item, "kind", Representation.Kind, where),
            **_names(item, c, where),
            "city": c.text(item, "city", where),
            "country": c.country(item, where),
            "source": c.ref(item.get("source"), data.sources, "source", where),
        }

    for key, item in c.mapping(document.get("people"), "people").items():
        _parse_person(key, c.mapping(item, f"people.{key}"), c, data)

    if c.errors:
        raise DirectoryDataError(c.errors)
    return data


def _parse_person(key: str, item: dict, c: _Checker, data: DirectoryData) -> None:
    where = f"people.{key}"
    full_name = c.text(item, "name", where, required=True)
    family = c.text(item, "family", where) or (full_name.split()[-1] if full_name else "")
    if family and not full_name.endswith(family):
        c.error(where, "'family' must end the name")
    given = full_name[: len(full_name) - len(family)].strip()
    phone = c.text(item, "phone", where)
    aliases = _aliases(item, c, where)
    words = [full_name, *aliases]

    for index, position in enumerate(item.get("positions") or []):
        pwhere = f"{where}.positions[{index}]"
        position = c.mapping(position, pwhere)
        unit = c.ref(position.get("unit"), data.units, "unit", pwhere)
        organisation = c.ref(
            position.get("organisation"), data.organisations, "organisation", pwhere
        )
        if unit and not organisation and unit in data.units:
            organisation = data.units[unit]["organisation"]
        if not unit and not organisation:
            c.error(pwhere, "needs a 'unit' or an 'organisation'")
        role = c.choice(position, "workflow_role", WorkflowRole, pwhere, blank=True)
        if role and unit != PERMITS_UNIT_KEY:
            c.error(pwhere, "only positions in the Permits unit can carry a workflow role")
        row = {
            "person": key,
            "organisation": organisation,
            "unit": unit,
            **{f"title_{lang}": c.text(position, f"title_{lang}", pwhere) for lang in LANGUAGES},
            "is_head": c.flag(position, "head", False),
            "workflow_role": role,
            **_fact(position, c, data, pwhere),
        }
        pkey = f"{key}:{row['source']}:{unit or organisation}"
        if pkey in data.positions:
            c.error(pwhere, "a second position in the same place from the same source")
        data.positions[pkey] = row
        if row["is_current"]:
            words += [row[f"title_{lang}"] for lang in LANGUAGES]
            if unit in data.units:
                words += [data.units[unit][f"name_{lang}"] for lang in LANGUAGES]

    for index, portfolio in enumerate(item.get("portfolios") or []):
        pwhere = f"{where}.portfolios[{index}]"
        portfolio = c.mapping(portfolio, pwhere)
        fact = _fact(portfolio, c, data, pwhere)
        as_written = portfolio.get("as_written") or ""
        subjects: list[tuple[str, str]] = []
        for kind, plural, known in (
            ("partner", "partners", data.partners),
            ("network", "networks", data.networks),
        ):
            keys = list(portfolio.get(plural) or [])
            if portfolio.get(kind):
                keys.append(portfolio[kind])
            subjects += [(kind, c.ref(k, known, kind, pwhere) or "") for k in keys]
        topics = {f"topic_{lang}": c.text(portfolio, f"topic_{lang}", pwhere) for lang in LANGUAGES}
        if topics["topic_en"]:
            subjects.append(("topic", slugify(topics["topic_en"])))
        elif any(topics.values()):
            c.error(pwhere, "a topic needs 'topic_en'")
        if not subjects:
            c.error(pwhere, "needs partners, networks or a topic")
        for kind, subject in subjects:
            written = as_written.get(subject, "") if isinstance(as_written, dict) else as_written
            row = {
                "person": key,
                "partner": subject if kind == "partner" else None,
                "network": subject if kind == "network" else None,
                **(topics if kind == "topic" else dict.fromkeys(topics, "")),
                "as_written": str(written),
                **fact,
            }
            pkey = f"{key}:{fact['source']}:{kind}:{subject}"
            if pkey in data.portfolios:
                c.error(pwhere, f"duplicate portfolio {kind} '{subject}'")
            data.portfolios[pkey] = row
            if fact["is_current"]:
                if kind == "partner" and subject in data.partners:
                    words.append(_strip_search(data.partners[subject]["search_text"]))
                elif kind == "network" and subject in data.networks:
                    words.append(_strip_search(data.networks[subject]["search_text"]))
                elif kind == "topic":
                    words += list(topics.values())

    data.people[key] = {
        "full_name": full_name,
        "given_name": given,
        "family_name": family,
        "aliases": aliases,
        "phone": phone,
        "phone_e164": e164(phone),
        "email": c.text(item, "email", where),
        "source": c.ref(item.get("source"), data.sources, "source", where),
        "search_text": search_text(words),
    }
    if phone and not data.people[key]["phone_e164"]:
        c.error(where, f"'{phone}' is not a valid phone number")


def _strip_search(text: str) -> str:
    return text.strip()
