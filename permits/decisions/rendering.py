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
from permits.models import Decision, Party

from .texts import texts_for

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


def verification_url(licence_number: str) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/verify/?licence={licence_number}"


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


def _party(application, role: str) -> str:
    parties = [p for p in application.parties.all() if p.role == role]
    return "<br/>".join(
        f"{escape(p.name)}, {escape(p.address.replace(chr(10), ', '))}, {escape(p.country.name)}"
        for p in parties
    )


def render_decision(decision: Decision, *, signed: bool) -> bytes:
    """The decision document's unsigned PDF bytes. Same decision and flag, same bytes."""
    _register_fonts()
    application = decision.application
    language = decision.language
    t = texts_for(language)
    granted = decision.outcome == Decision.Outcome.GRANTED
    licence = getattr(application, "licence", None) if granted else None
    number = licence.number if licence else application.reference

    styles = {
        "body": ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5),
        "small": ParagraphStyle("small", fontName=FONT, fontSize=8, leading=10),
        "h1": ParagraphStyle("h1", fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=4),
        "h2": ParagraphStyle(
            "h2", fontName=FONT_BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=3
        ),
        "head": ParagraphStyle("head", fontName=FONT_BOLD, fontSize=10, leading=13),
    }

    def p(text: str, style: str = "body") -> Paragraph:
        return Paragraph(text, styles[style])

    with translation.override(language):
        country = lambda c: escape(c.name) if c else "—"  # noqa: E731
        transit = ", ".join(escape(c.name) for c in application.transit_countries) or t["none"]
        rows = [
            (t["licence_number"] if granted else t["application_number"], number),
            (t["application_number"], application.reference) if granted else None,
            (t["licence_type"], LABELS["licence_type"][language][application.licence_type]),
            (t["kind"], LABELS["kind"][language][application.kind]),
            (t["regime"], LABELS["regime"][language][application.regime]),
            (
                t["holder"],
                f"{escape(application.organisation.legal_name)}<br/>"
                f"{t['enterprise_number']}: "
                f"{application.organisation.enterprise_number_display}<br/>"
                f"{escape(application.organisation.address.replace(chr(10), ', '))}",
            ),
            (
                t["consignor"],
                _party(application, Party.Role.CONSIGNOR)
                or escape(application.organisation.legal_name),
            ),
            (t["consignee"], _party(application, Party.Role.CONSIGNEE)),
            (t["end_user"], _party(application, Party.Role.END_USER)),
            (t["intermediary"], _party(application, Party.Role.INTERMEDIARY))
            if application.parties.filter(role=Party.Role.INTERMEDIARY).exists()
            else None,
            (t["origin"], country(application.country_of_origin)),
            (t["destination"], country(application.country_of_destination)),
            (t["transit"], transit),
        ]
    if licence:
        rows.append(
            (
                t["validity"],
                t["valid_from_to"].format(
                    start=licence.valid_from.strftime("%d/%m/%Y"),
                    end=licence.valid_until.strftime("%d/%m/%Y"),
                ),
            )
        )
    details = Table(
        [[p(label, "head"), p(str(value))] for label, value in (r for r in rows if r)],
        colWidths=[50 * mm, 120 * mm],
    )
    details.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )

    goods = list(application.goods.all())
    total = sum((g.quantity * g.unit_value for g in goods), Decimal("0"))
    goods_rows = [
        [
            p(t["description"], "head"),
            p(t["control_entry"], "head"),
            p(t["quantity"], "head"),
            p(t["value"], "head"),
        ]
    ]
    for item in goods:
        goods_rows.append(
            [
                p(escape(item.description)),
                p(escape(item.control_entry)),
                p(f"{item.quantity.normalize():f} {escape(item.unit)}"),
                p(f"{item.quantity * item.unit_value:,.2f} {item.currency}"),
            ]
        )
    goods_rows.append([p(t["total"], "head"), "", "", p(f"{total:,.2f} EUR")])
    goods_table = Table(goods_rows, colWidths=[75 * mm, 35 * mm, 30 * mm, 30 * mm], repeatRows=1)
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
    url = verification_url(number) if granted else verification_url("").split("?")[0]
    decided_local = decision.decided_at.astimezone(BRUSSELS)
    legal = t["legal_dual_use"] if application.regime == "dual_use" else t["legal_military"]
    approver = decision.decided_by.get_full_name() or decision.decided_by.get_username()

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
        Spacer(1, 6 * mm),
        p(f"{t['licence_title'] if granted else t['refusal_title']} {number}", "h1"),
    ]
    if not granted:
        story.append(
            p(
                t["refusal_intro"].format(
                    reference=application.reference,
                    holder=escape(application.organisation.legal_name),
                )
            )
        )
        story.append(Spacer(1, 3 * mm))
    story += [details, p(t["goods"], "h2"), goods_table]
    if granted:
        story += [
            p(t["conditions"], "h2"),
            p("• " + t["condition_end_use"].format(end_use=escape(application.end_use_statement))),
            p("• " + t["condition_reexport"]),
            p("• " + t["condition_report"]),
        ]
    else:
        # The criterion's published title, never the worksheet's note: that note is the case
        # manager's internal assessment (staff only); the grounds below are the applicant's.
        story.append(p(t["grounds"], "h2"))
        for code in decision.criteria:
            story.append(
                p(f"<b>{t['criterion']} {escape(code)}</b> — {escape(criteria.title(code))}")
            )
        story += [
            p(escape(decision.grounds).replace("\n", "<br/>")),
            p(t["appeal"], "h2"),
            p(t["appeal_text"]),
        ]
    story += [
        p(t["legal_basis"], "h2"),
        p(legal),
        Spacer(1, 6 * mm),
        p(t["issued_on"].format(date=decided_local.strftime("%d/%m/%Y %H:%M"))),
        *(
            [
                p(t["government"].format(reference=escape(decision.authority_reference))),
                p(f"{t['notified_by']}: {escape(approver)}, {t['head_title']}"),
            ]
            if decision.authority == "government"
            else [p(f"{t['decided_by']}: {escape(approver)}, {t['head_title']}")]
        ),
        Spacer(1, 4 * mm),
        p(t["verify"].format(url=escape(url)), "small"),
        p(t["signed_note"] if signed else t["unsigned_note"], "small"),
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
