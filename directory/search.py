"""Accent- and script-insensitive search: text is folded to lower-case ASCII words.

Searchable rows store ``search_text``: their names, other names and aliases folded and
padded with spaces (" ile de france kyiv kiev "), written by the loader. A query matches when
every one of its folded words starts a word of ``search_text``. The folding happens in
Python (anyascii), so the database only runs a plain ``LIKE`` and SQLite and PostgreSQL
give the same answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from anyascii import anyascii
from django.db.models import QuerySet

_WORD = re.compile(r"[a-z0-9]+")
MAX_QUERY_WORDS = 8  # longer queries are cut: each word is one LIKE condition


def fold(text: str) -> str:
    """'Île-de-France' -> 'ile de france'; 'Київ' -> 'kyiv'; 'Xi’an' -> 'xi an'."""
    return " ".join(_WORD.findall(anyascii(text or "").lower()))


def search_text(parts: Iterable[str]) -> str:
    words: list[str] = []
    for part in parts:
        for word in fold(part).split():
            if word not in words:
                words.append(word)
    return f" {' '.join(words)} " if words else ""


def filter_folded(queryset: QuerySet, query: str) -> QuerySet:
    """Rows whose ``search_text`` has a word starting with each word of ``query``."""
    words = fold(query[:200]).split()[:MAX_QUERY_WORDS]
    if not words:
        return queryset.none()
    for word in words:
        queryset = queryset.filter(search_text__contains=f" {word}")
    return queryset
