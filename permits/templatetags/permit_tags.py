"""Template helpers of the web application: roles, labels, badges, dates and sorting."""

from __future__ import annotations

import re

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from workflow.roles import user_roles as roles_of

from .. import events
from ..compliance.freshness import stale_reference_warnings
from ..compliance.screening import flag_explanation as _flag_explanation
from ..models import Status, Unit
from ..money import format_money, totals

register = template.Library()

# What the applicant is expected to do next, by status of their application.
APPLICANT_NEXT_STEP = {
    Status.DRAFT: gettext_lazy("Complete the application and submit it."),
    Status.SUBMITTED: gettext_lazy("Nothing: the file waits for a case manager."),
    Status.UNDER_REVIEW: gettext_lazy("Nothing: your case manager is reviewing the file."),
    Status.INFORMATION_REQUESTED: gettext_lazy("Answer the information request."),
    Status.PENDING_APPROVAL: gettext_lazy("Nothing: the head of unit is deciding."),
    Status.ISSUED: gettext_lazy("Download your licence."),
    Status.REFUSED: gettext_lazy("Read the decision letter."),
    Status.WITHDRAWN: gettext_lazy("Nothing: you withdrew this application."),
    Status.REVOKED: gettext_lazy("Stop using the licence: it was revoked."),
    Status.EXPIRED: gettext_lazy("Nothing: the licence has expired."),
}
ACTION_NEEDED = frozenset({Status.DRAFT, Status.INFORMATION_REQUESTED, Status.ISSUED})


@register.simple_tag
def user_roles(user) -> set[str]:
    """``{% user_roles user as roles %}``, then ``{% if "auditor" in roles %}``."""
    return {role.value for role in roles_of(user)}


@register.filter
def status_label(value: str) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return value


# The badges by language and status: a list page shows one per row, and rendering the small
# template permits/_status.html for each cost more than the rest of the cell.
_STATUS_BADGES: dict[tuple[str | None, str], str] = {}


@register.simple_tag
def status_badge(value: str) -> str:
    """What permits/_status.html renders (byte for byte, tested), kept per language."""
    key = (get_language(), value)
    html = _STATUS_BADGES.get(key)
    if html is None:
        html = format_html('<span class="badge status-{}">{}</span>\n', value, status_label(value))
        if value in Status.values:
            _STATUS_BADGES[key] = html
    return html


# Characters a file's key (its reference, or its public id before it has one) is made of: no
# quoting needed in a URL path.
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9-]+$")
_CASE_URL_PREFIXES: dict[tuple[str, str | None], tuple[str, str]] = {}


@register.filter
def case_url(application) -> str:
    """``{% url 'permits:application_detail' application.url_key %}`` without resolving the
    URL for each row of a list: the path around the key is resolved once per URL prefix."""
    key = application.url_key
    if not _PLAIN_KEY.match(key):
        return reverse("permits:application_detail", args=[key])
    where = (get_script_prefix(), get_urlconf())
    around = _CASE_URL_PREFIXES.get(where)
    if around is None:
        around = tuple(reverse("permits:application_detail", args=["0"]).rsplit("0", 1))
        _CASE_URL_PREFIXES[where] = around
    return f"{around[0]}{key}{around[1]}"


@register.filter
def transition_label(name: str) -> str:
    return events.label(name)


@register.filter
def flag_explanation(flag) -> str:
    return _flag_explanation(flag)


@register.filter
def next_step(status: str) -> str:
    return str(APPLICANT_NEXT_STEP.get(status, ""))


@register.filter
def needs_action(status: str) -> bool:
    return status in ACTION_NEEDED


@register.filter
def when(value, with_time: bool = True):
    """A date (and time) in Europe/Brussels, readable, in a ``<time>`` element."""
    if not value:
        return "—"
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        local = timezone.localtime(value)
        # What date_filter(local, "j F Y, H:i") writes, without its format parser: a list
        # page shows 50 of these, and the parser was a fifth of the queue page's time.
        shown = f"{local.day} {MONTHS[local.month]} {local.year}"
        if with_time:
            shown = f"{shown}, {local.hour:02d}:{local.minute:02d}"
        return format_html('<time datetime="{}">{}</time>', local.isoformat(), shown)
    return format_html(
        '<time datetime="{}">{}</time>', value.isoformat(), date_filter(value, "j F Y")
    )


