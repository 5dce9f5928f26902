"""Filters and sorting of the web application's lists (django-filter).

Unlike the API's strict filters, a bad value here never fails the page: the form shows the
error and the list stays unfiltered for that field.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, ExpressionWrapper, F, OuterRef, Q, TextField, Value
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from workflow.roles import Role

from .compliance.criteria import CRITERIA
from .models import ApplicantOrganisation, Decision, GoodsItem, Kind, Party, Regime, Status
from .widgets import ListedOnceSelect, OrganisationSelect, RenderedOnceSelect

# Calendar days of the filters are Brussels days (the unit's, and settings.TIME_ZONE's).
BRUSSELS = ZoneInfo("Europe/Brussels")

AGE_CHOICES = [
    ("7", _("Submitted more than 7 days ago")),
    ("30", _("Submitted more than 30 days ago")),
    ("60", _("Submitted more than 60 days ago")),
]


class Sort(django_filters.OrderingFilter):
    """Column sorting; ``id`` breaks ties so pages never overlap."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            return qs.order_by(*qs.query.order_by, "id")
        return qs


class BaseApplicationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Kind.choices, widget=RenderedOnceSelect
    )
    regime = django_filters.ChoiceFilter(
        label=_("Regime"), choices=Regime.choices, widget=RenderedOnceSelect
    )
    destination = django_filters.ChoiceFilter(
        label=_("Destination"),
        field_name="country_of_destination",
        choices=countries,
        widget=RenderedOnceSelect,
    )

    class Meta:
        fields: list[str] = []


class QueueFilter(BaseApplicationFilter):
    age = django_filters.ChoiceFilter(
        label=_("Age"), choices=AGE_CHOICES, method="filter_age", widget=RenderedOnceSelect
    )
    o = Sort(
        label=_("Sort by"),
        widget=RenderedOnceSelect,
        fields=[
            ("submitted_at", "submitted"),
            ("reference", "reference"),
            ("organisation__legal_name", "organisation"),
            ("country_of_destination", "destination"),
            ("due_at", "due"),
        ],
        field_labels={
            "submitted": _("Submitted"),
            "reference": _("Reference"),
            "organisation": _("Organisation"),
            "destination": _("Destination"),
            "due": _("Due"),
        },
    )

    def filter_age(self, queryset, name, value):
        days = int(value)
        return queryset.filter(submitted_at__lt=timezone.now() - timedelta(days=days))


OUTCOME_CHOICES = [
    ("granted", _("Granted (in full or in part)")),
    ("granted_in_full", _("Granted in full")),
    ("partial", _("Granted in part (some goods lines refused or reduced)")),
    ("refused", _("Refused")),
]

# Control-list codes: letters, digits and dots (ML10.a, 5A002.a.1, 0A501). Anything else is a
# form error, never a query.
control_code = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9.]{0,39}$",
    _("Give a control-list code such as ML10.a or 5A002, or a category such as ML10 or 5A."),
)


def criterion_choices() -> list[tuple[str, str]]:
    """Every criterion a decision may cite, military then dual-use, as "code — title"."""
    return [
        (code, f"{code} — {title}")
        for framework in CRITERIA.values()
        for code, title in framework.items()
    ]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class PersonFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", ListedOnceSelect)
        super().__init__(*args, **kwargs)


def _staff_in(*roles: str) -> Q:
    return Q(groups__name__in=roles)


# The people lists take the few users who hold or decided files from the index (one probe per
# distinct user, selectors.distinct_values), not by joining every file and then DISTINCT, nor
# by an EXISTS per user, which PostgreSQL runs as a scan of every file for each user who holds
# none: at a million files either took seconds on every search page.


def _case_managers(request):
    # Whoever holds (or held) files: case managers, heads who took a review themselves.
    from .models import PermitApplication
    from .selectors import distinct_values

    holders = distinct_values(PermitApplication, "assigned_case_manager_id")
    return _people(Q(groups__name__in=[Role.CASE_MANAGER, Role.HEAD_OF_UNIT]) | Q(pk__in=holders))


