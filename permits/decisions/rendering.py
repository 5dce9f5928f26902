"""Decision documents (licence or refusal letter) rendered with reportlab.

Two steps, so that the same bytes can be produced again years later: the decision becomes its
*render inputs* (``decision_render_inputs``: every text, number and table cell the letter
prints, already escaped, translated and formatted, as canonical JSON), and the inputs become
the PDF (``render_from_inputs``: the layout, which only reads them). The inputs are stored
beside the document with ``LAYOUT_VERSION``; the layout is deterministic (reportlab's invariant
mode, fixed metadata), so ``decision_rerender_compare`` re-renders from what was stored and
checks the bytes against the stored hash of the unsigned rendering.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import threading
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation
from django_countries.fields import Country
from reportlab import rl_config
from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from permits.compliance import criteria
from permits.models import Decision, Party, Unit
from permits.money import format_money, format_number, totals
from permits.selectors import licence_conditions, refused_lines
from workflow import chain

from .qr import qr_matrix
from .texts import LINE_TEXTS, appeal_route, box_titles, texts_for

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
BRUSSELS = ZoneInfo("Europe/Brussels")
# Bump whenever render_from_inputs (or a style, a font, a table style) changes what the same
# inputs print: a stored rendering is reproducible only by the layout version it was made with,
# so every version ever issued stays in LAYOUTS and keeps drawing what it drew.
# "1": the QR code as reportlab's widget draws it (one rectangle shape per run of dark modules,
# each with its own graphics state), streams ASCII85-encoded.
# "2": the QR code as one filled path, streams binary (Flate only): the same page, a quarter of
# the CPU and a smaller file (issue 14).
# "3": the QR code's matrix from segno (ISO 18004's mask evaluation; ``qr.qr_matrix`` makes
# segno's choice on bit rows, a fifth of reportlab's encoder's time) written as one path in
# module units, and streams compressed at zlib level 1 instead of 6 (a few percent bigger,
# half the compression time) (issue 14).
LAYOUT_VERSION = "3"
_RL_CONFIG_LOCK = threading.Lock()

LABELS = {
    "kind": {
        "en": {
            "import": "Import",
            "export": "Export",
            "transit": "Transit",
            "transfer": "Intra-EU transfer",
        },
        "fr": {
            "import": "Importation",
            "export": "Exportation",
            "transit": "Transit",
            "transfer": "Transfert intra-UE",
        },
        "nl": {
            "import": "Invoer",
            "export": "Uitvoer",
            "transit": "Doorvoer",
            "transfer": "Intracommunautaire overbrenging",
        },
    },
    "regime": {
        "en": {
            "military": "Military goods",
            "dual_use": "Dual-use goods",
            "civil_firearms": "Civilian firearms",
            "law_enforcement": "Law-enforcement material",
        },
        "fr": {
            "military": "Biens militaires",
            "dual_use": "Biens à double usage",
            "civil_firearms": "Armes à feu civiles",
            "law_enforcement": "Matériel de maintien de l'ordre",
        },
        "nl": {
            "military": "Militaire goederen",
            "dual_use": "Goederen voor tweeërlei gebruik",
            "civil_firearms": "Civiele vuurwapens",
            "law_enforcement": "Ordehandhavingsmateriaal",
        },
    },
    "licence_type": {
        "en": {"individual": "Individual", "global": "Global"},
        "fr": {"individual": "Individuelle", "global": "Globale"},
        "nl": {"individual": "Individuele", "global": "Globale"},
    },
}


def _register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def verification_url(licence_number: str, code: str = "") -> str:
    url = f"{settings.PUBLIC_BASE_URL.rstrip('/')}/verify/?licence={licence_number}"
    return f"{url}&code={code}" if code else url


class QrCode(Flowable):
    def __init__(self, value: str, size: float = 28 * mm) -> None:
        super().__init__()
        self.value, self.size = value, size
        self.width = self.height = size

    def draw(self) -> None:
        # The widget computes the code (the costly part) each time it is drawn, and its
        # getBounds() draws it: draw it once and lay out the shapes it gave. The shapes and
        # their order are the same as drawing the widget itself, so the bytes are too.
        shapes = QrCodeWidget(self.value).draw()
        x0, y0, x1, y1 = shapes.getBounds()
        drawing = Drawing(
            self.size,
            self.size,
            transform=[self.size / (x1 - x0), 0, 0, self.size / (y1 - y0), 0, 0],
        )
        drawing.add(shapes)
        drawing.drawOn(self.canv, 0, 0)


class QrPath(Flowable):
    """The QR code as one filled path: a rectangle per run of dark modules, in the order the
    widget draws them, with the widget's defaults (error level L, smallest version, best
    mask, four modules of quiet zone). One path operator sequence and one fill instead of a
    shape (with its own state changes) per run."""

    BORDER = 4

    def __init__(self, value: str, size: float = 28 * mm) -> None:
        super().__init__()
        self.value, self.size = value, size
        self.width = self.height = size

    def modules(self) -> list[list[bool]]:
        code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.L)
        code.addData(self.value)
        code.make()
        return code.modules

    def draw(self) -> None:
        modules = self.modules()
        box = self.size / (len(modules) + 2 * self.BORDER)
        path = self.canv.beginPath()
        for r, row in enumerate(modules):
            y = self.size - (r + self.BORDER + 1) * box
            c = 0
            for dark, run in itertools.groupby(row):
                count = len(list(run))
                if dark:
                    path.rect((c + self.BORDER) * box, y, count * box, box)
                c += count
        self.canv.setFillColor(colors.black)
        self.canv.drawPath(path, stroke=0, fill=1)


class QrModules(Flowable):
    """The QR code as one filled path written in module units: error level L, the smallest
    version, the mask with the lowest ISO 18004 penalty (segno), four modules of quiet zone;
    one rectangle per horizontal run of dark modules, rows from the top."""

    BORDER = 4
    _DARK_RUN = re.compile(b"\x01+")

    def __init__(self, value: str, size: float = 28 * mm) -> None:
        super().__init__()
        self.value, self.size = value, size
        self.width = self.height = size

    def modules(self) -> tuple[bytearray, ...]:
        return qr_matrix(self.value)

    def draw(self) -> None:
        matrix = self.modules()
        border = self.BORDER
        box = self.size / (len(matrix) + 2 * border)
        operators = [
            f"{run.start() + border} {r + border} {run.end() - run.start()} 1 re"
            for r, row in enumerate(matrix)
            for run in self._DARK_RUN.finditer(row)
        ]
        canv = self.canv
        canv.saveState()
        canv.setFillColor(colors.black)
        # One module per unit, y downwards from the top edge: the rows in matrix order.
        canv.transform(box, 0, 0, -box, 0, self.size)
        canv.addLiteral("\n".join(operators) + "\nf")
        canv.restoreState()


def _numbered_canvas(page_label: str):
    """A canvas that knows the page count before writing 'page x of y' on every page."""

    class NumberedCanvas(pdf_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(FONT, 8)
                self.drawRightString(
                    A4[0] - 18 * mm,
                    10 * mm,
                    page_label.format(page=self._pageNumber, pages=total),
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def text(value: object) -> str:
    """User-typed text as reportlab paragraph content: escaped, so that ``<b>`` or ``<font>``
    typed in a name is printed as typed and never parsed as markup; line breaks kept."""
    return escape(str(value)).replace("\n", "<br/>")


def _one_line(value: str) -> str:
    return text(value.replace("\r", "").replace("\n", ", "))


def _parties(application, role: str) -> str:
    return "<br/>".join(
        f"{text(p.name)}, {_one_line(p.address)}, {text(p.country.name)}"
        for p in application.parties.all()
        if p.role == role
    )


def _date(value) -> str:
    return value.strftime("%d/%m/%Y")


def _lines(application, licence):
    """(description, origin, commodity code, control entry, quantity, unit, value, currency)
    of each line: a licence prints what it authorises, a refusal what was requested."""
    origin = application.country_of_origin
    if licence is not None:
        return [
            (
                line.description,
                origin,
                line.goods_item.commodity_code,
                line.control_entry,
                line.authorised_quantity,
                line.unit,
                line.authorised_value,
                line.currency,
            )
            for line in licence.lines.select_related("goods_item")
        ]
    return [
        (
            item.description,
            origin,
            item.commodity_code,
            item.control_entry,
            item.quantity,
            item.unit,
            item.line_value,
            item.currency,
        )
        for item in application.goods.all()
    ]


def _unit_label(unit: str) -> str:
    # Translated in the active language (the holder's); an old free-text unit prints as typed.
    return str(Unit(unit).label) if unit in Unit.values else unit


def _refused_lines_block(decision: Decision, p) -> list:
    """The goods lines refused (a refusal letter, or a licence granted in part), each with the
    criteria it rests on, in the letter's language."""
    language = decision.language
    with translation.override(language):
        refused = refused_lines(decision=decision)
        if not refused:
            return []
        words = LINE_TEXTS.get(language, LINE_TEXTS["en"])
        block = [p(words["refused_lines"], "h2")]
        if decision.outcome == Decision.Outcome.GRANTED:
            block.append(p(words["partial_note"]))
        for line in refused:
            cited = "; ".join(
                f"{text(code)} — {text(str(title))}" for code, title in line["criteria_cited"]
            )
            quantity = format_number(Decimal(str(line["requested_quantity"])), language)
            block.append(
                p(
                    f"• <b>{text(line['description'])}</b> ({text(line['control_entry'])}), "
                    f"{words['requested']}: {quantity} {text(_unit_label(line['unit']))}. "
                    f"{words['criteria_cited'].capitalize()}: {cited}"
                )
            )
    if decision.outcome == Decision.Outcome.GRANTED:
        # A refusal in part is a refusal: its grounds and the appeal route go with it.
        t = texts_for(decision.language)
        if decision.grounds:
            block.append(p(escape(decision.grounds).replace("\n", "<br/>")))
        block += [
            p(t["appeal"], "h2"),
            *[p(text(paragraph)) for paragraph in appeal_route(decision.language)],
        ]
    return block


