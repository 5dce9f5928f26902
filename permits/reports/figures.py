"""The figures of the annual reports, as plain data: the EU's annual report on arms exports
(COARM layout), the dual-use report (Regulation (EU) 2021/821, Art. 26) and the summary for
the Brussels Parliament (ordinance of 20 June 2013, art. 45).

Definitions (the README's "Annual reports" and each report's notes say the same):

- The year is a calendar year in Brussels time, of the decision's date (``Decision.decided_at``).
- A licence issued is a grant decided in the year; its value is the sum of the authorised
  values of its licence lines (the granted lines, at the granted quantity and value), each
  converted to euro at the rate recorded (``ExchangeRate``) for the day of the decision — the
  latest rate valid on that day. A line in a currency without a recorded rate is left out of
  the value and counted in ``lines_without_rate``, never guessed. An amendment or renewal is
  a licence of its own, counted in the year it is issued.
- A refusal is counted per file and per category: a refused file counts one refusal in each
  category of its goods lines; a partial grant (``Decision.partial``) counts as a licence in the
  categories of its granted lines (at their value) **and** as a refusal in the categories of its
  refused lines. A line granted with a reduced quantity or value counts as granted, at its
  granted value; a reduction is no refusal.
- A criterion is "cited" once per refusal so counted: the criteria of the refused lines of that
  category (a refused file's lines carry the criteria of the worksheet). A refusal citing
  criteria 2 and 7 adds one to e2 and one to e7.
- The COARM and dual-use reports cover files whose goods leave Belgium (``OUTGOING_KINDS``:
  export, transit, transfer); imports are in the Parliament's summary only.
- Decision time: calendar days from submission to decision (Brussels dates). "Late" compares the
  decision date with the statutory deadline stored on the file (``decision_due_on``), which
  counts from the complete file and leaves out paused time.

Licence lines are aggregated in the database (grouped by destination and category); refused
lines exist only in the decision's record (``Decision.lines``, JSON), so refusals are read from
the refusing decisions of the year alone, one row each. Percentiles are computed from one row
per decision (SQLite, which ``make run`` uses, has no percentile function).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Left, StrIndex, Substr, TruncDate

from workflow.models import TransitionRecord

from ..compliance.clocks import rule_for
from ..compliance.criteria import CRITERIA, DUAL_USE, MILITARY
from ..models import Decision, ExchangeRate, GoodsItem, LicenceLine, LineOutcome, Regime

BRUSSELS = ZoneInfo("Europe/Brussels")
OUTGOING_KINDS = ("export", "transit", "transfer")
CATCH_ALL = ""  # the dual-use "category" of items on no list (catch-all)
MILITARY_CRITERIA = tuple(CRITERIA[MILITARY])
DUAL_USE_GROUNDS = tuple(CRITERIA[DUAL_USE])
REGIONS = ("eu", "europe", "africa", "americas", "asia", "middle_east", "oceania", "other")
REGIONS_FILE = Path(__file__).resolve().parent.parent / "data" / "regions.yaml"
CENT = Decimal("0.01")

Progress = Callable[[str], None]


def quiet(message: str) -> None:
    """No progress reporting."""


# --- Definitions shared by the three reports --------------------------------------------------


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The Brussels calendar year, as the aware instants [start, end)."""
    return datetime(year, 1, 1, tzinfo=BRUSSELS), datetime(year + 1, 1, 1, tzinfo=BRUSSELS)


def ml_category(entry: str) -> str:
    """``ML10.a.1`` → ``ML10``: the Military List category, the code before the first dot."""
    return (entry or "").split(".")[0]


def annex_category(entry: str) -> str:
    """``5A002.a`` → ``5``: the Annex I category digit; "" for an item on no list."""
    return (entry or "")[:1]


def category_sort_key(category: str) -> tuple[int, str]:
    digits = "".join(ch for ch in category if ch.isdigit())
    return (int(digits) if digits else 999, category)


@lru_cache(maxsize=1)
def _region_table() -> dict[str, str]:
    with REGIONS_FILE.open(encoding="utf-8") as handle:
        return {str(code): str(region) for code, region in yaml.safe_load(handle).items()}


def region_of(country: str) -> str:
    """The report region of an ISO 3166 code (``permits/data/regions.yaml``); "other" if none."""
    return _region_table().get(country, "other")


def _decided_in(year: int, prefix: str = "") -> Q:
    start, end = year_bounds(year)
    return Q(**{f"{prefix}decided_at__gte": start, f"{prefix}decided_at__lt": end})