def _approvers(request):
    # Heads of unit, and anyone who ever decided a file (a head who has since moved on).
    from .selectors import distinct_values

    deciders = distinct_values(Decision, "decided_by_id")
    return _people(Q(groups__name=Role.HEAD_OF_UNIT) | Q(pk__in=deciders))


def _people(condition: Q):
    users = get_user_model().objects
    return users.filter(pk__in=users.filter(condition).values("pk")).order_by(
        "last_name", "first_name", "username"
    )


class BrusselsDayFilter(django_filters.DateFilter):
    """A calendar day in Brussels, compared as a half-open range of the stored timestamp:
    "on or after 2 March" is ``>= 2 March 00:00 Brussels time``, "on or before 1 March" is
    ``< 2 March 00:00 Brussels time`` — the same files as ``__date`` in Europe/Brussels (a file
    submitted at 00:30 on 2 March is found from 2 March, whatever UTC says; days of 23 or 25
    hours included), but a plain range on the column, which its indexes serve."""

    def __init__(self, *args, on_or_after: bool, **kwargs):
        self.on_or_after = on_or_after
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        if self.on_or_after:
            return qs.filter(**{f"{self.field_name}__gte": brussels_midnight(value)})
        return qs.filter(**{f"{self.field_name}__lt": brussels_midnight(value + timedelta(days=1))})


def brussels_midnight(day: date) -> datetime:
    """The first instant of ``day`` in Brussels (midnight exists every day there: the clocks
    change at 02:00 and 03:00)."""
    return datetime.combine(day, time.min, tzinfo=BRUSSELS)


def _date_filter(label, field_name, on_or_after):
    return BrusselsDayFilter(label=label, field_name=field_name, on_or_after=on_or_after)


