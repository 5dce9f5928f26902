"""Query filters of the permits API (django-filter)."""

from __future__ import annotations

from datetime import UTC

import django_filters
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from workflow.models import TransitionRecord
from workflow.roles import SYSTEM_ROLE, Role

from .. import events
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

    class Meta:
        model = PermitApplication
        fields: list[str] = []


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
