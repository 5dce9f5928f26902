"""Statutory decision deadlines: calendar or working days (Belgian public holidays), counted
from the day the file is complete, with the clock paused while the applicant is asked for
information or a consultation is open."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from django.conf import settings

# Bound on the search, far beyond any statutory period, so that a bad rule cannot loop.
MAX_SPAN_DAYS = 3 * 366


@dataclass(frozen=True)
class DeadlineRule:
    days: int
    working_days: bool

    def describe(self) -> str:
        unit = "working days" if self.working_days else "calendar days"
        return f"{self.days} {unit}"


@dataclass(frozen=True)
class Pause:
    start: date
    end: date | None  # None: still running

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def rule_for(kind: str, regime: str) -> DeadlineRule:
    rules = settings.DECISION_DEADLINE_RULES
    raw = rules.get(f"{kind}:{regime}") or rules.get(regime) or rules["default"]
    return DeadlineRule(days=int(raw["days"]), working_days=bool(raw.get("working_days", False)))


@lru_cache(maxsize=8)
def _belgian_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("BE", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _belgian_holidays(day.year)


def deadline(start: date, rule: DeadlineRule, pauses: Iterable[Pause] = ()) -> date | None:
    """The day on which the ``rule.days``-th countable day after ``start`` falls.

    A day counts unless a pause covers it (and, for working days, unless it is a weekend or a
    Belgian public holiday). While a pause is still running the deadline is unknown: None.
    """
    pauses = list(pauses)
    if any(p.end is None for p in pauses):
        return None
    counted, day = 0, start
    for _ in range(MAX_SPAN_DAYS):
        day += timedelta(days=1)
        if any(p.covers(day) for p in pauses):
            continue
        if rule.working_days and not is_working_day(day):
            continue
        counted += 1
        if counted == rule.days:
            return day
    raise ValueError(f"No deadline within {MAX_SPAN_DAYS} days of {start} for {rule}.")
