"""Customs decrement a licence line for each declaration they clear against it.

A decrement is a shipment: the same row (``Shipment``, ``source="customs"``) and the same
balances as the holder's own reports, so that the balance customs check and the one the holder
and the unit read are one figure. The declaration reference is the natural idempotency key: a
declaration draws on a licence line once; sent again with the same content it returns the first
decrement, with different content it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionGuardFailed

from .. import events, notifications, rules
from ..models import Licence, LicenceLine, Shipment, ShipmentLine
from ..selectors import licence_balances
from ..usage_selectors import licence_line_positions, remaining_after
from ._base import User, licence_locked

CENT = Decimal("0.01")


class LicenceNotUsable(TransitionConflict):
    """The licence cannot be drawn on: ``reason`` is its status (or ``expired`` when its
    validity ended before the daily sweep marked it), ``successor`` a replacement's number."""

    def __init__(self, message: str, *, reason: str, successor: str | None = None) -> None:
        super().__init__(message, transition="customs_decrement")
        self.reason = reason
        self.successor = successor


class BalanceExceeded(TransitionGuardFailed):
    """The decrement asks for more than the line has left; carries what it has left."""

    def __init__(self, errors: dict[str, list[str]], *, line: LicenceLine, remaining: dict) -> None:
        super().__init__(errors, transition="customs_decrement")
        self.line = line
        self.remaining_quantity: Decimal = remaining["remaining_quantity"]
        self.remaining_value: Decimal = remaining["remaining_value"]


@dataclass(frozen=True)
class Decrement:
    shipment_line: ShipmentLine
    position: int
    remaining_quantity: Decimal
    remaining_value: Decimal
    # False when the declaration had already decremented this line: nothing was written.
    created: bool


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _usable_check(licence: Licence, today: date) -> None:
    if licence.status == Licence.Status.REPLACED:
        successor = licence.replaced_by.number if licence.replaced_by else ""
        raise LicenceNotUsable(
            _("Licence %(number)s was replaced by licence %(successor)s: decrement %(successor)s.")
            % {"number": licence.number, "successor": successor or "?"},
            reason=licence.status,
            successor=successor or None,
        )
    if licence.status == Licence.Status.VALID and licence.valid_until < today:
        raise LicenceNotUsable(
            _("Licence %(number)s expired on %(date)s.")
            % {"number": licence.number, "date": licence.valid_until.isoformat()},
            reason=Licence.Status.EXPIRED,
        )
    if licence.status != Licence.Status.VALID:
        raise LicenceNotUsable(
            _("Licence %(number)s is %(status)s: it cannot be decremented.")
            % {"number": licence.number, "status": licence.get_status_display().lower()},
            reason=licence.status,
        )


def _replay(
    existing: ShipmentLine,
    *,
    declared_on: date,
    customs_office: str,
    quantity: Decimal | None,
    value: Decimal | None,
) -> None:
    """Refuse a declaration sent again with other content than it was first recorded with."""
    shipment = existing.shipment
    same = (
        shipment.shipped_on == declared_on
        and shipment.customs_office == customs_office
        and (quantity is None or existing.quantity == quantity)
        and (value is None or existing.value == value)
    )
    if not same:
        raise TransitionConflict(
            _(
                "Declaration %(reference)s already decremented this line (%(quantity)s, "
                "%(value)s, on %(date)s at %(office)s) with other figures; it is not "
                "decremented again."
            )
            % {
                "reference": shipment.customs_reference,
                "quantity": _number(existing.quantity),
                "value": _number(existing.value),
                "date": shipment.shipped_on.isoformat(),
                "office": shipment.customs_office,
            },
            transition="customs_decrement",
        )


