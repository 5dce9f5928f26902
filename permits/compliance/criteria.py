"""The assessment frameworks: the eight criteria of Council Common Position 2008/944/CFSP (as
amended in 2019) for military goods, and the considerations of Regulation (EU) 2021/821 for
dual-use items. Codes are what refusal letters and statistics cite."""

from __future__ import annotations

MILITARY = "cp2008"
DUAL_USE = "du2021"

CRITERIA: dict[str, dict[str, str]] = {
    MILITARY: {
        "1": "Respect for the international obligations and commitments of Member States "
        "(UN, EU and OSCE embargoes, non-proliferation, Arms Trade Treaty, landmines)",
        "2": "Respect for human rights and international humanitarian law in the country of "
        "final destination",
        "3": "Internal situation in the country of final destination (tensions or armed conflicts)",
        "4": "Preservation of regional peace, security and stability",
        "5": "National security of the Member States and of friendly and allied countries",
        "6": "Behaviour of the buyer country towards the international community (terrorism, "
        "alliances, international law)",
        "7": "Risk of diversion within the buyer country or re-export under undesirable conditions",
        "8": "Compatibility with the technical and economic capacity of the recipient country",
    },
    DUAL_USE: {
        "DU1": "International obligations and commitments, sanctions",
        "DU2": "Foreign and security policy, including the criteria of Common Position "
        "2008/944/CFSP",
        "DU3": "Intended end use and risk of diversion",
        "DU4": "Internal compliance programme (global authorisations)",
    },
}
# Criteria 1 to 4 oblige refusal when engaged; 5 to 8 are weighed.
MANDATORY_REFUSAL = frozenset({"1", "2", "3", "4"})


def framework_for(regime: str) -> str:
    return DUAL_USE if regime == "dual_use" else MILITARY


def title(code: str) -> str:
    for criteria in CRITERIA.values():
        if code in criteria:
            return criteria[code]
    return code
