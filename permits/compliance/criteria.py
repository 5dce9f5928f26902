"""The assessment frameworks: the eight criteria of Council Common Position 2008/944/CFSP (as
amended in 2019) for military goods, and the considerations of Regulation (EU) 2021/821 for
dual-use items. Codes are what refusal letters and statistics cite."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

MILITARY = "cp2008"
DUAL_USE = "du2021"

CRITERIA: dict[str, dict[str, Any]] = {
    MILITARY: {
        "1": _(
            "Respect for the international obligations and commitments of Member States "
            "(UN, EU and OSCE embargoes, non-proliferation, Arms Trade Treaty, landmines)"
        ),
        "2": _(
            "Respect for human rights and international humanitarian law in the country of "
            "final destination"
        ),
        "3": _(
            "Internal situation in the country of final destination (tensions or armed conflicts)"
        ),
        "4": _("Preservation of regional peace, security and stability"),
        "5": _("National security of the Member States and of friendly and allied countries"),
        "6": _(
            "Behaviour of the buyer country towards the international community (terrorism, "
            "alliances, international law)"
        ),
        "7": _(
            "Risk of diversion within the buyer country or re-export under undesirable conditions"
        ),
        "8": _("Compatibility with the technical and economic capacity of the recipient country"),
    },
    DUAL_USE: {
        "DU1": _("International obligations and commitments, sanctions"),
        "DU2": _(
            "Foreign and security policy, including the criteria of Common Position 2008/944/CFSP"
        ),
        "DU3": _("Intended end use and risk of diversion"),
        "DU4": _("Internal compliance programme (global authorisations)"),
    },
}


# Criteria that oblige refusal when engaged: a file with one of them marked "ground for
# refusal" may not be granted, whoever decides. Common Position 2008/944/CFSP, art. 2: criteria
# 1 to 4 ("shall deny"); 5 to 8 are weighed. For dual-use items, international obligations and
# sanctions (DU1) bind the same way; the other considerations are weighed.
MANDATORY_REFUSAL: dict[str, frozenset[str]] = {
    MILITARY: frozenset({"1", "2", "3", "4"}),
    DUAL_USE: frozenset({"DU1"}),
}


def framework_for(regime: str) -> str:
    return DUAL_USE if regime == "dual_use" else MILITARY


def title(code: str) -> str:
    for criteria in CRITERIA.values():
        if code in criteria:
            return str(criteria[code])
    return code
