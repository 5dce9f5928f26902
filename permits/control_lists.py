"""Syntax of control-list entries per regime.

The reference lists themselves (with versions) come with the compliance engine; here an entry
must at least be well formed for the regime of the application it is declared on.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from .compliance.entries import EntryCheck, control_entry_check, normalise_entry

# EU Common Military List: ML1..ML22 with sub-items such as ML10.a or ML4.b.2; national
# pseudo-categories (ML23 other firearms and above) are allowed as the domain requires.
MILITARY_ENTRY = re.compile(r"^ML(?P<category>[1-9]\d?)(?:\.[a-z](?:\.\d{1,2}(?:\.[a-z])?)*)?$")
MILITARY_MAX_EU_CATEGORY = 22
MILITARY_MAX_NATIONAL_CATEGORY = 29
# Dual-use Annex I: category digit, group letter A-E, three digits, optional sub-items.
DUAL_USE_ENTRY = re.compile(r"^[0-9][A-E][0-9]{3}(?:\.[a-z0-9]{1,2})*$")

REGIMES_USING_MILITARY_LIST = {"military", "civil_firearms", "law_enforcement"}

__all__ = ["EntryCheck", "control_entry_check", "control_entry_error", "normalise_entry"]


def control_entry_error(entry: str, regime: str) -> str | None:
    """Why ``entry`` is not a valid control-list entry for ``regime``; None when it is.

    Beyond the syntax, an entry must exist in the list version in force, or be a deeper
    sub-item of an entry whose sub-items that version does not hold (then it is accepted, as
    "sub-item not verified": see ``control_entry_check``)."""
    entry = normalise_entry(entry or "")
    return _syntax_error(entry, regime) or control_entry_check(entry, regime).error


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
