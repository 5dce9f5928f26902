"""Filter and ordering backends that refuse meaningless query parameters with a 400 instead of
silently ignoring them, so that a client's typo never reads as "no filter"."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_filters import MultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from .params import refuse_repeated


class StrictDjangoFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            refuse_repeated(
                request,
                [
                    name
                    for name, declared in filterset_class.base_filters.items()
                    if not isinstance(declared, MultipleChoiceFilter)
                ],
            )
            empty = {
                name: [_("Give a value or leave the parameter out.")]
                for name in filterset_class.base_filters
                if name in request.query_params
                and any(value == "" for value in request.query_params.getlist(name))
            }
            if empty:
                raise ValidationError(empty)
        return super().filter_queryset(request, queryset, view)


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=field`` or ``?ordering=-field``: exactly one of the view's ordering fields."""

    def _choices(self, view) -> list[str]:
        fields = getattr(view, "ordering_fields", None) or []
        return [term for field in fields for term in (field, f"-{field}")]

    def get_ordering(self, request, queryset, view):
        refuse_repeated(request, [self.ordering_param])
        param = request.query_params.get(self.ordering_param)
        if param is not None:
            choices = self._choices(view)
            if param not in choices:
                raise ValidationError(
                    {self.ordering_param: [_("Order by one of: %s.") % ", ".join(choices)]}
                )
            return [param]
        return self.get_default_ordering(view)

    def get_schema_operation_parameters(self, view):
        choices = self._choices(view)
        if not choices:
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Which field to order the results by (prefix - for descending).",
                "schema": {"type": "string", "enum": choices},
            }
        ]
