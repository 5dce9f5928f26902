"""Normalised party names, for matching names that must not hide.

"Société Générale d'Armement S.A." and "SOCIETE GENERALE D ARMEMENT" compare equal, and so do
names written to slip past a screening: with invisible characters (word joiner U+2060,
zero-width space, soft hyphen, bidi controls), with look-alike letters from another script
(Cyrillic "с" for Latin "c"), or with compatibility forms (full-width letters, ligatures).

Steps, in this order, the same for a listed name and for a party's name:

1. Unicode NFKC, then case folding.
2. Every invisible or format character (Unicode category Cf, plus the few invisible fillers
   outside it) is a separator, like a space or punctuation.
3. Look-alikes are folded by the UTS #39 confusables skeleton, from Unicode's confusables.txt
   as shipped by ``confusable_homoglyphs``; then accents go (NFD, combining marks removed)
   and what is left outside ASCII is transliterated (``anyascii``).
4. Legal-form words (LLC, L.L.C., OOO, GmbH, SA, Sp. z o.o.…) are set aside.

Two keys come out: ``key`` (the words sorted, for a fuzzy match whatever the word order) and
``compact`` (the words in order with no separator at all), so that a separator slipped *inside*
a word ("Tac\\u00adtical") matches as well as one slipped *between* words ("Gulf\\u2060Tactical").
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from importlib import resources
from typing import NamedTuple

from anyascii import anyascii

# Bidi embeddings, overrides, isolates and marks: they reorder what the reader sees, so a name
# holding one may not be what it looks like. Refused at entry (``validate_no_bidi_controls``).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Invisible characters outside category Cf (Hangul fillers, combining grapheme joiner,
# variation selectors, braille blank): separators too.
INVISIBLE_EXTRA = frozenset(
    "\u034f\u115f\u1160\u2800\u3164\uffa0" + "".join(chr(c) for c in range(0xFE00, 0xFE10))
)

LEGAL_FORMS = [
    "sa",
    "nv",
    "srl",
    "sprl",
    "bv",
    "bvba",
    "cv",
    "cvba",
    "scrl",
    "sc",
    "scs",
    "snc",
    "asbl",
    "vzw",
    "sas",
    "sasu",
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
    "gbr",
    "ek",
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
    "sl",
    "slu",
    "oy",
    "oyj",
    "ab",
    "as",
    "asa",
    "aps",
    "bhd",
    "sdn",
    "pte",
    "pty",
    "pvt",
    "kk",
    "ooo",
    "oao",
    "zao",
    "pao",
    "pjsc",
    "jsc",
    "ojsc",
    "cjsc",
    "ao",
    "tov",
    "doo",
    "sro",
    "zrt",
    "kft",
    "fze",
    "fzco",
    "fzc",
    "fzllc",
    "wll",
]
# Legal forms of several words, as their tokens after folding ("Sp. z o.o." → sp z oo).
LEGAL_FORM_PHRASES = (
    ("sp", "z", "oo"),
    ("s", "de", "rl"),
    ("s", "de", "rl", "de", "cv"),
    ("sa", "de", "cv"),
    ("co", "ltd"),
    ("pvt", "ltd"),
    ("pte", "ltd"),
    ("pty", "ltd"),
    ("sdn", "bhd"),
    ("gmbh", "co", "kg"),
    ("l", "l", "c"),
)
# Legal forms written with dots ("S.A.", "L.L.C.", "o.o.") collapse to their letters first.
DOTTED = re.compile(r"\b(?:\w\.){2,}")
NON_WORD = re.compile(r"[^a-z0-9]+")


class NameKeys(NamedTuple):
    key: str
    compact: str


@cache
def _skeleton_table() -> dict[int, str]:
    """Code point → prototype, from Unicode's confusables.txt (UTS #39) as the library ships it.

    The library stores each line "source → prototype" in both directions. A source has exactly
    one entry (its prototype); a prototype lists all its sources. Where a pair is alone (one
    source, one prototype), either direction gives the same equivalence: the ASCII one, or else
    the lower code point, is taken as the prototype."""
    raw = resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    data = {
        k.replace("\u200e", ""): [e["c"].replace("\u200e", "") for e in v]
        for k, v in json.loads(raw).items()
    }
    table: dict[int, str] = {}
    for char, partners in data.items():
        if len(char) != 1 or len(partners) != 1:
            continue
        target = partners[0]
        if not target or target == char:
            continue
        alone = len(target) == 1 and len(data.get(target, ())) == 1
        if alone and min((char, target), key=lambda c: (not c.isascii(), c)) == char:
            continue
        table[ord(char)] = target
    return table


def _separators(text: str) -> str:
    return "".join(
        " "
        if unicodedata.category(c) in ("Cf", "Zs", "Zl", "Zp", "Cc") or c in INVISIBLE_EXTRA
        else c
        for c in text
    )


def _fold(text: str) -> str:
    """NFKC, case, invisibles as separators, confusables skeleton, accents, ASCII."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _separators(text)
    text = DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
    text = unicodedata.normalize("NFD", text.translate(_skeleton_table()))
    text = "".join(c for c in text if not unicodedata.combining(c))
    # The skeleton may give capitals (digit zero's prototype is "O"): lower again.
    return anyascii(text).lower()


@cache
def _legal_forms() -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    # The skeleton changes some ASCII letters too ("m" → "rn"): compare folded with folded.
    single = frozenset(_fold(form) for form in LEGAL_FORMS)
    phrases = tuple(
        sorted(
            (tuple(_fold(word) for word in phrase) for phrase in LEGAL_FORM_PHRASES),
            key=len,
            reverse=True,
        )
    )
    return single, phrases


def _tokens(name: str) -> list[str]:
    tokens = [t for t in NON_WORD.split(_fold(name)) if t]
    single, phrases = _legal_forms()
    kept: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase in phrases:
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                i += len(phrase)
                break
        else:
            if tokens[i] not in single:
                kept.append(tokens[i])
            i += 1
    return kept


def name_keys(name: str) -> NameKeys:
    tokens = _tokens(name)
    # Single letters left by elisions ("d'Armement") carry no meaning for the word match; the
    # compact key keeps them, as a letter cut off by an invisible separator is one of them.
    words = [t for t in tokens if len(t) > 1 or t.isdigit()]
    return NameKeys(key=" ".join(sorted(words)), compact="".join(tokens))


def normalise_name(name: str) -> str:
    return name_keys(name).key


def bidi_controls_in(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in text or "" if c in BIDI_CONTROLS})
