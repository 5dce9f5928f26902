"""Query parameters the API reads once: given twice, the request is refused with the parameter
named, instead of one of the values being picked silently."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError


def refuse_repeated(request, names: Iterable[str]) -> None:
    repeated = {
        name: [_("Give this parameter once.")]
        for name in names
        if len(request.query_params.getlist(name)) > 1
    }
    if repeated:
        raise ValidationError(repeated)


def whole_number_in_range(request, name: str, *, low: int, high: int) -> int | None:
    """The parameter as an integer between ``low`` and ``high``; None when it is absent."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ValidationError(
            {name: [_("A whole number from %(low)s to %(high)s.") % {"low": low, "high": high}]}
        )
    return value