def render_decision(decision: Decision, *, signed: bool) -> bytes:
    """The decision document's unsigned PDF bytes. Same decision and flag, same bytes."""
    return render_from_inputs(decision_render_inputs(decision, signed=signed))


def decision_render_inputs(decision: Decision, *, signed: bool) -> str:
    """What the decision's document prints, as canonical JSON: the render inputs.

    A licence follows the numbered boxes of the EU model export authorisation (Regulation (EU)
    2021/821, Annex IIIa), used for every licence family; a refusal is a letter. Every
    user-typed string goes through ``text()``; numbers, amounts and units are in the
    holder's language.
    """
    with translation.override(decision.language):
        return canonical_json(_inputs(decision, signed=signed))


def _inputs(decision: Decision, *, signed: bool) -> dict:
    application = decision.application
    organisation = application.organisation
    language = decision.language
    t = texts_for(language)
    box = box_titles(language)
    granted = decision.outcome == Decision.Outcome.GRANTED
    licence = getattr(application, "licence", None) if granted else None
    number = licence.number if licence else application.reference

    def p(markup: str, style: str = "body") -> dict:
        return {"p": str(markup), "style": style}

    def country(c) -> str:
        return text(c.name) if c else "—"

    holder = (
        f"{text(organisation.legal_name)}<br/>{_one_line(organisation.address)}<br/>"
        f"{t['enterprise_number']}: {organisation.enterprise_number_display}"
        + (
            f"<br/>{t['eori']}: {text(organisation.eori_number)}"
            if organisation.eori_number
            else ""
        )
    )
    lines = _lines(application, licence)
    money_totals = totals((value, currency) for *_, value, currency in lines)

    goods_rows = [
        [
            p(box[13], "th"),
            p(box[14], "th"),
            p(box[15], "th"),
            p(box[16], "th"),
            p(box[17], "th"),
            p(box[18], "th"),
        ]
    ]
    for description, origin, commodity, entry, quantity, unit, value, currency in lines:
        goods_rows.append(
            [
                p(text(description), "cell"),
                p(country(origin), "cell"),
                p(text(commodity) or "—", "cell"),
                p(text(entry), "cell"),
                p(text(format_money(value, currency, language)), "cell"),
                p(f"{format_number(quantity, language)} {text(_unit_label(unit))}", "cell"),
            ]
        )
    # One total per currency: a USD line and a EUR line are never summed into one figure.
    for money in money_totals:
        goods_rows.append(
            [
                p(f"{t['total']} ({money.currency.code})", "th"),
                "",
                "",
                "",
                p(text(format_money(money.amount, money.currency.code, language)), "cell"),
                "",
            ]
        )
    goods_table = _table(goods_rows, [46, 22, 26, 22, 30, 24], "goods", repeat=1)

    # Only a licence is looked up by number; a refusal letter is checked by uploading it.
    url = (
        verification_url(number, licence.verification_code)
        if granted
        else verification_url("").split("?")[0]
    )
    decided_local = decision.decided_at.astimezone(BRUSSELS)
    legal = t["legal_dual_use"] if application.regime == "dual_use" else t["legal_military"]
    approver = decision.decided_by.get_full_name() or decision.decided_by.get_username()
    kind = LABELS["kind"][language][application.kind]
    regime = LABELS["regime"][language][application.regime]
    licence_type = LABELS["licence_type"][language][application.licence_type]

    story: list = [
        _table(
            [
                [
                    [p(t["region"], "head"), p(t["authority"], "head"), p(t["address"], "small")],
                    {"qr": url} if granted else "",
                ]
            ],
            [140, 30],
            "header",
        ),
        _space(4),
    ]
    if granted:
        story += [
            p(f"{t['licence_title']} {text(number)}", "h1"),
            p(f"{t['model_form']} — {licence_type} — {regime}", "small"),
            _space(3),
            _boxes(application, licence, decision, t, box, p, country, holder, kind),
            p(f"{box[13]} – {box[18]}", "h2"),
            goods_table,
            # A licence granted in part lists what it refuses, with the criteria and appeal.
            *_refused_lines_block(decision, p),
            p(t["conditions"], "h2"),
            *[
                p(f"• {text(condition)}")
                for condition in licence_conditions(licence=licence, language=language)
            ],
        ]
    else:
        story += [
            p(f"{t['refusal_title']} {text(number)}", "h1"),
            p(
                t["refusal_intro"].format(
                    reference=text(application.reference), holder=text(organisation.legal_name)
                )
            ),
            _space(3),
            _refusal_details(application, t, p, country, holder, kind, regime, licence_type),
            p(t["goods"], "h2"),
            goods_table,
            *_refused_lines_block(decision, p),
        ]
        # The criterion's published title, never the worksheet's note: that note is the case
        # manager's internal assessment (staff only); the grounds below are the applicant's.
        story.append(p(t["grounds"], "h2"))
        for code in decision.criteria:
            story.append(p(f"<b>{t['criterion']} {text(code)}</b> — {text(criteria.title(code))}"))
        story += [
            p(text(decision.grounds)),
            p(t["appeal"], "h2"),
            *[p(text(paragraph)) for paragraph in appeal_route(language)],
        ]
    story += [
        p(t["legal_basis"], "h2"),
        p(legal),
        _space(6),
        p(t["issued_on"].format(date=decided_local.strftime("%d/%m/%Y %H:%M"))),
        *(
            [
                p(t["government"].format(reference=text(decision.authority_reference))),
                p(f"{t['notified_by']}: {text(approver)}, {t['head_title']}"),
            ]
            if decision.authority == "government"
            else [p(f"{t['decided_by']}: {text(approver)}, {t['head_title']}")]
        ),
        p(f"{t['signature']}: {t['signed_note'] if signed else t['unsigned_note']}", "small"),
        _space(4),
        p(t["verify"].format(url=text(url)), "small"),
    ]

    return {
        "document": {
            "title": f"{t['licence_title'] if granted else t['refusal_title']} {number}",
            "author": t["authority"],
            "subject": number,
            "language": language,
            "page_label": t["page"],
        },
        "story": story,
    }