class AuditFilter(BaseApplicationFilter):
    """The auditors' search, and the filter of every audit export (the same form drives both).

    Dates are calendar days in Brussels; values are the declared total in euro (required at
    submission, so every file an auditor sees has one; goods lines priced in other currencies
    are not converted for the filter)."""

    q = django_filters.CharFilter(
        label=_("Reference, organisation or party"), method="filter_text", max_length=100
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, widget=RenderedOnceSelect
    )
    outcome = django_filters.ChoiceFilter(
        label=_("Decision"),
        choices=OUTCOME_CHOICES,
        method="filter_outcome",
        widget=RenderedOnceSelect,
    )
    submitted_after = _date_filter(_("Submitted on or after"), "submitted_at", on_or_after=True)
    submitted_before = _date_filter(_("Submitted on or before"), "submitted_at", on_or_after=False)
    decided_after = _date_filter(_("Decided on or after"), "decided_at", on_or_after=True)
    decided_before = _date_filter(_("Decided on or before"), "decided_at", on_or_after=False)
    entry = django_filters.CharFilter(
        label=_("Control-list entry (exact code, e.g. ML10.a)"),
        method="filter_entry",
        max_length=40,
        validators=[control_code],
    )
    category = django_filters.CharFilter(
        label=_("Control-list category (e.g. ML10 or 5A)"),
        method="filter_category",
        max_length=40,
        validators=[control_code],
    )
    value_min = django_filters.NumberFilter(
        label=_("Declared value from (EUR)"),
        field_name="total_value",
        lookup_expr="gte",
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    value_max = django_filters.NumberFilter(
        label=_("Declared value up to (EUR)"),
        field_name="total_value",
        lookup_expr="lte",
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    criterion = django_filters.ChoiceFilter(
        label=_("Criterion cited"),
        choices=criterion_choices,
        method="filter_criterion",
        widget=RenderedOnceSelect,
    )
    organisation = django_filters.ModelChoiceFilter(
        label=_("Applicant organisation"),
        queryset=ApplicantOrganisation.objects.order_by("legal_name", "id"),
        widget=OrganisationSelect,
    )
    case_manager = PersonFilter(
        label=_("Case manager"), field_name="assigned_case_manager", queryset=_case_managers
    )
    approver = PersonFilter(
        label=_("Decided by (head of unit)"), field_name="decision__decided_by", queryset=_approvers
    )
    o = Sort(
        label=_("Sort by"),
        widget=RenderedOnceSelect,
        fields=[
            ("updated_at", "updated"),
            ("submitted_at", "submitted"),
            ("decided_at", "decided"),
            ("reference", "reference"),
            ("organisation__legal_name", "organisation"),
            ("total_value", "value"),
        ],
        field_labels={
            "updated": _("Updated"),
            "submitted": _("Submitted"),
            "decided": _("Decided"),
            "reference": _("Reference"),
            "organisation": _("Organisation"),
            "value": _("Value"),
        },
    )

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        matches = (
            Q(reference__icontains=value)
            | Q(organisation__legal_name__icontains=value)
            | Q(pk__in=Party.objects.filter(name__icontains=value).values("application_id"))
        )
        return queryset.filter(matches)

    def filter_outcome(self, queryset, name, value):
        return with_outcome(queryset, value)

    def filter_entry(self, queryset, name, value):
        return with_entry(queryset, value)

    def filter_category(self, queryset, name, value):
        return with_category(queryset, value)

    def filter_criterion(self, queryset, name, value):
        return citing(queryset, value)


# The auditors' filters as functions over applications: the page's AuditFilter and the API's
# ApplicationFilter share them.


def with_outcome(queryset, value: str):
    if value == "granted":
        return queryset.filter(decision__outcome=Decision.Outcome.GRANTED)
    if value == "granted_in_full":
        return queryset.filter(decision__outcome=Decision.Outcome.GRANTED, decision__partial=False)
    if value == "partial":
        return queryset.filter(decision__outcome=Decision.Outcome.GRANTED, decision__partial=True)
    return queryset.filter(decision__outcome=Decision.Outcome.REFUSED)


def _with_goods(queryset, condition: Q):
    # EXISTS, not a join: a file with two matching lines is listed once.
    return queryset.filter(Exists(GoodsItem.objects.filter(condition, application=OuterRef("pk"))))


def with_entry(queryset, value: str):
    return _with_goods(queryset, Q(control_entry__iexact=value.strip()))


def with_category(queryset, value: str):
    value = value.strip().rstrip(".")
    if value[-1:].isdigit():
        # ML1 is ML1 and ML1.a, never ML10; 5A002 is 5A002 and 5A002.a, never 5A0021.
        pattern = rf"^{re.escape(value)}([^0-9]|$)"
        return _with_goods(queryset, Q(control_entry__iregex=pattern))
    return _with_goods(queryset, Q(control_entry__istartswith=value))


def citing(queryset, code: str):
    # ``Decision.criteria`` holds every criterion the decision cites: the grounds of a
    # refusal, or on a partial grant those of each refused line. Matched on the JSON text
    # with its quotes ('"1"' is not inside '"DU1"'), the same on PostgreSQL and SQLite.
    cited = (
        Decision.objects.annotate(criteria_text=Cast("criteria", TextField()))
        .filter(criteria_text__contains=f'"{code}"')
        .values("application_id")
    )
    return queryset.filter(pk__in=cited)


class ApplicantFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)

    class Meta:
        fields: list[str] = []


def filtered(filterset_class, data, queryset, **kwargs):
    """The filterset over ``queryset``. A value that does not validate is reported by the
    filter form and simply not applied (django-filter filters on ``cleaned_data`` only)."""
    filterset = filterset_class(data or None, queryset=queryset, **kwargs)
    if filterset.is_bound:
        filterset.is_valid()
    return filterset


# "Decided (or submitted) in a given month, newest first": PostgreSQL walks the files by their
# last change, backwards, and filters on the decision's date, expecting the month's files spread
# evenly over that walk; they are not (a file is last changed when it is decided), so it read
# 280,000 rows for 26 (3.4 s at a million files). Sorting by the same instant written as an
# expression the ``updated`` index cannot serve makes it take the month's files from the date's
# index and sort those (a few thousand): the same rows in the same order.
BOUNDED_RANGES = (("decided_after", "decided_before"), ("submitted_after", "submitted_before"))


def page_queryset(filterset):
    """``filterset.qs`` for a page of the list, in the order the planner serves best."""
    queryset = filterset.qs
    if not filterset.is_bound or not filterset.is_valid():
        return queryset
    data = filterset.form.cleaned_data
    bounded = any(data.get(low) and data.get(high) for low, high in BOUNDED_RANGES)
    order = list(queryset.query.order_by)
    if not bounded or not order or order[0] not in ("updated_at", "-updated_at"):
        return queryset
    updated = ExpressionWrapper(
        F("updated_at") + Value(timedelta(0)), output_field=models.DateTimeField()
    )
    first = order[0].replace("updated_at", "updated_order")
    return queryset.annotate(updated_order=updated).order_by(first, *order[1:])


# The filter forms as opened (no filter given), rendered once per language, form, kept parameters
# and version of the choices read from the database: the form of 17 filters with its thousands of
# options was a third of the search page's CPU on every request.
_OPENED_FORMS: dict[tuple, str] = {}
MAX_OPENED_FORMS = 64


def _carries_values(filterset) -> bool:
    data = filterset.data or {}
    return any(data.get(name) not in (None, "") for name in filterset.filters)


def _choices_version(filterset) -> tuple | None:
    """What identifies the form's choices read from the database; None when a change to them
    cannot be told (then the form is rendered afresh)."""
    parts: list[tuple] = []
    for name, filter_ in filterset.filters.items():
        if not isinstance(filter_, django_filters.ModelChoiceFilter):
            continue
        widget = filter_.extra.get("widget")
        fixed = isinstance(widget, type) and not issubclass(widget, ListedOnceSelect)
        if fixed and issubclass(widget, RenderedOnceSelect):
            version = widget().version()
            if version is None:
                return None
            parts.append((name, version))
            continue
        # A short list (the people): its options themselves are the version.
        field = filter_.field
        parts.append(
            (name, tuple((obj.pk, str(field.label_from_instance(obj))) for obj in field.queryset))
        )
    return tuple(parts)


def opened_form(filterset, *, keep: list[tuple[str, str]] | None = None) -> str | None:
    """The filter form (permits/_filters.html) as opened, from the per-process cache; None when
    the request gives a filter (the form then shows its values and errors: rendered afresh)."""
    if _carries_values(filterset):
        return None
    version = _choices_version(filterset)
    if version is None:
        return None
    key = (
        type(filterset).__qualname__,
        translation.get_language(),
        tuple(keep or ()),
        version,
    )
    html = _OPENED_FORMS.get(key)
    if html is None:
        html = render_to_string(
            "permits/_filters.html",
            {"filter": type(filterset)(None, queryset=filterset.queryset), "keep": keep},
        )
        if len(_OPENED_FORMS) >= MAX_OPENED_FORMS:
            _OPENED_FORMS.clear()
        _OPENED_FORMS[key] = html
    return html


def filter_record(filterset) -> dict[str, list[str]]:
    """The filter an export applied, as given (``{"kind": ["export"]}``): only the filters
    (not the sort, the page, the export's own parameters), only those with a value."""
    data = filterset.form.data
    record = {}
    for name in filterset.filters:
        if name == "o":
            continue
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        values = [str(v) for v in values if v not in (None, "")]
        if values:
            record[name] = values
    return record
