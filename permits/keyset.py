"""Keyset ("cursor") pagination and counts that do not scan, for the big web lists (the case
managers' queues, the auditors' search).

A page is the rows after (or before) the last (first) row of the page the reader comes from, in
the list's ordering, which always ends with the primary key: ``WHERE (key, id) > (…) ORDER BY key,
id LIMIT n+1``. The database walks the ordering's index from that point instead of counting
``OFFSET`` rows from the start, so page 2,000 costs what page 1 costs, and a file added or moved
meanwhile never makes a page skip or repeat a row. Rows that tie on the ordering key are told
apart by ``id``.

The cursor is signed (``django.core.signing``): it names the ordering it was made for and the
values of its row. A cursor altered by hand is refused (the first page, with a notice, status
400) rather than reaching the database; one made for another ordering (the reader changed the
sort) simply gives the first page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db import connection
from django.db.models import Q, QuerySet

SALT = "permits.keyset"
CURSOR_PARAMETER = "cursor"
# Counting more than this many rows exactly is what made the lists slow at a million files:
# above it, the planner's estimate is shown, labelled "about".
EXACT_COUNT_UP_TO = 1_000


class InvalidCursor(ValueError):
    """The cursor was not made by us (altered, truncated, or from another secret key)."""


@dataclass
class KeysetPage:
    object_list: list[Any]
    next_cursor: str | None = None
    previous_cursor: str | None = None
    invalid_cursor: bool = False
    ordering: list[str] = field(default_factory=list)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _ordering(queryset: QuerySet) -> list[tuple[str, bool]]:
    """(field path, descending) for each term, the primary key last (added when missing)."""
    terms = list(queryset.query.order_by or queryset.model._meta.ordering or [])
    parsed = []
    for term in terms:
        if not isinstance(term, str):
            raise TypeError(f"keyset pagination orders by field names, not {term!r}")
        name = term.lstrip("-")
        parsed.append(("id" if name == "pk" else name, term.startswith("-")))
    if not parsed or parsed[-1][0] != "id":
        parsed = [term for term in parsed if term[0] != "id"] + [("id", False)]
    return parsed


def _value_of(row: Any, path: str) -> Any:
    value = row
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    if isinstance(value, Decimal):
        return ["dec", str(value)]
    if value is None or isinstance(value, int | str | float):
        return value
    return str(value)  # country codes and other str-like field values


def _decode(value: Any) -> Any:
    if isinstance(value, list) and len(value) == 2:
        kind, text = value
        return {"dt": datetime.fromisoformat, "d": date.fromisoformat, "dec": Decimal}[kind](text)
    return value


def _nulls_last_ascending() -> bool:
    # PostgreSQL sorts NULL after every value (ASC) and before them (DESC); SQLite the reverse.
    return connection.vendor == "postgresql"


def _after(path: str, descending: bool, value: Any) -> Q | None:
    """Rows strictly after ``value`` in that column's order (None: no row can be)."""
    nulls_last = _nulls_last_ascending() != descending
    if value is None:
        return None if nulls_last else Q(**{f"{path}__isnull": False})
    after = Q(**{f"{path}__{'lt' if descending else 'gt'}": value})
    return after | Q(**{f"{path}__isnull": True}) if nulls_last else after


def _equal(path: str, value: Any) -> Q:
    return Q(**{f"{path}__isnull": True}) if value is None else Q(**{path: value})


def _beyond(ordering: list[tuple[str, bool]], values: list[Any]) -> Q:
    """(c1, c2, …) > (v1, v2, …) in the ordering's sense, NULLs where the database sorts them."""
    condition = Q(pk__in=[])
    equal_so_far = Q()
    for (path, descending), value in zip(ordering, values, strict=True):
        after = _after(path, descending, value)
        if after is not None:
            condition |= equal_so_far & after
        equal_so_far &= _equal(path, value)
    return condition


def _cursor(ordering: list[tuple[str, bool]], row: Any, direction: str) -> str:
    payload = {
        "o": [f"{'-' if desc else ''}{path}" for path, desc in ordering],
        "v": [_encode(_value_of(row, path)) for path, _desc in ordering],
        "d": direction,
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def _read_cursor(cursor: str, ordering: list[tuple[str, bool]]) -> tuple[list[Any], str] | None:
    """The cursor's values and direction; None if it was made for another ordering."""
    try:
        payload = signing.loads(cursor, salt=SALT)
        names = [f"{'-' if desc else ''}{path}" for path, desc in ordering]
        if payload["o"] != names:
            return None
        values = [_decode(value) for value in payload["v"]]
        direction = payload["d"]
        if direction not in ("n", "p") or len(values) != len(ordering):
            raise InvalidCursor(cursor)
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise InvalidCursor(cursor) from exc
    return values, direction


def keyset_page(queryset: QuerySet, cursor: str | None, size: int) -> KeysetPage:
    """One page of ``queryset`` (ordered; the primary key breaks ties) from ``cursor``."""
    ordering = _ordering(queryset)
    names = [f"{'-' if desc else ''}{path}" for path, desc in ordering]
    invalid = False
    position = None
    if cursor:
        try:
            position = _read_cursor(cursor, ordering)
        except InvalidCursor:
            invalid = True
    if position is None:
        rows = list(queryset.order_by(*names)[: size + 1])
        return KeysetPage(
            object_list=rows[:size],
            next_cursor=_cursor(ordering, rows[size - 1], "n") if len(rows) > size else None,
            invalid_cursor=invalid,
            ordering=names,
        )
    values, direction = position
    if direction == "n":
        rows = list(queryset.filter(_beyond(ordering, values)).order_by(*names)[: size + 1])
        page = rows[:size]
        return KeysetPage(
            object_list=page,
            next_cursor=_cursor(ordering, page[-1], "n") if len(rows) > size else None,
            previous_cursor=_cursor(ordering, page[0], "p") if page else None,
            ordering=names,
        )
    reverse = [(path, not desc) for path, desc in ordering]
    reverse_names = [f"{'-' if desc else ''}{path}" for path, desc in reverse]
    rows = list(queryset.filter(_beyond(reverse, values)).order_by(*reverse_names)[: size + 1])
    page = list(reversed(rows[:size]))
    return KeysetPage(
        object_list=page,
        next_cursor=_cursor(ordering, page[-1], "n") if page else None,
        previous_cursor=_cursor(ordering, page[0], "p") if len(rows) > size else None,
        ordering=names,
    )


@dataclass(frozen=True)
class Count:
    value: int
    exact: bool


def bounded_count(queryset: QuerySet, exact_up_to: int = EXACT_COUNT_UP_TO) -> Count:
    """How many rows: exact up to ``exact_up_to`` (the count stops reading there), else the
    planner's estimate (EXPLAIN, no row read), rounded and to be shown as "about"."""
    queryset = queryset.order_by()
    counted = queryset[: exact_up_to + 1].count()
    if counted <= exact_up_to:
        return Count(counted, True)
    estimate = max(_planner_estimate(queryset), counted)
    return Count(_round(estimate), False)


def _planner_estimate(queryset: QuerySet) -> int:
    if connection.vendor != "postgresql":
        return queryset.count()
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _round(number: int) -> int:
    """Two significant digits: 987,654 → 990,000 (an estimate should not look exact)."""
    digits = len(str(number))
    if digits <= 2:
        return number
    scale = 10 ** (digits - 2)
    return round(number / scale) * scale
