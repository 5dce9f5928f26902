"""Query filters of the permits API (django-filter)."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django_countries import countries
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from workflow.models import TransitionRecord
from workflow.roles import SYSTEM_ROLE, Role

from .. import events
from .. import filters as page_filters
from ..compliance.criteria import CRITERIA
from ..models import Kind, LicenceType, PermitApplication, Regime, Status


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time, compared in UTC: any offset a client sends is valid, and one the
    database could not store (PostgreSQL stops at ±15:59) never reaches it."""

    def filter(self, qs, value):
        if value is not None:
            try:
                value = value.astimezone(UTC)
            except OverflowError as exc:
                raise ValidationError({self.field_name: ["Out of range."]}) from exc
        return super().filter(qs, value)


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": 40})
class ReferenceFilter(django_filters.CharFilter):
    """A reference number, exactly."""


@extend_schema_field(
    {"type": "string", "minLength": 1, "maxLength": 40, "pattern": "^[A-Za-z0-9][A-Za-z0-9.]*$"}
)
class ControlCodeFilter(django_filters.CharFilter):
    """A control-list code or category: letters, digits and dots."""


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": r"^\d{1,12}(?:\.\d{1,2})?$"}
)
class EuroFilter(django_filters.NumberFilter):
    """An amount in euro: up to twelve digits, two decimals, never negative."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=0, max_digits=14, decimal_places=2, **kwargs)


@extend_schema_field({"type": "string", "enum": [code for code, _name in countries]})
class CountryFilter(django_filters.ChoiceFilter):
    """An ISO 3166-1 alpha-2 country code."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=countries, **kwargs)


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": 150})
class UsernameFilter(django_filters.CharFilter):
    """A user's username, exactly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, max_length=150, **kwargs)


HISTORY_TRANSITIONS = sorted(events.CATALOGUE)


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    regime = django_filters.ChoiceFilter(choices=Regime.choices)
    licence_type = django_filters.ChoiceFilter(choices=LicenceType.choices)
    reference = ReferenceFilter(max_length=40)
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = DateTimeFilter(field_name="updated_at", lookup_expr="gte")
    submitted_after = DateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = DateTimeFilter(field_name="submitted_at", lookup_expr="lt")
    # The auditors' search, as on the page (permits/filters.py); each narrows what the caller
    # may read already, never widens it.
    decided_after = DateTimeFilter(field_name="decided_at", lookup_expr="gte")
    decided_before = DateTimeFilter(field_name="decided_at", lookup_expr="lt")
    destination = CountryFilter(field_name="country_of_destination", label="ISO 3166 code")
    outcome = django_filters.ChoiceFilter(
        choices=[(code, code) for code, _label in page_filters.OUTCOME_CHOICES],
        method="filter_outcome",
        label="granted (in full or in part), granted_in_full, partial or refused",
    )
    entry = ControlCodeFilter(
        method="filter_entry",
        max_length=40,
        validators=[page_filters.control_code],
        label="a goods line's control-list entry, exactly (ML10.a)",
    )
    category = ControlCodeFilter(
        method="filter_category",
        max_length=40,
        validators=[page_filters.control_code],
        label="a control-list category (ML10, 5A): entries it starts",
    )
    value_min = EuroFilter(
        field_name="total_value", lookup_expr="gte", label="declared total value in euro, at least"
    )
    value_max = EuroFilter(
        field_name="total_value", lookup_expr="lte", label="declared total value in euro, at most"
    )
    criterion = django_filters.ChoiceFilter(
        choices=[(code, code) for framework in CRITERIA.values() for code in framework],
        method="filter_criterion",
        label="a criterion the decision cites",
    )
    case_manager = UsernameFilter(
        field_name="assigned_case_manager__username", label="case manager's username"
    )
    approver = UsernameFilter(
        field_name="decision__decided_by__username", label="deciding head's username"
    )

    class Meta:
        model = PermitApplication
        fields: list[str] = []

    def filter_outcome(self, queryset, name, value):
        return page_filters.with_outcome(queryset, value)

    def filter_entry(self, queryset, name, value):
        return page_filters.with_entry(queryset, value)

    def filter_category(self, queryset, name, value):
        return page_filters.with_category(queryset, value)

    def filter_criterion(self, queryset, name, value):
        return page_filters.citing(queryset, value)


class HistoryFilter(django_filters.FilterSet):
    application = django_filters.UUIDFilter(
        field_name="application__public_id", label="application's public id"
    )
    reference = ReferenceFilter(
        field_name="application__reference", max_length=40, label="application's reference"
    )
    transition = django_filters.MultipleChoiceFilter(
        choices=[(name, name) for name in HISTORY_TRANSITIONS]
    )
    actor_role = django_filters.ChoiceFilter(
        choices=[(role.value, role.value) for role in Role] + [(SYSTEM_ROLE, SYSTEM_ROLE)]
    )
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = TransitionRecord
        fields: list[str] = []
