"""Decision documents (licence or refusal letter) rendered with reportlab.

Deterministic: reportlab's invariant mode and fixed metadata make the same decision render to
the same bytes, so a regenerated document can be checked against the stored hash of its
unsigned rendering.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation
from django_countries.fields import Country
from reportlab import rl_config
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from permits.compliance import criteria
from permits.models import Decision, Party, Unit
from permits.money import format_money, format_number, totals
from permits.selectors import licence_conditions, refused_lines

from .texts import LINE_TEXTS, appeal_route, box_titles, texts_for

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
BRUSSELS = ZoneInfo("Europe/Brussels")

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
        widget = QrCodeWidget(self.value)
        x0, y0, x1, y1 = widget.getBounds()
        drawing = Drawing(
            self.size,
            self.size,
            transform=[self.size / (x1 - x0), 0, 0, self.size / (y1 - y0), 0, 0],
        )
        drawing.add(widget)
        drawing.drawOn(self.canv, 0, 0)


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
    """The decision document's unsigned PDF bytes. Same decision and flag, same bytes.

    A licence follows the numbered boxes of the EU model export authorisation (Regulation (EU)
    2021/821, Annex IIIa), used for every licence family; a refusal is a letter. Every
    user-typed string goes through ``text()``; numbers, amounts and units are in the
    holder's language.
    """
    _register_fonts()
    with translation.override(decision.language):
        return _render(decision, signed=signed)


def _render(decision: Decision, *, signed: bool) -> bytes:
    application = decision.application
    organisation = application.organisation
    language = decision.language
    t = texts_for(language)
    box = box_titles(language)
    granted = decision.outcome == Decision.Outcome.GRANTED
    licence = getattr(application, "licence", None) if granted else None
    number = licence.number if licence else application.reference

    styles = {
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

    def p(markup: str, style: str = "body") -> Paragraph:
        return Paragraph(markup, styles[style])

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
    goods_table = Table(
        goods_rows,
        colWidths=[46 * mm, 22 * mm, 26 * mm, 22 * mm, 30 * mm, 24 * mm],
        repeatRows=1,
    )
    goods_table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )

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
        Table(
            [
                [
                    [p(t["region"], "head"), p(t["authority"], "head"), p(t["address"], "small")],
                    QrCode(url) if granted else "",
                ]
            ],
            colWidths=[140 * mm, 30 * mm],
            style=[("VALIGN", (0, 0), (-1, -1), "TOP")],
        ),
        Spacer(1, 4 * mm),
    ]
    if granted:
        story += [
            p(f"{t['licence_title']} {text(number)}", "h1"),
            p(f"{t['model_form']} — {licence_type} — {regime}", "small"),
            Spacer(1, 3 * mm),
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
            Spacer(1, 3 * mm),
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
        Spacer(1, 6 * mm),
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
        Spacer(1, 4 * mm),
        p(t["verify"].format(url=text(url)), "small"),
    ]

    buffer = io.BytesIO()
    previous = rl_config.invariant
    rl_config.invariant = 1
    try:
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=16 * mm,
            bottomMargin=18 * mm,
            title=f"{t['licence_title'] if granted else t['refusal_title']} {number}",
            author=t["authority"],
            subject=number,
            creator="Brussels International permits system",
            producer="Brussels International permits system",
            lang=language,
        )
        document.build(story, canvasmaker=_numbered_canvas(t["page"]))
    finally:
        rl_config.invariant = previous
    return buffer.getvalue()


def _contact_point() -> list[str]:
    # The unit's public telephone and e-mail are the Region's to publish: DECISION_CONTACT_POINT
    # (lines of text) adds them to box 4; nothing is made up when it is empty.
    return [text(line) for line in settings.DECISION_CONTACT_POINT]


def _grid(cells: list[list], widths: list[float]) -> Table:
    table = Table(cells, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#556")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _boxes(application, licence, decision, t, box, p, country, holder, kind) -> Table:
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
    half = 87 * mm
    return _grid(
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
    )


def _refusal_details(application, t, p, country, holder, kind, regime, licence_type) -> Table:
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
    table = Table(
        [[p(label, "head"), p(value or "—")] for label, value in rows],
        colWidths=[50 * mm, 120 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    return table
