"""What the annual reports print around their figures: titles, column headings, names of
countries, regions and categories, notes, and the report's provenance (when, by whom, from which
history). Call within ``translation.override(language)``: every text is in the active language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from babel.dates import format_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from ..compliance.models import ControlListEntry, ReferenceList
from ..models import Kind, LicenceType, Regime
from ..money import format_money, format_number, locale_for
from .figures import BRUSSELS, CATCH_ALL

KINDS = ("coarm", "dual_use", "parliament")
FORMATS = ("pdf", "csv")
LANGUAGES = ("fr", "nl", "en")

REPORT_TITLES = {
    "coarm": gettext_lazy("Annual report on exports of military goods (EU COARM layout)"),
    "dual_use": gettext_lazy("Annual report on dual-use items (Regulation (EU) 2021/821)"),
    "parliament": gettext_lazy("Annual report to the Brussels Parliament"),
}

REGION_NAMES = {
    "eu": gettext_lazy("European Union"),
    "europe": gettext_lazy("Rest of Europe"),
    "africa": gettext_lazy("Africa"),
    "americas": gettext_lazy("Americas"),
    "asia": gettext_lazy("Asia"),
    "middle_east": gettext_lazy("Middle East"),
    "oceania": gettext_lazy("Oceania"),
    "other": gettext_lazy("Other or unknown"),
}

# Regulation (EU) 2021/821, Annex I: the ten categories.
ANNEX_I_CATEGORIES = {
    "0": gettext_lazy("Nuclear materials, facilities and equipment"),
    "1": gettext_lazy("Special materials and related equipment"),
    "2": gettext_lazy("Materials processing"),
    "3": gettext_lazy("Electronics"),
    "4": gettext_lazy("Computers"),
    "5": gettext_lazy("Telecommunications and information security"),
    "6": gettext_lazy("Sensors and lasers"),
    "7": gettext_lazy("Navigation and avionics"),
    "8": gettext_lazy("Marine"),
    "9": gettext_lazy("Aerospace and propulsion"),
    CATCH_ALL: gettext_lazy("Items on no list (catch-all)"),
}


@dataclass(frozen=True)
class Provenance:
    """Who made a report, when, and the head of the history chain it was computed from."""

    made_at: datetime
    made_by: str
    chain_head: str


def report_title(kind: str, year: int) -> str:
    return f"{REPORT_TITLES[kind]} — {year}"


def country_name(code: str) -> str:
    return str(countries.name(code)) if code else _("No destination given")


def region_name(code: str) -> str:
    return str(REGION_NAMES.get(code, REGION_NAMES["other"]))


def kind_name(code: str) -> str:
    return str(Kind(code).label) if code in Kind.values else code


def regime_name(code: str) -> str:
    return str(Regime(code).label) if code in Regime.values else code


def licence_type_name(code: str) -> str:
    return str(LicenceType(code).label) if code in LicenceType.values else code


def annex_category_name(code: str) -> str:
    title = ANNEX_I_CATEGORIES.get(code)
    if code == CATCH_ALL:
        return str(title)
    return f"{code} — {title}" if title else code


def ml_category_titles(language: str) -> dict[str, str]:
    """The Military List categories' titles in ``language`` from the control list in force
    (French or Dutch where the list has them, else English); empty when none is loaded."""
    current = ReferenceList.objects.filter(
        kind=ReferenceList.Kind.CONTROL_LIST, is_current=True
    ).first()
    if current is None:
        return {}
    rows = ControlListEntry.objects.filter(
        reference_list=current, regime=ControlListEntry.Regime.MILITARY, parent__isnull=True
    ).values_list("code", "title", "title_fr", "title_nl")
    column = {"fr": 2, "nl": 3}.get(language)
    return {row[0]: (row[column] if column and row[column] else row[1]) for row in rows}


def money(amount: Decimal, language: str) -> str:
    return format_money(amount, "EUR", language)


def number(value: int | Decimal, language: str) -> str:
    return format_number(Decimal(value), language)


def days(value: Decimal, language: str) -> str:
    return format_number(value, language)


def made_at_text(when: datetime, language: str) -> str:
    return format_datetime(
        when.astimezone(BRUSSELS), format="long", tzinfo=BRUSSELS, locale=locale_for(language)
    )


def provenance_lines(provenance: Provenance, language: str) -> list[str]:
    return [
        _("Made on %(when)s by %(who)s.")
        % {"when": made_at_text(provenance.made_at, language), "who": provenance.made_by},
        _("History chain head when made: %(head)s.") % {"head": provenance.chain_head},
    ]


def statutory_text(days_: int, working_days: bool) -> str:
    if working_days:
        return _("%(n)s working days") % {"n": days_}
    return _("%(n)s calendar days") % {"n": days_}


def notes(kind: str, lines_without_rate: int) -> list[str]:
    """The definitions the figures follow, printed with every report."""
    common = [
        _(
            "Year: the calendar year (Brussels time) of the date of the decision. Values are "
            "in euro: each granted line's authorised value, converted at the exchange rate "
            "recorded for the day of the decision."
        ),
        _(
            "A partial decision counts as a licence issued, valued at its granted lines, in the "
            "categories of its granted lines, and as a refusal in the categories of its refused "
            "lines. A line granted with a reduced quantity or value counts as granted, at its "
            "granted value."
        ),
        _(
            "A refused file counts one refusal in each category of its goods; a criterion is "
            "counted once for each refusal that cites it (one refusal citing criteria 2 and 7 "
            "adds one to each)."
        ),
    ]
    specific = {
        "coarm": [
            _(
                "Military goods (EU Common Military List) leaving Belgium: exports, transits "
                "and transfers within the EU. (a) licences issued, (b) value of the licences "
                "issued, (d) refusals, (e1–e8) criteria of Common Position 2008/944/CFSP "
                "cited in the refusals. A country's total counts each licence and each "
                "refusal once, even when it covers several categories."
            )
        ],
        "dual_use": [
            _(
                "Dual-use items (Regulation (EU) 2021/821, Annex I category: the first digit of "
                "the entry) leaving Belgium: exports, transits and transfers within the EU. "
                "The value refused is the requested value of the refused lines. Grounds: DU1 "
                "international obligations and sanctions, DU2 foreign and security policy, "
                "DU3 end use and risk of diversion, DU4 internal compliance programme."
            )
        ],
        "parliament": [
            _(
                "Every kind and regime. Regions: the 27 EU member states; the rest of Europe "
                "(with Turkey, Armenia, Azerbaijan and Georgia); the Middle East as in the EU "
                "annual report; otherwise the UN M49 continents. Refusals are refused files; "
                "partial grants are counted with the licences."
            ),
            _(
                "Decision time: calendar days from submission to decision. Late: decided after "
                "the statutory deadline of the file, which counts from the complete file and "
                "leaves out the time the clock was paused."
            ),
        ],
    }[kind]
    missing = (
        [
            _(
                "%(n)s goods lines are in a currency without a recorded exchange rate: their "
                "value is not included."
            )
            % {"n": lines_without_rate}
        ]
        if lines_without_rate
        else []
    )
    return common + specific + missing
