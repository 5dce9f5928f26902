"""The annual reports as CSV: a few header rows (title, when and by whom it was made, the
history chain head), then each table under its own title row.

For spreadsheets set to Belgian French or Dutch: ``;`` between fields and a decimal comma
(``1234567,50``), no thousands separator, so that a number stays a number when opened; values in
euro, the currency named in the column heading. Text cells that a spreadsheet would read as a
formula are prefixed with an apostrophe."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ..compliance.criteria import CRITERIA, DUAL_USE, MILITARY
from ..decisions.rendering import LABELS
from ..exports import neutralise
from . import texts
from .figures import CoarmReport, DualUseReport, ParliamentReport


def _cell(value: Any, language: str) -> str:
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        raw = f"{value:f}" if isinstance(value, Decimal) else str(value)
        return raw.replace(".", ",") if language in ("fr", "nl") else raw
    return neutralise("" if value is None else str(value))


def render_csv(kind: str, report: Any, *, language: str, provenance: texts.Provenance) -> bytes:
    """The report's CSV in UTF-8 with a byte-order mark (spreadsheets then read the accents)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def row(*cells: Any) -> None:
        writer.writerow([_cell(cell, language) for cell in cells])

    row(texts.report_title(kind, report.year))
    for line in texts.provenance_lines(provenance, language):
        row(line)
    for note in texts.notes(kind, report.lines_without_rate):
        row(note)
    row()
    {"coarm": _coarm, "dual_use": _dual_use, "parliament": _parliament}[kind](report, row, language)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def coarm_columns() -> list[str]:
    return [
        _("Country code"),
        _("Destination"),
        _("ML category"),
        _("Category title"),
        _("(a) Licences issued"),
        _("(b) Value of licences issued (EUR)"),
        _("(d) Refusals"),
        *[_("(e%(n)s) Criterion %(n)s cited") % {"n": code} for code in CRITERIA[MILITARY]],
    ]


def _coarm(report: CoarmReport, row, language: str) -> None:
    titles = texts.ml_category_titles(language)
    row(*coarm_columns())
    country = None
    for line in report.rows:
        if country is not None and line.country != country:
            _coarm_total(report, country, row)
        country = line.country
        row(
            line.country,
            texts.country_name(line.country),
            line.category,
            titles.get(line.category, ""),
            line.licences,
            line.value,
            line.refusals,
            *line.criteria.values(),
        )
    if country is not None:
        _coarm_total(report, country, row)
    total = report.total
    row(
        "",
        _("Total"),
        "",
        "",
        total.licences,
        total.value,
        total.refusals,
        *total.criteria.values(),
    )


def _coarm_total(report: CoarmReport, country: str, row) -> None:
    total = report.country_totals[country]
    row(
        country,
        _("Total %(country)s") % {"country": texts.country_name(country)},
        "",
        "",
        total.licences,
        total.value,
        total.refusals,
        *total.criteria.values(),
    )


def dual_use_columns(language: str) -> list[str]:
    types = LABELS["licence_type"][language]
    return [
        _("Annex I category"),
        _("Category title"),
        _("Country code"),
        _("Destination"),
        *[_("Licences issued: %(type)s") % {"type": types[t]} for t in ("individual", "global")],
        *[_("Value issued: %(type)s (EUR)") % {"type": types[t]} for t in ("individual", "global")],
        *[_("Refusals: %(type)s") % {"type": types[t]} for t in ("individual", "global")],
        _("Value refused (EUR)"),
        *[_("Ground %(code)s cited") % {"code": code} for code in CRITERIA[DUAL_USE]],
    ]


def _dual_use(report: DualUseReport, row, language: str) -> None:
    types = ("individual", "global")
    row(*dual_use_columns(language))
    for line in [*report.rows, report.total]:
        is_total = line is report.total
        row(
            "" if is_total else line.category,
            _("Total") if is_total else texts.annex_category_name(line.category),
            "" if is_total else line.country,
            "" if is_total else texts.country_name(line.country),
            *[line.licences.get(t, 0) for t in types],
            *[line.values.get(t, Decimal("0.00")) for t in types],
            *[line.refusals.get(t, 0) for t in types],
            line.refused_value,
            *line.grounds.values(),
        )
    row()
    row(_("Refusals and their grounds"))
    row(
        _("Reference"),
        _("Destination"),
        _("Decided"),
        _("Licence type"),
        _("Partial grant"),
        _("Control-list entries refused"),
        _("Grounds"),
    )
    for refusal in report.refusals:
        row(
            refusal.reference,
            texts.country_name(refusal.country),
            refusal.decided_at.astimezone(texts.BRUSSELS).date().isoformat(),
            LABELS["licence_type"][language].get(refusal.licence_type, refusal.licence_type),
            _("yes") if refusal.partial else _("no"),
            " ".join(entry or "—" for entry in refusal.entries),
            " ".join(refusal.grounds),
        )


def parliament_columns() -> list[str]:
    return [
        _("Kind"),
        _("Regime"),
        _("Region"),
        _("Licences issued"),
        _("of which partial"),
        _("Value of licences issued (EUR)"),
        _("Refusals"),
    ]


def _parliament(report: ParliamentReport, row, language: str) -> None:
    kinds, regimes = LABELS["kind"][language], LABELS["regime"][language]
    row(*parliament_columns())
    for line in report.rows:
        row(
            kinds.get(line.kind, line.kind),
            regimes.get(line.regime, line.regime),
            texts.region_name(line.region),
            line.licences,
            line.partial,
            line.value,
            line.refusals,
        )
    total = report.total
    row(_("Total"), "", "", total.licences, total.partial, total.value, total.refusals)
    row()
    row(_("Criteria cited in refusals"))
    row(_("Regime"), _("Criterion"), _("Refusals citing it"))
    for regime, counts in sorted(report.criteria.items()):
        for code, count in sorted(counts.items()):
            row(regimes.get(regime, regime), code, count)
    row()
    row(_("Revocations and suspensions"))
    row(_("Regime"), _("Licences revoked"), _("Licences suspended"))
    for regime, counts in sorted(report.licence_events.items()):
        row(regimes.get(regime, regime), counts["revoked"], counts["suspended"])
    row()
    row(_("Decision times"))
    row(
        _("Kind"),
        _("Regime"),
        _("Decisions"),
        _("Average (days)"),
        _("90th percentile (days)"),
        _("Statutory period"),
        _("Decided late"),
    )
    for line in report.timing:
        row(
            kinds.get(line.kind, line.kind),
            regimes.get(line.regime, line.regime),
            line.decided,
            line.average_days,
            line.p90_days,
            texts.statutory_text(line.statutory_days, line.working_days),
            line.late,
        )
