"""Filters and sorting of the web application's lists (django-filter).

Unlike the API's strict filters, a bad value here never fails the page: the form shows the
error and the list stays unfiltered for that field.
"""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import Decision, Kind, Party, Regime, Status

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
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices)
    regime = django_filters.ChoiceFilter(label=_("Regime"), choices=Regime.choices)
    destination = django_filters.ChoiceFilter(
        label=_("Destination"), field_name="country_of_destination", choices=countries
    )

    class Meta:
        fields: list[str] = []


class QueueFilter(BaseApplicationFilter):
    age = django_filters.ChoiceFilter(label=_("Age"), choices=AGE_CHOICES, method="filter_age")
    o = Sort(
        label=_("Sort by"),
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


class AuditFilter(BaseApplicationFilter):
    q = django_filters.CharFilter(
        label=_("Reference, organisation or party"), method="filter_text", max_length=100
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    outcome = django_filters.ChoiceFilter(
        label=_("Decision"), field_name="decision__outcome", choices=Decision.Outcome.choices
    )
    decided_after = django_filters.DateFilter(
        label=_("Decided on or after"),
        field_name="decided_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    decided_before = django_filters.DateFilter(
        label=_("Decided on or before"),
        field_name="decided_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    o = Sort(
        label=_("Sort by"),
        fields=[
            ("updated_at", "updated"),
            ("submitted_at", "submitted"),
            ("decided_at", "decided"),
            ("reference", "reference"),
            ("organisation__legal_name", "organisation"),
        ],
        field_labels={
            "updated": _("Updated"),
            "submitted": _("Submitted"),
            "decided": _("Decided"),
            "reference": _("Reference"),
            "organisation": _("Organisation"),
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
