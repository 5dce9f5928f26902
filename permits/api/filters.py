"""Query filters of the permits API (django-filter)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema_field

from workflow.models import TransitionRecord
from workflow.roles import SYSTEM_ROLE, Role

from ..models import Kind, LicenceType, PermitApplication, Regime, Status
from ..services import TRANSITION_SERVICES


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": 40})
class ReferenceFilter(django_filters.CharFilter):
    """A reference number, exactly."""


HISTORY_TRANSITIONS = sorted(
    [*TRANSITION_SERVICES, "document_uploaded", "decision_document_stored"]
)


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    regime = django_filters.ChoiceFilter(choices=Regime.choices)
    licence_type = django_filters.ChoiceFilter(choices=LicenceType.choices)
    reference = ReferenceFilter(max_length=40)
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    submitted_after = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = django_filters.IsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")

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
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = TransitionRecord
        fields: list[str] = []