def _space(height_mm: int) -> dict:
    return {"space": height_mm}


def _table(rows: list[list], widths_mm: list[int], style: str, *, repeat: int = 0) -> dict:
    return {"table": rows, "widths": widths_mm, "style": style, "repeat": repeat}


# --- The layout: render inputs to PDF bytes ---------------------------------------------------

STYLES = {
    "body": ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=8, leading=10),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=10.5),
    "box": ParagraphStyle(
        "box", fontName=FONT_BOLD, fontSize=7, leading=8.5, textColor=colors.HexColor("#334")
    ),
    "h1": ParagraphStyle("h1", fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=4),
    "h2": ParagraphStyle(
        "h2", fontName=FONT_BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=3
    ),
    "head": ParagraphStyle("head", fontName=FONT_BOLD, fontSize=10, leading=13),
    "th": ParagraphStyle("th", fontName=FONT_BOLD, fontSize=7.5, leading=9),
}
TABLE_STYLES = {
    "goods": [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ],
    "header": [("VALIGN", (0, 0), (-1, -1), "TOP")],
    "grid": [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#556")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ],
    "details": [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
    ],
}


class ParsedOnce(Paragraph):
    """A Paragraph whose markup is parsed once per process and style: most of a letter's
    paragraphs (box titles, headings, the legal basis, the appeal route, the conditions) are
    the same in every document, and reportlab's markup parser costs more than laying them out.
    Only plain parses are kept (no ``<para>`` attributes or bullet); the fragments are only
    read by the layout, and each paragraph gets its own list of them."""

    _parsed: dict[tuple[str, str], tuple[str, list]] = {}
    _LIMIT = 20_000

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        key = (text, style.name)
        parsed = self._parsed.get(key)
        if parsed is not None:
            super().__init__(parsed[0], style, frags=list(parsed[1]))
            return
        super().__init__(text, style)
        if self.style is style and not self.bulletText:
            if len(self._parsed) >= self._LIMIT:
                self._parsed.clear()
            self._parsed[key] = (self.text, list(self.frags))


# What each layout version draws differently: the QR code's flowable, whether streams are
# ASCII85-encoded on top of Flate, zlib's compression level (reportlab's default is 6), and
# the paragraph class (the same drawing; layout 3 parses each text once per process).
LAYOUTS: dict[str, dict[str, Any]] = {
    "1": {"qr": QrCode, "ascii85": True, "zlib_level": 6, "paragraph": Paragraph},
    "2": {"qr": QrPath, "ascii85": False, "zlib_level": 6, "paragraph": Paragraph},
    "3": {"qr": QrModules, "ascii85": False, "zlib_level": 1, "paragraph": ParsedOnce},
}


def _flowable(block, layout: dict[str, Any]):
    """One block of the render inputs as what reportlab lays out."""
    if isinstance(block, str):
        return block
    if isinstance(block, list):
        return [_flowable(item, layout) for item in block]
    if "p" in block:
        return layout["paragraph"](block["p"], STYLES[block["style"]])
    if "space" in block:
        return Spacer(1, block["space"] * mm)
    if "qr" in block:
        return layout["qr"](block["qr"])
    table = Table(
        [[_flowable(cell, layout) for cell in row] for row in block["table"]],
        colWidths=[width * mm for width in block["widths"]],
        repeatRows=block["repeat"],
    )
    table.setStyle(TableStyle(TABLE_STYLES[block["style"]]))
    return table


def canonical_json(inputs: dict) -> str:
    """The one text of a set of render inputs: sorted keys, no spaces, UTF-8 kept."""
    return chain.canonical_json(inputs).decode("utf-8")


def render_from_inputs(inputs_json: str, layout_version: str = LAYOUT_VERSION) -> bytes:
    """The PDF of stored render inputs (``canonical_json`` text) in the given layout version
    (today's by default; a stored document's own to reproduce it). Same inputs and version,
    same bytes."""
    layout = LAYOUTS.get(layout_version)
    if layout is None:
        raise ValueError(f"Unknown decision layout version {layout_version!r}")
    _register_fonts()
    inputs = json.loads(inputs_json)
    meta = inputs["document"]
    story = [_flowable(block, layout) for block in inputs["story"]]
    return a4_pdf(
        story,
        title=meta["title"],
        author=meta["author"],
        subject=meta["subject"],
        language=meta["language"],
        page_label=meta["page_label"],
        bottom_margin=18 * mm,
        ascii85=layout["ascii85"],
        zlib_level=layout["zlib_level"],
    )


def a4_pdf(
    story: list,
    *,
    title: str,
    author: str,
    subject: str,
    language: str,
    page_label: str,
    bottom_margin: float,
    on_page: Any = None,
    ascii85: bool = True,
    zlib_level: int = 6,
) -> bytes:
    """An A4 PDF of ``story`` with "page x of y", built in reportlab's invariant mode (no
    time stamp or random id in the file), so that the same story gives the same bytes.
    ``ascii85=False`` writes the compressed streams as binary, without reportlab's default
    ASCII85 layer (a fifth bigger and costly to encode). ``zlib_level`` is the Flate
    compression level of every stream (reportlab's own is zlib's default, 6)."""
    buffer = io.BytesIO()
    # rl_config is global to the process: threads of a web process building two PDFs at once
    # must not see each other's settings (a layout-1 re-render with ASCII85 off would not
    # match its stored hash), so builds take turns within a process.
    with _RL_CONFIG_LOCK:
        previous = rl_config.invariant, rl_config.useA85, pdfdoc.zlib
        rl_config.invariant = 1
        rl_config.useA85 = 1 if ascii85 else 0
        if zlib_level != 6:
            pdfdoc.zlib = _ZlibAtLevel(zlib_level)
        try:
            document = SimpleDocTemplate(
                buffer,
                pagesize=A4,
                leftMargin=18 * mm,
                rightMargin=18 * mm,
                topMargin=16 * mm,
                bottomMargin=bottom_margin,
                title=title,
                author=author,
                subject=subject,
                creator="Brussels International permits system",
                producer="Brussels International permits system",
                lang=language,
            )
            pages = {"onFirstPage": on_page, "onLaterPages": on_page} if on_page else {}
            document.build(story, canvasmaker=_numbered_canvas(page_label), **pages)
        finally:
            rl_config.invariant, rl_config.useA85, pdfdoc.zlib = previous
    return buffer.getvalue()


class _ZlibAtLevel:
    """zlib as reportlab's pdfdoc module sees it, compressing at another level: reportlab calls
    ``zlib.compress(data)`` with no level for every stream and offers no setting for it."""

    def __init__(self, level: int) -> None:
        self.level = level

    def compress(self, data: bytes) -> bytes:
        return zlib.compress(data, self.level)

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)