def _eur(amount: str, currency: str, day: str) -> Case:
    """``amount`` of ``currency`` in euro at the latest rate recorded on or before ``day`` (the
    names are fields or annotations of the outer query); NULL when no rate is recorded."""
    rate = (
        ExchangeRate.objects.filter(currency=OuterRef(currency), valid_on__lte=OuterRef(day))
        .order_by("-valid_on")
        .values("rate_to_eur")[:1]
    )
    output = DecimalField(max_digits=30, decimal_places=10)
    return Case(
        When(**{currency: "EUR"}, then=ExpressionWrapper(F(amount), output_field=output)),
        default=ExpressionWrapper(F(amount) * Subquery(rate), output_field=output),
        output_field=output,
    )


def _licence_lines(year: int, regime: str, kinds: Iterable[str] | None) -> QuerySet[LicenceLine]:
    """The granted lines of the licences decided in ``year``, each with its destination, its
    decision day and its value in euro (``eur``; NULL without a rate)."""
    app = "licence__application__"
    lines = LicenceLine.objects.filter(_decided_in(year, f"{app}decision__"))
    if regime:
        lines = lines.filter(**{f"{app}regime": regime})
    if kinds is not None:
        lines = lines.filter(**{f"{app}kind__in": list(kinds)})
    return lines.annotate(
        country=F(f"{app}country_of_destination"),
        decided_on=TruncDate(f"{app}decision__decided_at", tzinfo=BRUSSELS),
        line_currency=F("goods_item__currency"),
    ).annotate(eur=_eur("authorised_value", "line_currency", "decided_on"))


def _with_ml_category(lines: QuerySet) -> QuerySet:
    return lines.annotate(dot=StrIndex("control_entry", Value("."))).annotate(
        category=Case(
            When(dot=0, then=F("control_entry")),
            default=Substr("control_entry", 1, F("dot") - 1),
        )
    )


def _eur_total(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


@dataclass(frozen=True)
class RefusedLine:
    decision_id: int
    reference: str
    country: str
    kind: str
    regime: str
    licence_type: str
    decided_at: datetime
    partial: bool
    goods_item: int | None
    control_entry: str
    requested_value: Decimal
    criteria: tuple[str, ...]


def _refused_lines(year: int, regime: str | None, kinds: Iterable[str] | None) -> list[RefusedLine]:
    """Every refused goods line of the decisions of ``year``: refused files and the refused
    lines of partial grants, read from the decisions' own record."""
    decisions = Decision.objects.filter(_decided_in(year)).filter(
        Q(outcome=Decision.Outcome.REFUSED) | Q(partial=True)
    )
    if regime:
        decisions = decisions.filter(application__regime=regime)
    if kinds is not None:
        decisions = decisions.filter(application__kind__in=list(kinds))
    rows = decisions.order_by("decided_at", "id").values_list(
        "id",
        "application__reference",
        "application__country_of_destination",
        "application__kind",
        "application__regime",
        "application__licence_type",
        "decided_at",
        "partial",
        "lines",
        "criteria",
    )
    result = []
    for pk, reference, country, kind, regime_, licence_type, at, partial, lines, cited in rows:
        refused = [line for line in lines or [] if line.get("outcome") == LineOutcome.REFUSE]
        if not refused:  # a refusal recorded before decisions per line: the file as a whole
            refused = [{"control_entry": "", "criteria": cited or []}]
        for line in refused:
            result.append(
                RefusedLine(
                    decision_id=pk,
                    reference=reference or "",
                    country=country or "",
                    kind=kind,
                    regime=regime_,
                    licence_type=licence_type,
                    decided_at=at,
                    partial=partial,
                    goods_item=line.get("goods_item"),
                    control_entry=line.get("control_entry") or "",
                    requested_value=Decimal(line.get("requested_value") or "0"),
                    criteria=tuple(str(code) for code in line.get("criteria") or ()),
                )
            )
    return result


def _refused_eur(lines: list[RefusedLine]) -> tuple[dict[int, Decimal | None], int]:
    """The requested value of each refused line in euro, keyed by its position; the
    currencies come from the goods lines, the rate from the day of the decision."""
    currencies = dict(
        GoodsItem.objects.filter(
            pk__in={line.goods_item for line in lines if line.goods_item}
        ).values_list("pk", "currency")
    )
    rates: dict[tuple[str, date], Decimal | None] = {}
    values: dict[int, Decimal | None] = {}
    missing = 0
    for index, line in enumerate(lines):
        currency = currencies.get(line.goods_item, "EUR")
        day = line.decided_at.astimezone(BRUSSELS).date()
        if currency == "EUR":
            values[index] = line.requested_value
            continue
        if (currency, day) not in rates:
            rates[(currency, day)] = (
                ExchangeRate.objects.filter(currency=currency, valid_on__lte=day)
                .order_by("-valid_on")
                .values_list("rate_to_eur", flat=True)
                .first()
            )
        rate = rates[(currency, day)]
        values[index] = None if rate is None else line.requested_value * rate
        missing += rate is None
    return values, missing


# --- Report data -------------------------------------------------------------------------------


@dataclass
class CoarmRow:
    country: str  # ISO 3166 code; "" for a file without destination
    category: str  # "ML10"; "" on a country's total row
    licences: int = 0
    value: Decimal = Decimal("0.00")
    refusals: int = 0
    criteria: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MILITARY_CRITERIA, 0))


