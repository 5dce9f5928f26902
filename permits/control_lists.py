"""Syntax of control-list entries per regime.

The reference lists themselves (with versions) come with the compliance engine; here an entry
must at least be well formed for the regime of the application it is declared on.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from .compliance.models import ControlListEntry, ReferenceList

# EU Common Military List: ML1..ML22 with sub-items such as ML10.a or ML4.b.2; national
# pseudo-categories (ML23 other firearms and above) are allowed as the domain requires.
MILITARY_ENTRY = re.compile(r"^ML(?P<category>[1-9]\d?)(?:\.[a-z](?:\.\d{1,2}(?:\.[a-z])?)*)?$")
MILITARY_MAX_EU_CATEGORY = 22
MILITARY_MAX_NATIONAL_CATEGORY = 29
# Dual-use Annex I: category digit, group letter A-E, three digits, optional sub-items.
DUAL_USE_ENTRY = re.compile(r"^[0-9][A-E][0-9]{3}(?:\.[a-z0-9]{1,2})*$")

REGIMES_USING_MILITARY_LIST = {"military", "civil_firearms", "law_enforcement"}


def normalise_entry(entry: str) -> str:
    entry = entry.strip().replace(" ", "")
    if entry[:2].lower() == "ml":
        return "ML" + entry[2:].lower()
    if len(entry) >= 2 and entry[0].isdigit():
        return entry[0] + entry[1].upper() + entry[2:].lower()
    return entry


def control_entry_error(entry: str, regime: str) -> str | None:
    """Why ``entry`` is not a valid control-list entry for ``regime``; None when it is.

    Beyond the syntax, an entry must exist in the current control list — itself or the
    nearest entry above it (sub-items are listed only as far as the data file goes).
    """
    entry = normalise_entry(entry or "")
    return _syntax_error(entry, regime) or _list_error(entry, regime)


def _list_error(entry: str, regime: str) -> str | None:
    reference = ReferenceList.objects.filter(
        kind=ReferenceList.Kind.CONTROL_LIST, is_current=True
    ).first()
    if reference is None:
        return None  # no list loaded yet: syntax is all that can be checked
    lists = ["dual_use"] if regime == "dual_use" else ["military", "national"]
    codes = list(
        ControlListEntry.objects.filter(reference_list=reference, regime__in=lists).values_list(
            "code", flat=True
        )
    )
    known = set(codes)
    candidate = entry
    while candidate:
        if candidate in known:
            return None
        candidate = candidate.rpartition(".")[0]
    closest = [c for c, _score, _i in process.extract(entry, codes, scorer=fuzz.ratio, limit=3)]
    return _(
        "“%(entry)s” is not in the control list %(version)s. Closest entries: %(closest)s."
    ) % {
        "entry": entry,
        "version": reference.version,
        "closest": ", ".join(closest),
    }


def _syntax_error(entry: str, regime: str) -> str | None:
    if not entry:
        return _("A control-list entry is required.")
    if regime == "dual_use":
        if DUAL_USE_ENTRY.match(entry):
            return None
        return _(
            "“%(entry)s” is not a dual-use Annex I entry: expected a category digit, a group "
            "letter A–E and three digits, such as 5A002.a or 1C350."
        ) % {"entry": entry}
    if regime in REGIMES_USING_MILITARY_LIST:
        match = MILITARY_ENTRY.match(entry)
        if match and int(match["category"]) <= MILITARY_MAX_NATIONAL_CATEGORY:
            return None
        return _(
            "“%(entry)s” is not a Military List entry: expected ML1 to ML22 (or a national "
            "category) with optional sub-items, such as ML10.a or ML4.b.2."
        ) % {"entry": entry}
    return _("Unknown regime “%(regime)s”.") % {"regime": regime}