def _contact_point() -> list[str]:
    # The unit's public telephone and e-mail are the Region's to publish: DECISION_CONTACT_POINT
    # (lines of text) adds them to box 4; nothing is made up when it is empty.
    return [text(line) for line in settings.DECISION_CONTACT_POINT]


def _boxes(application, licence, decision, t, box, p, country, holder, kind) -> dict:
    """Boxes 1 to 12 and 19 to 22 of the model form; 13 to 18 are the goods table's columns."""

    def cell(n: int, content: str) -> list:
        return [p(box[n], "box"), p(content or "—", "cell")]

    organisation = application.organisation
    exporting = application.kind in ("export", "transfer")
    # Where the goods leave from: the holder's country for an export or a transfer, the
    # country the goods come from for an import or a transit.
    country_of_export = organisation.country if exporting else application.country_of_origin
    office = application.customs_office_of_export
    # A customs office reference number starts with its Member State's code (BE212000).
    office_text = f"{text(office)} ({country(Country(code=office[:2]))})" if office else ""
    consignee = _parties(application, Party.Role.CONSIGNEE)
    end_user = _parties(application, Party.Role.END_USER)
    agent = _parties(application, Party.Role.AGENT)
    intermediary = _parties(application, Party.Role.INTERMEDIARY)
    transit = ", ".join(text(c.name) for c in application.transit_countries) or t["none"]
    contract = ", ".join(
        v
        for v in [
            text(application.contract_reference),
            _date(application.contract_date) if application.contract_date else "",
        ]
        if v
    )
    procedure = kind + (
        f" — {text(application.get_temporary_purpose_display())}"
        if application.temporary_purpose
        else ""
    )
    further = "<br/>".join(
        [
            f"{t['transit']}: {transit}",
            *([f"{t['intermediary']}: {intermediary}"] if intermediary else []),
            f"{t['consignor']}: "
            + (_parties(application, Party.Role.CONSIGNOR) or text(organisation.legal_name)),
        ]
    )
    validity = t["valid_from_to"].format(
        start=_date(licence.valid_from), end=_date(licence.valid_until)
    )
    half = 87
    return _table(
        [
            [
                cell(1, holder),
                cell(
                    2,
                    f"{text(licence.number)}<br/>"
                    f"{t['application_number']}: {text(application.reference)}<br/>"
                    f"{t['verification_code']}: {text(licence.verification_code)}",
                ),
            ],
            [
                cell(3, validity),
                cell(4, "<br/>".join([t["authority"], t["address"], *_contact_point()])),
            ],
            [cell(5, consignee), cell(6, f"{t['authority']}<br/>{t['address']}")],
            [cell(7, agent), cell(8, country(country_of_export))],
            [cell(9, end_user), cell(10, "")],
            [cell(11, office_text), cell(12, country(application.country_of_destination))],
            [cell(19, text(application.end_use_statement)), cell(20, contract)],
            [cell(21, procedure), cell(22, further)],
        ],
        [half, half],
        "grid",
    )


def _refusal_details(application, t, p, country, holder, kind, regime, licence_type) -> dict:
    rows = [
        (t["application_number"], text(application.reference)),
        (t["licence_type"], licence_type),
        (t["kind"], kind),
        (t["regime"], regime),
        (t["holder"], holder),
        (t["consignee"], _parties(application, Party.Role.CONSIGNEE)),
        (t["end_user"], _parties(application, Party.Role.END_USER)),
        (t["origin"], country(application.country_of_origin)),
        (t["destination"], country(application.country_of_destination)),
    ]
    return _table(
        [[p(label, "head"), p(value or "—")] for label, value in rows],
        [50, 120],
        "details",
    )
