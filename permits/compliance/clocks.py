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


def regional_closures(year: int) -> frozenset[date]:
    """The Brussels regional administration's own closures in ``year`` (setting
    ``REGIONAL_CLOSURE_DAYS``), an overlay on the national holidays."""
    days = set()
    for month_day in settings.REGIONAL_CLOSURE_DAYS:
        month, day = (int(part) for part in str(month_day).split("-"))
        days.add(date(year, month, day))
    return frozenset(days)


def is_regional_closure(day: date) -> bool:
    return day in regional_closures(day.year)


def is_working_day(day: date, *, skip_closures: bool | None = None) -> bool:
    """A weekday that is no Belgian public holiday — and, when ``skip_closures`` (by default the
    setting ``STATUTORY_CLOCKS_SKIP_REGIONAL_CLOSURES``), no regional closure either."""
    if skip_closures is None:
        skip_closures = settings.STATUTORY_CLOCKS_SKIP_REGIONAL_CLOSURES
    if day.weekday() >= 5 or day in _belgian_holidays(day.year):
        return False
    return not (skip_closures and is_regional_closure(day))


def deadline(start: date, rule: DeadlineRule, pauses: Iterable[Pause] = ()) -> date | None:
    """The day on which the ``rule.days``-th countable day after ``start`` falls.

    A day counts unless a pause covers it (and, for working days, unless it is a weekend, a
    Belgian public holiday or — if the setting says so — a Brussels regional closure). While a
    pause is still running the deadline is unknown: None.
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
