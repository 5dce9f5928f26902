"""The annual reports as PDF (reportlab): a first page with the title, the provenance, the
definitions and bar charts drawn with reportlab's own graphics, then the tables. Every page's
footer says when and by whom the report was made and the history chain head it was computed
from. Fonts, escaping and page numbering are the decision documents' (``permits.decisions``)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ..compliance.criteria import CRITERIA, DUAL_USE, MILITARY
from ..compliance.criteria import title as criterion_title
from ..decisions.rendering import FONT, FONT_BOLD, LABELS, _register_fonts, a4_pdf, text
from ..decisions.texts import texts_for
from ..money import format_day
from . import texts
from .figures import REGIONS, CoarmReport, DualUseReport, ParliamentReport, category_sort_key

WIDTH = A4[0] - 36 * mm
FOOTER_SIZE = 6
BLUE, RED, GREY = colors.HexColor("#1f4e8c"), colors.HexColor("#b23a3a"), colors.HexColor("#ccd")

STYLES = {
    "body": ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=7.5, leading=9.5),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=7, leading=8.5),
    "num": ParagraphStyle("num", fontName=FONT, fontSize=7, leading=8.5, alignment=TA_RIGHT),
    "th": ParagraphStyle("th", fontName=FONT_BOLD, fontSize=6.5, leading=8),
    "h1": ParagraphStyle("h1", fontName=FONT_BOLD, fontSize=15, leading=19, spaceAfter=4),
    "h2": ParagraphStyle(
        "h2", fontName=FONT_BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4
    ),
}


def p(markup: str, style: str = "body") -> Paragraph:
    return Paragraph(markup, STYLES[style])


def _table(
    header: list[str],
    rows: list[list[Any]],
    widths: list[float],
    totals: set[int],
    numbers_from: int = 99,
    group_header: list[tuple[str, int, int]] = (),
):
    """A table with a repeated header row; ``totals`` are the indexes of rows shaded, columns
    from ``numbers_from`` on are figures (right-aligned). ``group_header`` adds a first header
    row of (title, first column, last column) spans above the columns' own headings."""
    heads = 2 if group_header else 1
    data = []
    spans = []
    if group_header:
        top = [""] * len(header)
        for title, first, last in group_header:
            top[first] = p(text(title), "th")
            spans.append(("SPAN", (first, 0), (last, 0)))
        data.append(top)
    data.append([p(text(h), "th") for h in header])
    for row in rows:
        data.append(
            [
                p(text(c), "num" if i >= numbers_from else "cell") if isinstance(c, str) else c
                for i, c in enumerate(row)
            ]
        )
    table = Table(data, colWidths=widths, repeatRows=heads)
    style = [
        *spans,
        ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#99a")),
        ("BACKGROUND", (0, 0), (-1, heads - 1), colors.HexColor("#e6e9f2")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    for index in totals:
        row = index + heads
        style.append(("BACKGROUND", (0, row), (-1, row), colors.HexColor("#f2f2f2")))
    table.setStyle(TableStyle(style))
    return table


def _bold(value: str, style: str = "num") -> Paragraph:
    return p(f"<b>{text(value)}</b>", style)


def _vertical_chart(
    title: str, categories: list[str], series: list[tuple[str, list[float], Any]]
) -> Drawing:
    """Grouped vertical bars, one group per category and one bar per series, with a legend."""
    drawing = Drawing(WIDTH, 62 * mm)
    drawing.add(String(0, 58 * mm, title, fontName=FONT_BOLD, fontSize=9))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 12 * mm, WIDTH - 50 * mm, 40 * mm
    chart.data = [values or [0] for _name, values, _colour in series] if categories else [[0]]
    chart.categoryAxis.categoryNames = categories or ["—"]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 30 if len(categories) > 8 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(categories) > 8 else "n"
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 6.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = 1
    top = max([max(values or [0]) for _name, values, _colour in series] + [1])
    chart.valueAxis.valueMax = top * 1.15 if top > 4 else 5
    chart.valueAxis.valueStep = max(1, round(chart.valueAxis.valueMax / 5))
    for index, (_name, _values, colour) in enumerate(series):
        chart.bars[index].fillColor = colour
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = WIDTH - 34 * mm, 40 * mm
    legend.fontName, legend.fontSize = FONT, 7
    legend.colorNamePairs = [(colour, name) for name, _values, colour in series]
    drawing.add(legend)
    return drawing


def _horizontal_chart(title: str, names: list[str], values: list[float], note: str) -> Drawing:
    """One horizontal bar per name (value in thousands of euro), largest first."""
    height = max(30, 8 * len(names) + 18) * mm / 1.6
    drawing = Drawing(WIDTH, height + 12 * mm)
    drawing.add(String(0, height + 8 * mm, title, fontName=FONT_BOLD, fontSize=9))
    drawing.add(String(0, height + 3 * mm, note, fontName=FONT, fontSize=7))
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 45 * mm, 6 * mm, WIDTH - 55 * mm, height - 8 * mm
    chart.data = [list(reversed(values)) or [0]]
    chart.categoryAxis.categoryNames = list(reversed(names)) or ["—"]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 6.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = 1
    chart.bars[0].fillColor = BLUE
    drawing.add(chart)
    return drawing


def render_pdf(kind: str, report: Any, *, language: str, provenance: texts.Provenance) -> bytes:
    """The report's PDF. Same figures, provenance and language: same bytes (invariant mode)."""
    _register_fonts()
    story = [
        p(text(texts.report_title(kind, report.year)), "h1"),
        p(text(_("Brussels International — Permits unit")), "body"),
        Spacer(1, 2 * mm),
        *[p(text(line), "small") for line in texts.provenance_lines(provenance, language)],
        Spacer(1, 3 * mm),
        p(text(_("Definitions")), "h2"),
        *[p(text(note), "small") for note in texts.notes(kind, report.lines_without_rate)],
        Spacer(1, 3 * mm),
    ]
    story += {"coarm": _coarm, "dual_use": _dual_use, "parliament": _parliament}[kind](
        report, language
    )
    footer = texts.provenance_lines(provenance, language)

    # The chain head's label is long (two SHA-256 digests): the footer wraps, never truncates.
    footer_lines = [
        piece for line in footer for piece in simpleSplit(line, FONT, FOOTER_SIZE, WIDTH - 25 * mm)
    ]

    def on_page(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(FONT, FOOTER_SIZE)
        for offset, line in enumerate(footer_lines):
            canvas.drawString(18 * mm, (14 - 2.6 * offset) * mm, line)
        canvas.restoreState()

    return a4_pdf(
        story,
        title=texts.report_title(kind, report.year),
        author=_("Brussels International — Permits unit"),
        subject=provenance.chain_head,
        language=language,
        page_label=texts_for(language)["page"],
        bottom_margin=20 * mm,
        on_page=on_page,
    )


def _money(value: Decimal, language: str) -> str:
    return texts.money(value, language)


def _n(value: int, language: str) -> str:
    return texts.number(value, language)


def _coarm(report: CoarmReport, language: str) -> list:
    titles = texts.ml_category_titles(language)
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in report.rows:
        by_category[row.category][0] += row.licences
        by_category[row.category][1] += row.refusals
    categories = sorted(by_category, key=category_sort_key)
    top = sorted(report.country_totals.values(), key=lambda r: r.value, reverse=True)[:12]
    story: list = [
        _vertical_chart(
            _("Licences issued and refusals per ML category"),
            categories,
            [
                (_("Licences issued"), [by_category[c][0] for c in categories], BLUE),
                (_("Refusals"), [by_category[c][1] for c in categories], RED),
            ],
        ),
        _horizontal_chart(
            _("Value of licences issued per destination"),
            [texts.country_name(r.country) for r in top],
            [float(r.value / 1000) for r in top],
            _("thousands of euro"),
        ),
        PageBreak(),
        p(text(_("Licences and refusals per destination and ML category")), "h2"),
    ]
    criteria = list(CRITERIA[MILITARY])
    header = [
        _("Destination"),
        _("ML category"),
        _("(a) Licences"),
        _("(b) Value (EUR)"),
        _("(d) Refusals"),
        *[f"e{code}" for code in criteria],
    ]
    rows, totals = [], set()
    countries = sorted({r.country for r in report.rows}, key=texts.country_name)
    by_country = defaultdict(list)
    for row in report.rows:
        by_country[row.country].append(row)
    for country in countries:
        for row in by_country[country]:
            rows.append(
                [
                    texts.country_name(country),
                    row.category,
                    _n(row.licences, language),
                    _money(row.value, language),
                    _n(row.refusals, language),
                    *[_n(row.criteria[c], language) for c in criteria],
                ]
            )
        total = report.country_totals[country]
        totals.add(len(rows))
        rows.append(
            [
                _bold(_("Total %(country)s") % {"country": texts.country_name(country)}, "cell"),
                "",
                _bold(_n(total.licences, language)),
                _bold(_money(total.value, language)),
                _bold(_n(total.refusals, language)),
                *[_bold(_n(total.criteria[c], language)) for c in criteria],
            ]
        )
    total = report.total
    totals.add(len(rows))
    rows.append(
        [
            _bold(_("Total"), "cell"),
            "",
            _bold(_n(total.licences, language)),
            _bold(_money(total.value, language)),
            _bold(_n(total.refusals, language)),
            *[_bold(_n(total.criteria[c], language)) for c in criteria],
        ]
    )
    widths = [34 * mm, 16 * mm, 14 * mm, 30 * mm, 14 * mm] + [66 * mm / 8] * 8
    story.append(_table(header, rows, widths, totals, numbers_from=2))
    story.append(p(text(_("ML categories")), "h2"))
    legend = [[c, titles.get(c, "")] for c in categories]
    if legend:
        story.append(
            _table(
                [_("ML category"), _("Category title")], legend, [20 * mm, WIDTH - 20 * mm], set()
            )
        )
    story.append(p(text(_("Criteria of Common Position 2008/944/CFSP")), "h2"))
    story.append(
        _table(
            [_("Criterion"), _("Title")],
            [[f"e{c}", str(CRITERIA[MILITARY][c])] for c in criteria],
            [20 * mm, WIDTH - 20 * mm],
            set(),
        )
    )
    return story


def _dual_use(report: DualUseReport, language: str) -> list:
    types = ("individual", "global")
    type_names = LABELS["licence_type"][language]
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in report.rows:
        by_category[row.category][0] += sum(row.licences.values())
        by_category[row.category][1] += sum(row.refusals.values())
    categories = sorted(by_category, key=lambda c: (c == "", c))
    names = [c or _("none") for c in categories]
    story: list = [
        _vertical_chart(
            _("Licences issued and refusals per Annex I category"),
            names,
            [
                (_("Licences issued"), [by_category[c][0] for c in categories], BLUE),
                (_("Refusals"), [by_category[c][1] for c in categories], RED),
            ],
        ),
        p(text(_("Annex I categories")), "h2"),
        _table(
            [_("Annex I category"), _("Category title")],
            [[c or "—", texts.annex_category_name(c)] for c in [*map(str, range(10)), ""]],
            [24 * mm, WIDTH - 24 * mm],
            set(),
        ),
        PageBreak(),
        p(text(_("Licences and refusals per Annex I category and destination")), "h2"),
    ]
    header = [
        _("Category"),
        _("Destination"),
        *[type_names[t] for t in types] * 3,
        _("Value refused (EUR)"),
        *list(CRITERIA[DUAL_USE]),
    ]
    groups = [
        (_("Licences issued"), 2, 3),
        (_("Value (EUR)"), 4, 5),
        (_("Refusals"), 6, 7),
        (_("Grounds"), 9, 12),
    ]
    rows = []
    for row in [*report.rows, report.total]:
        is_total = row is report.total
        cells = (
            [_n(row.licences.get(t, 0), language) for t in types]
            + [_money(row.values.get(t, Decimal(0)), language) for t in types]
            + [_n(row.refusals.get(t, 0), language) for t in types]
            + [_money(row.refused_value, language)]
            + [_n(v, language) for v in row.grounds.values()]
        )
        if is_total:
            rows.append([_bold(_("Total"), "cell"), "", *[_bold(c) for c in cells]])
        else:
            rows.append([row.category or "—", texts.country_name(row.country), *cells])
    widths = [10, 22, 13, 13, 20, 20, 13, 13, 22] + [7] * 4  # 174 mm: the frame's width
    story.append(
        _table(
            header,
            rows,
            [w * mm for w in widths],
            {len(rows) - 1},
            numbers_from=2,
            group_header=groups,
        )
    )
    story.append(p(text(_("Refusals and their grounds")), "h2"))
    refusal_rows = [
        [
            r.reference,
            texts.country_name(r.country),
            format_day(r.decided_at.astimezone(texts.BRUSSELS).date(), language),
            type_names.get(r.licence_type, r.licence_type),
            _("partial grant") if r.partial else _("refused"),
            " ".join(e or "—" for e in r.entries),
            ", ".join(f"{g} {CRITERIA[DUAL_USE].get(g, '')}" for g in r.grounds),
        ]
        for r in report.refusals
    ]
    if refusal_rows:
        story.append(
            _table(
                [
                    _("Reference"),
                    _("Destination"),
                    _("Decided"),
                    _("Licence type"),
                    _("Decision"),
                    _("Entries refused"),
                    _("Grounds"),
                ],
                refusal_rows,
                [30 * mm, 22 * mm, 18 * mm, 16 * mm, 16 * mm, 22 * mm, WIDTH - 124 * mm],
                set(),
            )
        )
    else:
        story.append(p(text(_("No refusal in the year.")), "small"))
    return story


def _parliament(report: ParliamentReport, language: str) -> list:
    kinds, regimes = LABELS["kind"][language], LABELS["regime"][language]
    per_region: dict[str, list[int]] = {region: [0, 0] for region in REGIONS}
    value_per_regime: dict[str, Decimal] = defaultdict(Decimal)
    for row in report.rows:
        per_region[row.region][0] += row.licences
        per_region[row.region][1] += row.refusals
        value_per_regime[row.regime] += row.value
    shown = [r for r in REGIONS if any(per_region[r])] or ["eu"]
    ordered = sorted(value_per_regime.items(), key=lambda item: item[1], reverse=True)
    story: list = [
        _vertical_chart(
            _("Licences issued and refusals per destination region"),
            [texts.region_name(r) for r in shown],
            [
                (_("Licences issued"), [per_region[r][0] for r in shown], BLUE),
                (_("Refusals"), [per_region[r][1] for r in shown], RED),
            ],
        ),
        _horizontal_chart(
            _("Value of licences issued per regime"),
            [regimes.get(r, r) for r, _v in ordered],
            [float(v / 1000) for _r, v in ordered],
            _("thousands of euro"),
        ),
        PageBreak(),
        p(text(_("Licences and refusals per kind, regime and destination region")), "h2"),
    ]
    rows = [
        [
            kinds.get(r.kind, r.kind),
            regimes.get(r.regime, r.regime),
            texts.region_name(r.region),
            _n(r.licences, language),
            _n(r.partial, language),
            _money(r.value, language),
            _n(r.refusals, language),
        ]
        for r in report.rows
    ]
    t = report.total
    rows.append(
        [
            _bold(_("Total"), "cell"),
            "",
            "",
            _bold(_n(t.licences, language)),
            _bold(_n(t.partial, language)),
            _bold(_money(t.value, language)),
            _bold(_n(t.refusals, language)),
        ]
    )
    story.append(
        _table(
            [
                _("Kind"),
                _("Regime"),
                _("Region"),
                _("Licences issued"),
                _("of which partial"),
                _("Value (EUR)"),
                _("Refusals"),
            ],
            rows,
            [22 * mm, 34 * mm, 26 * mm, 22 * mm, 20 * mm, 30 * mm, 20 * mm],
            {len(rows) - 1},
            numbers_from=3,
        )
    )
    story.append(p(text(_("Criteria cited in refusals")), "h2"))
    criteria_rows = [
        [regimes.get(regime, regime), code, criterion_title(code), _n(count, language)]
        for regime, counts in sorted(report.criteria.items())
        for code, count in sorted(counts.items())
    ]
    if criteria_rows:
        story.append(
            _table(
                [_("Regime"), _("Criterion"), _("Title"), _("Refusals citing it")],
                criteria_rows,
                [32 * mm, 16 * mm, WIDTH - 70 * mm, 22 * mm],
                set(),
                numbers_from=3,
            )
        )
    else:
        story.append(p(text(_("No refusal in the year.")), "small"))
    story.append(p(text(_("Revocations and suspensions")), "h2"))
    event_rows = [
        [regimes.get(regime, regime), _n(c["revoked"], language), _n(c["suspended"], language)]
        for regime, c in sorted(report.licence_events.items())
    ]
    if event_rows:
        story.append(
            _table(
                [_("Regime"), _("Licences revoked"), _("Licences suspended")],
                event_rows,
                [60 * mm, 40 * mm, 40 * mm],
                set(),
                numbers_from=1,
            )
        )
    else:
        story.append(p(text(_("No licence was revoked or suspended in the year.")), "small"))
    timing_rows = [
        [
            kinds.get(r.kind, r.kind),
            regimes.get(r.regime, r.regime),
            _n(r.decided, language),
            texts.days(r.average_days, language),
            texts.days(r.p90_days, language),
            texts.statutory_text(r.statutory_days, r.working_days),
            _n(r.late, language),
        ]
        for r in report.timing
    ]
    block = [p(text(_("Decision times")), "h2")]
    if timing_rows:
        block.append(
            _table(
                [
                    _("Kind"),
                    _("Regime"),
                    _("Decisions"),
                    _("Average (days)"),
                    _("90th percentile (days)"),
                    _("Statutory period"),
                    _("Decided late"),
                ],
                timing_rows,
                [24 * mm, 32 * mm, 18 * mm, 20 * mm, 22 * mm, 34 * mm, 20 * mm],
                set(),
                numbers_from=2,
            )
        )
    else:
        block.append(p(text(_("No decision in the year.")), "small"))
    story.append(KeepTogether(block))
    return story
