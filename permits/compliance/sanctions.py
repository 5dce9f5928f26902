"""Reading the published sanctions lists of persons and entities.

- The EU consolidated list of financial sanctions (the Commission's "full sanctions list" XML,
  namespace ``http://eu.europa.ec/fpi/fsd/export``): ``export[@generationDate]`` holding
  ``sanctionEntity[@euReferenceNumber]`` elements, each with a ``subjectType[@code]``
  ("person" or "enterprise"), its ``nameAlias[@wholeName]`` names and the ``regulation
  [@programme]`` it was listed under.
- The UN Security Council consolidated list XML: ``CONSOLIDATED_LIST[@dateGenerated]`` holding
  ``INDIVIDUALS/INDIVIDUAL`` and ``ENTITIES/ENTITY``, each with ``REFERENCE_NUMBER``,
  ``FIRST_NAME``… ``FOURTH_NAME``, ``UN_LIST_TYPE``, ``LISTED_ON`` and ``*_ALIAS/ALIAS_NAME``.

Both are parsed with ``defusedxml``: the files come from outside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from defusedxml import ElementTree

EU_NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"


class SanctionsFormatError(Exception):
    pass


@dataclass
class ListedParty:
    reference: str
    subject_type: str  # "person" or "entity"
    name: str
    aliases: list[str] = field(default_factory=list)
    programme: str = ""
    listed_on: date | None = None


@dataclass
class SanctionsList:
    version: str
    published_on: date
    parties: list[ListedParty]


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def _unique(names: list[str]) -> list[str]:
    seen: list[str] = []
    for name in names:
        name = " ".join(name.split())
        if name and name not in seen:
            seen.append(name)
    return seen


def parse_eu_list(raw: bytes) -> SanctionsList:
    root = ElementTree.fromstring(raw)
    ns = {"e": EU_NAMESPACE}
    if root.tag != f"{{{EU_NAMESPACE}}}export":
        raise SanctionsFormatError("Not an EU financial sanctions list export.")
    generated = root.get("generationDate", "")
    published = _day(generated)
    if published is None:
        raise SanctionsFormatError("The export has no generationDate.")
    parties = []
    for entity in root.findall("e:sanctionEntity", ns):
        names = _unique([a.get("wholeName", "") for a in entity.findall("e:nameAlias", ns)])
        if not names:
            continue
        subject = entity.find("e:subjectType", ns)
        regulation = entity.find("e:regulation", ns)
        parties.append(
            ListedParty(
                reference=entity.get("euReferenceNumber") or entity.get("logicalId", ""),
                subject_type="person"
                if subject is not None and subject.get("code") == "person"
                else "entity",
                name=names[0],
                aliases=names[1:],
                programme=regulation.get("programme", "") if regulation is not None else "",
                listed_on=_day(regulation.get("publicationDate"))
                if regulation is not None
                else None,
            )
        )
    return SanctionsList(version=generated[:19], published_on=published, parties=parties)


def _text(element, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "").strip() if found is not None and found.text else ""


def parse_un_list(raw: bytes) -> SanctionsList:
    root = ElementTree.fromstring(raw)
    if root.tag != "CONSOLIDATED_LIST":
        raise SanctionsFormatError("Not a UN Security Council consolidated list.")
    generated = root.get("dateGenerated", "")
    published = _day(generated)
    if published is None:
        raise SanctionsFormatError("The list has no dateGenerated.")
    parties = []
    for path, alias_tag, subject in (
        ("INDIVIDUALS/INDIVIDUAL", "INDIVIDUAL_ALIAS", "person"),
        ("ENTITIES/ENTITY", "ENTITY_ALIAS", "entity"),
    ):
        for item in root.findall(path):
            name = " ".join(
                _text(item, tag)
                for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
                if _text(item, tag)
            )
            aliases = [_text(a, "ALIAS_NAME") for a in item.findall(alias_tag)]
            original = _text(item, "NAME_ORIGINAL_SCRIPT")
            names = _unique([name, *aliases, original])
            if not names:
                continue
            parties.append(
                ListedParty(
                    reference=_text(item, "REFERENCE_NUMBER") or _text(item, "DATAID"),
                    subject_type=subject,
                    name=names[0],
                    aliases=names[1:],
                    programme=_text(item, "UN_LIST_TYPE"),
                    listed_on=_day(_text(item, "LISTED_ON")),
                )
            )
    return SanctionsList(version=generated[:19], published_on=published, parties=parties)