@dataclass
class CoarmReport:
    year: int
    rows: list[CoarmRow]  # per country and category, by country then category
    country_totals: dict[str, CoarmRow]
    total: CoarmRow
    lines_without_rate: int


def coarm_report(*, year: int, progress: Progress = quiet) -> CoarmReport:
    """The EU annual report's table for military goods: per destination and ML category,
    (a) licences issued, (b) their value in euro, (d) refusals, (e1–e8) criteria cited."""
    progress("licences")
    lines = _with_ml_category(_licence_lines(year, Regime.MILITARY, OUTGOING_KINDS))
    cells: dict[tuple[str, str], CoarmRow] = {}

    def cell(country: str, category: str) -> CoarmRow:
        return cells.setdefault((country, category), CoarmRow(country, category))

    for row in lines.values("country", "category").annotate(
        licences=Count("licence", distinct=True), value=Sum("eur")
    ):
        target = cell(row["country"] or "", row["category"])
        target.licences, target.value = row["licences"], _eur_total(row["value"])
    without_rate = lines.filter(eur__isnull=True).count()
    country_rows: dict[str, CoarmRow] = {}
    for row in lines.values("country").annotate(
        licences=Count("licence", distinct=True), value=Sum("eur")
    ):
        country = row["country"] or ""
        country_rows[country] = CoarmRow(country, "", row["licences"], _eur_total(row["value"]))
    total = CoarmRow("", "")
    totals_row = lines.aggregate(licences=Count("licence", distinct=True), value=Sum("eur"))
    total.licences, total.value = totals_row["licences"], _eur_total(totals_row["value"])

    progress("refusals")
    # One refusal per decision and category; its criteria: those of its refused lines there.
    refusals: dict[tuple[int, str, str], set[str]] = defaultdict(set)
    per_decision: dict[tuple[int, str], set[str]] = defaultdict(set)
    for line in _refused_lines(year, Regime.MILITARY, OUTGOING_KINDS):
        key = (line.decision_id, line.country, ml_category(line.control_entry))
        refusals[key].update(line.criteria)
        per_decision[(line.decision_id, line.country)].update(line.criteria)
    for (_, country, category), cited in refusals.items():
        target = cell(country, category)
        target.refusals += 1
        for code in cited & set(MILITARY_CRITERIA):
            target.criteria[code] += 1
    # A country's (and the year's) totals count each refusing decision once.
    for (_, country), cited in per_decision.items():
        for target in (country_rows.setdefault(country, CoarmRow(country, "")), total):
            target.refusals += 1
            for code in cited & set(MILITARY_CRITERIA):
                target.criteria[code] += 1
    rows = sorted(cells.values(), key=lambda r: (r.country, category_sort_key(r.category)))
    return CoarmReport(
        year=year,
        rows=rows,
        country_totals=country_rows,
        total=total,
        lines_without_rate=without_rate,
    )


@dataclass
class DualUseRow:
    category: str  # "0"…"9"; "" for items on no list (catch-all)
    country: str
    licences: dict[str, int] = field(default_factory=lambda: {"individual": 0, "global": 0})
    values: dict[str, Decimal] = field(
        default_factory=lambda: {"individual": Decimal("0.00"), "global": Decimal("0.00")}
    )
    refusals: dict[str, int] = field(default_factory=lambda: {"individual": 0, "global": 0})
    refused_value: Decimal = Decimal("0.00")
    grounds: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DUAL_USE_GROUNDS, 0))


@dataclass(frozen=True)
class DualUseRefusal:
    reference: str
    country: str
    decided_at: datetime
    licence_type: str
    partial: bool
    entries: tuple[str, ...]
    grounds: tuple[str, ...]