@register.filter
def days_since(value) -> int | None:
    if not value:
        return None
    return (timezone.now() - value).days


@register.filter
def is_past(value) -> bool:
    return bool(value) and value < timezone.now()


@register.inclusion_tag("permits/_sort_header.html", takes_context=True)
def sort_header(context, field: str, label: str) -> dict:
    """A column header that sorts the list by ``field`` (``o`` parameter), and says how."""
    request = context["request"]
    current = request.GET.get("o", "")
    if current == field:
        direction, target = "ascending", f"-{field}"
    elif current == f"-{field}":
        direction, target = "descending", field
    else:
        direction, target = "", field
    params = request.GET.copy()
    params["o"] = target
    params.pop("page", None)
    params.pop("cursor", None)  # a cursor belongs to the ordering it was made for
    return {
        "label": label,
        "url": f"?{params.urlencode()}",
        "direction": direction,
        "hint": _("sorted ascending")
        if direction == "ascending"
        else _("sorted descending")
        if direction == "descending"
        else "",
    }


ROLE_LABELS = {
    "applicant": gettext_lazy("applicant"),
    "case_manager": gettext_lazy("case manager"),
    "head_of_unit": gettext_lazy("head of unit"),
    "auditor": gettext_lazy("auditor"),
    "system": gettext_lazy("system"),
}


@register.filter
def role_label(value: str) -> str:
    return str(ROLE_LABELS.get(value, value))


@register.filter
def money(amount, currency: str) -> str:
    """``{{ item.line_value|money:item.currency }}``: the amount with its currency, formatted
    for the active language (``180 000,00 €`` in French)."""
    if amount is None or amount == "":
        return "—"
    return format_money(amount, currency, get_language() or "en")


@register.simple_tag
def goods_totals(goods) -> list[dict]:
    """One total per currency of ``goods`` (never one figure for two currencies)."""
    language = get_language() or "en"
    return [
        {
            "currency": m.currency.code,
            "amount": m.amount,
            "display": format_money(m.amount, m.currency.code, language),
        }
        for m in totals((item.line_value, item.currency) for item in goods)
    ]


@register.filter
def unit_label(unit: str) -> str:
    """A unit code in the active language ("pièces"); an old free-text unit as it was typed."""
    return str(Unit(unit).label) if unit in Unit.values else unit


@register.inclusion_tag("permits/_reference_warnings.html")
def reference_warnings() -> dict:
    """Staff pages: the reference lists past their review date, and embargoes past their
    recorded end with no newer list loaded."""
    return {"warnings": stale_reference_warnings(today=timezone.localdate())}


@register.simple_tag
def field_row(field) -> str:
    """What ``{% include "permits/_field.html" %}`` renders for ``field`` (byte for byte,
    tested), without a template per field: a form's fields were a third of the case page's and
    a filtered search's templates."""
    errors = field.errors
    required = (
        format_html(' <span class="required">({})</span>', _("required"))
        if field.field.required
        else ""
    )
    help_text = (
        format_html('<p class="help" id="{}_helptext">{}</p>', field.auto_id, field.help_text)
        if field.help_text
        else ""
    )
    error = (
        format_html(
            '<p class="error" id="{}_error">{}</p>',
            field.auto_id,
            format_html_join(" ", "{}", ((message,) for message in errors)),
        )
        if errors
        else ""
    )
    return format_html(
        '<div class="field{}">\n  <label for="{}">{}{}</label>\n  {}\n  {}\n  {}\n</div>\n',
        " has-error" if errors else "",
        field.id_for_label,
        field.label,
        required,
        help_text,
        error,
        field,
    )
