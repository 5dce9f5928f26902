"""Reading a control list in the layout of its official text, so that next year's list is
loaded, not typed by hand.

The layout, the same in the Official Journal, EUR-Lex and the national transpositions: an entry
starts a line with its code ("ML8", "1A001"), then its title; sub-items start a line with a
marker that alternates letters and numbers by depth ("a." or "a)", then "1.", then "a.",
then "1."…). Notes ("Note", "Nota", "N.B.", "Technical Note", "Note technique") hold their own
enumerations, which are not sub-items: inside a note, a marker counts only when it continues
the entry's outline (the next letter or number of a level already open), and then at the
shallowest level it can continue, since notes close an item.

Titles are kept short (the first clause, at most 200 characters): the list says what each code
covers; the text of the law stays the authority.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADER = re.compile(r"^\s*(?:#+\s*)?(?P<code>ML\d{1,2}|\d[A-E]\d{3})\.?\s+(?P<title>\S.*)$")
MARKER = re.compile(r"^\s*(?P<mark>[a-z]|\d{1,2})(?P<close>[.)])\s*(?P<text>\S.*)?$")
NOTE = re.compile(
    r"^\s*(?:notes?|nota|n\.\s?b\.|technical\s+notes?|notes?\s+techniques?|remarque)\b",
    re.IGNORECASE,
)
TITLE_END = re.compile(r"\s*(?:[:;]|,?\s+comme suit\b|,?\s+as follows\b)")
TITLE_MAX = 200


@dataclass
class ImportedEntry:
    code: str
    title: str


def _kind(mark: str) -> str:
    return "number" if mark.isdigit() else "letter"


def _next(value: str) -> str:
    return str(int(value) + 1) if value.isdigit() else chr(ord(value) + 1)


def _first(mark: str) -> bool:
    return mark in ("a", "1")


def _title(text: str) -> str:
    text = " ".join((text or "").split())
    cut = TITLE_END.search(text)
    if cut and cut.start() > 0:
        text = text[: cut.start()]
    return text[:TITLE_MAX].rstrip(" ,.;")


def _place(stack: list[str], mark: str, *, shallowest: bool) -> list[str] | None:
    """The outline after ``mark``, or None when ``mark`` does not fit ``stack``: the next value
    of an open level of its kind, or the first value of a new level one deeper."""
    continuing = [
        depth
        for depth, value in enumerate(stack)
        if _kind(value) == _kind(mark) and _next(value) == mark
    ]
    if continuing:
        depth = min(continuing) if shallowest else max(continuing)
        return [*stack[:depth], mark]
    expected = "letter" if len(stack) % 2 == 0 else "number"
    if _first(mark) and _kind(mark) == expected:
        return [*stack, mark]
    return None


def parse_official_text(text: str) -> list[ImportedEntry]:
    entries: list[ImportedEntry] = []
    header: str | None = None
    stack: list[str] = []  # the current value at each depth under the header
    note: list[str] | None = None  # the open note's own enumeration, while a note is open

    for line in text.splitlines():
        if not line.strip():
            continue
        found = HEADER.match(line)
        if found:
            header, stack, note = found["code"], [], None
            entries.append(ImportedEntry(code=header, title=_title(found["title"])))
            continue
        if header is None:
            continue
        if NOTE.match(line):
            note = []
            continue
        marker = MARKER.match(line)
        if not marker:
            continue
        mark, title = marker["mark"], _title(marker["text"] or "")
        if marker["close"] == ")" and _kind(mark) == "letter":
            # "a)" is the first level of the French layout, whatever came before.
            placed = [mark] if _first(mark) or (stack and _next(stack[0]) == mark) else None
        elif note is not None:
            in_note = _place(note, mark, shallowest=False)
            if in_note is not None:
                note = in_note
                continue
            # A marker that does not continue the note closes it.
            placed = _place(stack, mark, shallowest=True)
        else:
            placed = _place(stack, mark, shallowest=False)
        if placed is None:
            continue
        stack, note = placed, None
        entries.append(ImportedEntry(code=".".join([header, *stack]), title=title))
    return entries