@dataclass
class DualUseReport:
    year: int
    rows: list[DualUseRow]
    refusals: list[DualUseRefusal]
    total: DualUseRow
    lines_without_rate: int


def dual_use_report(*, year: int, progress: Progress = quiet) -> DualUseReport:
    """Per Annex I category and destination: licences and refusals by licence type, values in
    euro, and the grounds (considerations of Reg. 2021/821) the refusals cite."""
    progress("licences")
    lines = _licence_lines(year, Regime.DUAL_USE, OUTGOING_KINDS).annotate(
        category=Left("control_entry", 1),
        licence_type_=F("licence__licence_type"),
    )
    cells: dict[tuple[str, str], DualUseRow] = {}
    total = DualUseRow("", "")

    def cell(category: str, country: str) -> DualUseRow:
        return cells.setdefault((category, country), DualUseRow(category, country))

    for row in lines.values("category", "country", "licence_type_").annotate(
        licences=Count("licence", distinct=True), value=Sum("eur")
    ):
        target = cell(row["category"] or CATCH_ALL, row["country"] or "")
        kind = row["licence_type_"]
        target.licences[kind] = target.licences.get(kind, 0) + row["licences"]
        target.values[kind] = target.values.get(kind, Decimal("0.00")) + _eur_total(row["value"])
    for row in lines.values("licence_type_").annotate(
        licences=Count("licence", distinct=True), value=Sum("eur")
    ):
        kind = row["licence_type_"]
        total.licences[kind] = row["licences"]
        total.values[kind] = _eur_total(row["value"])
    without_rate = lines.filter(eur__isnull=True).count()

    progress("refusals")
    refused = _refused_lines(year, Regime.DUAL_USE, OUTGOING_KINDS)
    values, missing = _refused_eur(refused)
    by_cell: dict[tuple[int, str, str], set[str]] = defaultdict(set)
    by_decision: dict[int, list[RefusedLine]] = defaultdict(list)
    for index, line in enumerate(refused):
        category = annex_category(line.control_entry)
        by_cell[(line.decision_id, category, line.country)].update(line.criteria)
        by_decision[line.decision_id].append(line)
        target = cell(category, line.country)
        if values[index] is not None:
            target.refused_value += values[index]
            total.refused_value += values[index]
    types = {line.decision_id: line.licence_type for line in refused}
    for (decision_id, category, country), cited in by_cell.items():
        target = cell(category, country)
        kind = types[decision_id]
        target.refusals[kind] = target.refusals.get(kind, 0) + 1
        for code in cited & set(DUAL_USE_GROUNDS):
            target.grounds[code] += 1
    listed = []
    for decision_lines in by_decision.values():
        first = decision_lines[0]
        kind = first.licence_type
        total.refusals[kind] = total.refusals.get(kind, 0) + 1
        grounds = sorted({code for line in decision_lines for code in line.criteria})
        for code in set(grounds) & set(DUAL_USE_GROUNDS):
            total.grounds[code] += 1
        listed.append(
            DualUseRefusal(
                reference=first.reference,
                country=first.country,
                decided_at=first.decided_at,
                licence_type=kind,
                partial=first.partial,
                entries=tuple(line.control_entry for line in decision_lines),
                grounds=tuple(grounds),
            )
        )
    for row in cells.values():
        row.refused_value = row.refused_value.quantize(CENT)
    total.refused_value = total.refused_value.quantize(CENT)
    rows = sorted(cells.values(), key=lambda r: (r.category == CATCH_ALL, r.category, r.country))
    return DualUseReport(
        year=year,
        rows=rows,
        refusals=listed,
        total=total,
        lines_without_rate=without_rate + missing,
    )


@dataclass
class ParliamentRow:
    kind: str
    regime: str
    region: str
    licences: int = 0
    partial: int = 0
    value: Decimal = Decimal("0.00")
    refusals: int = 0


@dataclass
class TimingRow:
    kind: str
    regime: str
    statutory_days: int
    working_days: bool
    decided: int
    average_days: Decimal
    p90_days: Decimal
    late: int


@dataclass
class ParliamentReport:
    year: int
    rows: list[ParliamentRow]
    criteria: dict[str, dict[str, int]]  # regime → criterion code → refusals citing it
    licence_events: dict[str, dict[str, int]]  # regime → {"revoked": n, "suspended": n}
    timing: list[TimingRow]
    total: ParliamentRow
    lines_without_rate: int


