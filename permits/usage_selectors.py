"""Reads of a licence's use for the customs interface and the holders' usage reports: a line
by its position on the licence, and the balance a decrement left."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce

from .models import Licence, LicenceLine, ShipmentLine


def licence_by_number(*, number: str) -> Licence | None:
    return (
        Licence.objects.select_related("holder", "application", "replaced_by")
        .filter(number=number)
        .first()
    )


def licence_line_positions(*, licence: Licence) -> dict[int, int]:
    """Licence line id → its position on the licence (1, 2, …), in the order it prints them."""
    ids = LicenceLine.objects.filter(licence=licence).order_by("id").values_list("id", flat=True)
    return {pk: position for position, pk in enumerate(ids, start=1)}


def licence_line_at(*, licence: Licence, position: int) -> LicenceLine | None:
    # No licence has anywhere near this many lines; a bigger offset would overflow the query.
    if not 1 <= position <= 100_000:
        return None
    return (
        LicenceLine.objects.filter(licence=licence)
        .select_related("goods_item")
        .order_by("id")[position - 1 : position]
        .first()
    )


def remaining_after(*, shipment_line: ShipmentLine) -> tuple[Decimal, Decimal]:
    """What the licence line had left just after ``shipment_line`` drew on it: the same figure
    whenever it is asked, so that a repeated declaration gets the first answer again."""
    line = shipment_line.licence_line
    drawn = ShipmentLine.objects.filter(licence_line=line, pk__lte=shipment_line.pk).aggregate(
        quantity=Coalesce(Sum("quantity"), Decimal("0")),
        value=Coalesce(Sum("value"), Decimal("0")),
    )
    return (
        line.authorised_quantity - drawn["quantity"],
        line.authorised_value - drawn["value"],
    )
