"""Syntax of control-list entries per regime.

The reference lists themselves (with versions) come with the compliance engine; here an entry
must at least be well formed for the regime of the application it is declared on.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django_countries import countries

from .compliance.entries import EntryCheck, annex_iv_holds, control_entry_check, normalise_entry
from .compliance.reference import eu_member_states

# EU Common Military List: ML1..ML22 with sub-items such as ML10.a or ML4.b.2; national
# pseudo-categories (ML23 other firearms and above) are allowed as the domain requires.
MILITARY_ENTRY = re.compile(r"^ML(?P<category>[1-9]\d?)(?:\.[a-z](?:\.\d{1,2}(?:\.[a-z])?)*)?$")
MILITARY_MAX_EU_CATEGORY = 22
MILITARY_MAX_NATIONAL_CATEGORY = 29
# Dual-use Annex I: category digit, group letter A-E, three digits, optional sub-items.
DUAL_USE_ENTRY = re.compile(r"^[0-9][A-E][0-9]{3}(?:\.[a-z0-9]{1,2})*$")

REGIMES_USING_MILITARY_LIST = {"military", "civil_firearms", "law_enforcement"}

__all__ = [
    "EntryCheck",
    "annex_iv_holds",
    "control_entry_check",
    "control_entry_error",
    "normalise_entry",
]
CATCH_ALL_REGIMES = {"dual_use"}
HOME_STATE = "BE"


def control_entry_error(entry: str, regime: str) -> str | None:
    """Why ``entry`` is not a valid control-list entry for ``regime``; None when it is.

    Beyond the syntax, an entry must exist in the list version in force, or be a deeper
    sub-item of an entry whose sub-items that version does not hold (then it is accepted, as
    "sub-item not verified": see ``control_entry_check``)."""
    entry = normalise_entry(entry or "")
    return _syntax_error(entry, regime) or control_entry_check(entry, regime).error


def goods_line_errors(
    *, control_entry: str, catch_all_ground: str, regime: str
) -> dict[str, list[str]]:
    """What is wrong with a goods line's classification, field by field: a listed entry, or
    no entry and the catch-all ground that makes a licence necessary — not both, not neither."""
    if catch_all_ground:
        if control_entry:
            return {
                "catch_all_ground": [
                    _(
                        "An item on a control list needs no catch-all ground: give the entry "
                        "or, for an item on no list, the ground — not both."
                    )
                ]
            }
        if regime not in CATCH_ALL_REGIMES:
            return {
                "catch_all_ground": [
                    _(
                        "The catch-all grounds apply to dual-use items (Regulation (EU) "
                        "2021/821, Art. 4, 5 and 9): classify this item under its list entry."
                    )
                ]
            }
        return {}
    if not control_entry:
        return {
            "control_entry": [
                _(
                    "Give the control-list entry or, for an item on no list that still needs a "
                    "licence, leave it empty and give the catch-all ground."
                )
            ]
        }
    error = control_entry_error(control_entry, regime)
    return {"control_entry": [error]} if error else {}


def destination_error(*, kind: str, destination: str) -> str | None:
    """Why ``destination`` does not fit an operation of ``kind``: a transfer goes to another
    member state, an export or a transit leaves the Union. None while no member-state list
    is loaded."""
    members = eu_member_states()
    if not members or not destination or kind not in ("transfer", "export", "transit"):
        return None
    country = countries.name(destination) or destination
    if kind == "transfer" and (destination not in members or destination == HOME_STATE):
        return _(
            "A transfer within the EU goes to another member state, and %(country)s is not "
            "one: for a destination outside the EU, apply for an export."
        ) % {"country": country}
    if kind == "export" and destination in members:
        return _(
            "An export leaves the EU, and %(country)s is a member state: apply for a transfer "
            "within the EU."
        ) % {"country": country}
    if kind == "transit" and destination in members:
        return _(
            "A transit licence covers goods crossing Belgium to a country outside the EU, and "
            "%(country)s is a member state."
        ) % {"country": country}
    return None


def transfer_line_error(*, control_entry: str, catch_all_ground: str) -> str | None:
    """A dual-use transfer inside the Union needs a licence only for Annex IV items (or under
    a national measure): any other line needs none."""
    if catch_all_ground == "national_measure":
        return None
    if control_entry and annex_iv_holds(control_entry):
        return None
    return _(
        "No licence is needed for this line: %(entry)s is not in Annex IV of Regulation (EU) "
        "2021/821, so it moves freely inside the EU. Remove it from the application."
    ) % {"entry": control_entry or _("an item on no list")}


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
