"""Normalised party names, so "Société Générale d'Armement S.A." and "SOCIETE GENERALE D
ARMEMENT" compare equal: accents, case, punctuation, word order and legal forms removed."""

from __future__ import annotations

import re

from anyascii import anyascii

LEGAL_FORMS = frozenset(
    [
        "sa",
        "nv",
        "srl",
        "sprl",
        "bv",
        "bvba",
        "cv",
        "scrl",
        "sc",
        "asbl",
        "vzw",
        "sas",
        "sarl",
        "eurl",
        "sca",
        "se",
        "gmbh",
        "ag",
        "kg",
        "ohg",
        "ug",
        "mbh",
        "ltd",
        "limited",
        "llc",
        "llp",
        "lp",
        "plc",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "spa",
        "srl",
        "sl",
        "slu",
        "oy",
        "oyj",
        "ab",
        "as",
        "asa",
        "aps",
        "bhd",
        "pte",
        "pty",
        "kk",
        "ooo",
        "oao",
        "zao",
        "pao",
        "pjsc",
        "jsc",
        "ojsc",
        "cjsc",
    ]
)
# Legal forms written with dots ("S.A.", "B.V.") collapse to their letters first.
DOTTED = re.compile(r"\b(?:[a-z]\.){2,}")
NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise_name(name: str) -> str:
    text = anyascii(name or "").lower()
    text = DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
    tokens = [t for t in NON_WORD.split(text) if t and t not in LEGAL_FORMS]
    # Single letters left by elisions ("d'Armement") carry no meaning for matching.
    tokens = [t for t in tokens if len(t) > 1 or t.isdigit()]
    return " ".join(sorted(tokens))