def percentile_90(values: list[int]) -> Decimal:
    """The 90th percentile, interpolated between the closest ranks (``statistics.quantiles``,
    inclusive method: the value 90 % of the way from the smallest to the largest rank)."""
    if not values:
        return Decimal("0")
    if len(values) == 1:
        return Decimal(values[0]).quantize(Decimal("0.1"))
    q = statistics.quantiles(sorted(values), n=10, method="inclusive")[-1]
    return Decimal(str(q)).quantize(Decimal("0.1"))


def parliament_report(*, year: int, progress: Progress = quiet) -> ParliamentReport:
    """Counts and values per kind, regime and destination region; refusals with the criteria
    they cite; revocations and suspensions; decision times against the statutory deadline."""
    progress("licences")
    cells: dict[tuple[str, str, str], ParliamentRow] = {}
    total = ParliamentRow("", "", "")

    def cell(kind: str, regime: str, country: str) -> ParliamentRow:
        key = (kind, regime, region_of(country or ""))
        return cells.setdefault(key, ParliamentRow(*key))

    lines = _licence_lines(year, "", None).annotate(
        kind=F("licence__application__kind"), regime=F("licence__application__regime")
    )
    for row in lines.values("kind", "regime", "country").annotate(value=Sum("eur")):
        cell(row["kind"], row["regime"], row["country"]).value += _eur_total(row["value"])
    total.value = _eur_total(lines.aggregate(value=Sum("eur"))["value"])
    without_rate = lines.filter(eur__isnull=True).count()
    decisions = Decision.objects.filter(_decided_in(year))
    for row in decisions.values(
        "outcome",
        "partial",
        "application__kind",
        "application__regime",
        "application__country_of_destination",
    ).annotate(n=Count("pk")):
        target = cell(
            row["application__kind"],
            row["application__regime"],
            row["application__country_of_destination"],
        )
        if row["outcome"] == Decision.Outcome.GRANTED:
            target.licences += row["n"]
            total.licences += row["n"]
            if row["partial"]:
                target.partial += row["n"]
                total.partial += row["n"]
        else:
            target.refusals += row["n"]
            total.refusals += row["n"]

    progress("criteria")
    cited: dict[tuple[str, int], set[str]] = defaultdict(set)
    for line in _refused_lines(year, None, None):
        cited[(line.regime, line.decision_id)].update(line.criteria)
    criteria: dict[str, dict[str, int]] = {}
    for (regime, _), codes in cited.items():
        counter = criteria.setdefault(regime, {})
        for code in codes:
            counter[code] = counter.get(code, 0) + 1

    progress("revocations and suspensions")
    start, end = year_bounds(year)
    licence_events: dict[str, dict[str, int]] = {}
    names = {"revoke": "revoked", "licence_suspended": "suspended"}
    for row in (
        TransitionRecord.objects.filter(
            transition__in=list(names), created_at__gte=start, created_at__lt=end
        )
        .values("transition", "application__regime")
        .annotate(n=Count("pk"))
    ):
        counts = licence_events.setdefault(
            row["application__regime"], {"revoked": 0, "suspended": 0}
        )
        counts[names[row["transition"]]] += row["n"]

    progress("decision times")
    durations: dict[tuple[str, str], list[int]] = defaultdict(list)
    late: Counter[tuple[str, str]] = Counter()
    for kind, regime, submitted, decided, due in decisions.filter(
        application__submitted_at__isnull=False
    ).values_list(
        "application__kind",
        "application__regime",
        "application__submitted_at",
        "decided_at",
        "application__decision_due_on",
    ):
        decided_on = decided.astimezone(BRUSSELS).date()
        durations[(kind, regime)].append((decided_on - submitted.astimezone(BRUSSELS).date()).days)
        late[(kind, regime)] += bool(due and decided_on > due)
    timing = []
    for (kind, regime), days in sorted(durations.items()):
        rule = rule_for(kind, regime)
        timing.append(
            TimingRow(
                kind=kind,
                regime=regime,
                statutory_days=rule.days,
                working_days=rule.working_days,
                decided=len(days),
                average_days=(Decimal(sum(days)) / len(days)).quantize(Decimal("0.1")),
                p90_days=percentile_90(days),
                late=late[(kind, regime)],
            )
        )
    rows = sorted(cells.values(), key=lambda r: (r.kind, r.regime, REGIONS.index(r.region)))
    return ParliamentReport(
        year=year,
        rows=rows,
        criteria=criteria,
        licence_events=licence_events,
        timing=timing,
        total=total,
        lines_without_rate=without_rate,
    )


REPORTS: dict[str, Callable[..., Any]] = {
    "coarm": coarm_report,
    "dual_use": dual_use_report,
    "parliament": parliament_report,
}
