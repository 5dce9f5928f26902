"""Temporary movements: goods exported for a fair, a test or a repair come back within a year,
and the holder records each return against the shipment that took them out."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from workflow.exceptions import TransitionConflict, TransitionForbidden

from .. import events, rules
from ..models import GoodsReturn, ShipmentLine
from ..selectors import goods_outstanding, return_due_on
from ._base import User, guard_check


@transaction.atomic
def goods_return_record(
    *,
    shipment_line: ShipmentLine,
    actor: User,
    quantity: Decimal,
    returned_on: date,
    customs_reference: str,
    holder_reference: str = "",
) -> GoodsReturn:
    """Record temporarily exported goods coming back; never more than went out."""
    line = (
        ShipmentLine.objects.select_for_update()
        .select_related("shipment__licence__application")
        .get(pk=shipment_line.pk)
    )
    application = line.shipment.licence.application
    if not rules.can_use_licence(application, actor):
        raise TransitionForbidden(
            _("Only the licence holder records returns."), transition="goods_return"
        )
    if not application.temporary_purpose:
        raise TransitionConflict(
            _("This licence is for a definitive movement: nothing is to come back."),
            transition="goods_return",
        )
    errors: dict[str, list[str]] = {}
    outstanding = goods_outstanding(shipment_line=line)
    if quantity <= 0:
        errors["quantity"] = [_("Return a positive quantity.")]
    elif quantity > outstanding:
        errors["quantity"] = [
            _("Only %(outstanding)s went out and has not come back yet.")
            % {"outstanding": f"{outstanding.normalize():f}"}
        ]
    if returned_on < line.shipment.shipped_on:
        errors["returned_on"] = [_("Goods cannot come back before they left.")]
    if not customs_reference.strip():
        errors["customs_reference"] = [_("The customs declaration reference is required.")]
    guard_check("goods_return", errors)
    goods_return = GoodsReturn.objects.create(
        shipment_line=line,
        quantity=quantity,
        returned_on=returned_on,
        customs_reference=customs_reference.strip(),
        holder_reference=holder_reference,
        recorded_by=actor,
    )
    events.goods_returned(
        application=application,
        actor=actor,
        goods_return=goods_return,
        late=returned_on > return_due_on(line.shipment),
    )
    return goods_return