def _problems(
    licence: Licence,
    *,
    declaration_reference: str,
    declared_on: date,
    customs_office: str,
    quantity: Decimal | None,
    value: Decimal | None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not declaration_reference:
        errors["declaration_reference"] = [_("The customs declaration reference is required.")]
    if not customs_office:
        errors["customs_office"] = [_("The customs office is required.")]
    if not (licence.valid_from <= declared_on <= licence.valid_until):
        errors["declared_on"] = [
            _("The declaration date must fall within the licence's validity (%(a)s to %(b)s).")
            % {"a": licence.valid_from.isoformat(), "b": licence.valid_until.isoformat()}
        ]
    if quantity is None and value is None:
        errors["quantity"] = [_("Give the quantity, the value or both.")]
    for field, amount in (("quantity", quantity), ("value", value)):
        if amount is not None and amount < 0:
            errors[field] = [_("It cannot be negative.")]
    if not errors and not (quantity or value):
        errors["quantity"] = [_("A decrement draws on the licence: give more than zero.")]
    return errors


@transaction.atomic
def licence_line_decrement(
    *,
    licence_line: LicenceLine,
    actor: User,
    declaration_reference: str,
    declared_on: date,
    customs_office: str,
    quantity: Decimal | None = None,
    value: Decimal | None = None,
    today: date | None = None,
) -> Decrement:
    """Draw ``quantity`` and/or ``value`` of a licence line for a customs declaration.

    Only the quantity given: the value is the line's unit value times it (at most what is
    left). Only the value given: no quantity is drawn. Refused (nothing written) on a licence
    that is not valid, beyond the line's balance, or for a declaration that already drew on the
    line with other figures.
    """
    if not rules.can_decrement_licence(actor):
        raise TransitionForbidden(
            _("Only customs decrement licences."), transition="customs_decrement"
        )
    today = today or timezone.localdate()
    declaration_reference = (declaration_reference or "").strip().upper()
    customs_office = (customs_office or "").strip().upper()
    # The lock serialises every use of the licence: of two declarations that together exceed
    # a balance the second sees what the first left, and a declaration sent twice at once
    # finds the first one's decrement.
    licence = licence_locked(licence_line.licence)
    position = licence_line_positions(licence=licence)[licence_line.pk]
    existing = (
        ShipmentLine.objects.filter(
            licence_line=licence_line,
            shipment__licence=licence,
            shipment__source=Shipment.Source.CUSTOMS,
            shipment__customs_reference=declaration_reference,
        )
        .select_related("shipment", "licence_line")
        .first()
    )
    if existing is not None:
        _replay(
            existing,
            declared_on=declared_on,
            customs_office=customs_office,
            quantity=quantity,
            value=value,
        )
        left_quantity, left_value = remaining_after(shipment_line=existing)
        return Decrement(existing, position, left_quantity, left_value, created=False)

    _usable_check(licence, today)
    balance = next(b for b in licence_balances(licence=licence) if b["line"].pk == licence_line.pk)
    line = balance["line"]
    errors = _problems(
        licence,
        declaration_reference=declaration_reference,
        declared_on=declared_on,
        customs_office=customs_office,
        quantity=quantity,
        value=value,
    )
    if errors:
        raise TransitionGuardFailed(errors, transition="customs_decrement")
    drawn_quantity = quantity if quantity is not None else Decimal("0")
    if value is not None:
        drawn_value = value
    else:
        unit_value = (
            line.authorised_value / line.authorised_quantity if line.authorised_quantity else 0
        )
        drawn_value = min((drawn_quantity * unit_value).quantize(CENT), balance["remaining_value"])
    over: dict[str, list[str]] = {}
    if drawn_quantity > balance["remaining_quantity"]:
        over["quantity"] = [
            _("%(quantity)s exceeds the remaining balance of %(remaining)s %(unit)s.")
            % {
                "quantity": _number(drawn_quantity),
                "remaining": _number(balance["remaining_quantity"]),
                "unit": line.unit,
            }
        ]
    if drawn_value > balance["remaining_value"]:
        over["value"] = [
            _("%(value)s exceeds the remaining value of %(remaining)s %(currency)s.")
            % {
                "value": _number(drawn_value),
                "remaining": _number(balance["remaining_value"]),
                "currency": balance["currency"],
            }
        ]
    if over:
        raise BalanceExceeded(over, line=line, remaining=balance)

    shipment = Shipment.objects.filter(
        licence=licence,
        source=Shipment.Source.CUSTOMS,
        customs_reference=declaration_reference,
    ).first()
    if shipment is None:
        shipment = Shipment.objects.create(
            licence=licence,
            source=Shipment.Source.CUSTOMS,
            shipped_on=declared_on,
            customs_reference=declaration_reference,
            customs_office=customs_office,
            recorded_by=actor,
        )
    elif (shipment.shipped_on, shipment.customs_office) != (declared_on, customs_office):
        raise TransitionConflict(
            _(
                "Declaration %(reference)s was recorded on %(date)s at %(office)s: one "
                "declaration has one date and one office."
            )
            % {
                "reference": declaration_reference,
                "date": shipment.shipped_on.isoformat(),
                "office": shipment.customs_office,
            },
            transition="customs_decrement",
        )
    shipment_line = ShipmentLine.objects.create(
        shipment=shipment, licence_line=line, quantity=drawn_quantity, value=drawn_value
    )
    events.customs_decrement_recorded(
        application=licence.application,
        actor=actor,
        shipment_line=shipment_line,
        position=position,
    )
    notifications.customs_decrement_enqueue(
        shipment_line=shipment_line,
        position=position,
        remaining_quantity=balance["remaining_quantity"] - drawn_quantity,
        remaining_value=balance["remaining_value"] - drawn_value,
        currency=balance["currency"],
    )
    if all(b["remaining_quantity"] == 0 for b in licence_balances(licence=licence)):
        Licence.objects.filter(pk=licence.pk).update(status=Licence.Status.EXHAUSTED)
        events.licence_exhausted(application=licence.application, actor=actor)
    return Decrement(
        shipment_line,
        position,
        balance["remaining_quantity"] - drawn_quantity,
        balance["remaining_value"] - drawn_value,
        created=True,
    )
