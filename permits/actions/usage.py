"""Usage reports from the holder's own systems: shipments and returns in bulk, through the same
actions (and so the same rules, history and notifications) as the web forms.

A report is all or nothing: one refused line and nothing of it is stored. Each line carries
the holder's own reference; a reference already stored on the licence with the same content is
the same line sent again and is not stored twice, with other content it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionGuardFailed

from .. import rules
from ..models import GoodsReturn, Licence, Shipment, ShipmentLine
from ..usage_selectors import licence_line_positions
from ._base import User, licence_locked
from .licences import shipment_record
from .temporary import goods_return_record

SHIPMENT = "shipment"
RETURN = "return"


@dataclass(frozen=True)
class UsageLine:
    """What became of one line of a report: the shipment or return stored under its
    reference, and whether this report stored it (False: an earlier report had)."""

    index: int
    type: str
    reference: str
    record: Shipment | GoodsReturn
    created: bool


def _refused(index: int, errors: dict[str, list[str]]) -> TransitionGuardFailed:
    return TransitionGuardFailed(
        {f"lines[{index}].{field}": messages for field, messages in errors.items()},
        transition="usage_report",
    )


def _line_message(index: int, message: str) -> str:
    return _("Line %(index)s: %(message)s") % {"index": index, "message": message}


def _same_reference_conflict(index: int, reference: str) -> TransitionConflict:
    return TransitionConflict(
        _line_message(
            index,
            _(
                "reference %(reference)s was already reported for this licence with other "
                "content; it is not stored again."
            )
            % {"reference": reference},
        ),
        transition="usage_report",
    )


def _existing(licence: Licence, reference: str) -> Shipment | GoodsReturn | None:
    shipment = Shipment.objects.filter(licence=licence, holder_reference=reference).first()
    if shipment is not None:
        return shipment
    return (
        GoodsReturn.objects.filter(
            shipment_line__shipment__licence=licence, holder_reference=reference
        )
        .select_related("shipment_line__shipment")
        .first()
    )


def _shipment_quantities(entry: dict[str, Any], positions: dict[int, int]) -> dict[int, Decimal]:
    by_position = {position: pk for pk, position in positions.items()}
    return {by_position[q["line"]]: q["quantity"] for q in entry["quantities"]}


def _return_line(
    licence: Licence, entry: dict[str, Any], positions: dict[int, int]
) -> ShipmentLine | None:
    shipments = Shipment.objects.filter(licence=licence)
    if entry.get("shipment") is not None:
        shipments = shipments.filter(pk=entry["shipment"])
    else:
        shipments = shipments.filter(holder_reference=entry.get("shipment_reference", ""))
    by_position = {position: pk for pk, position in positions.items()}
    return ShipmentLine.objects.filter(
        shipment__in=shipments, licence_line_id=by_position.get(entry["line"])
    ).first()


def _check_positions(index: int, entry: dict[str, Any], positions: dict[int, int]) -> None:
    known = set(positions.values())
    if entry["type"] == SHIPMENT:
        errors = {
            f"quantities[{j}].line": [_("The licence has no line at this position.")]
            for j, q in enumerate(entry["quantities"])
            if q["line"] not in known
        }
    else:
        errors = (
            {"line": [_("The licence has no line at this position.")]}
            if entry["line"] not in known
            else {}
        )
    if errors:
        raise _refused(index, errors)


def _same_shipment(shipment: Shipment, entry: dict[str, Any], wanted: dict[int, Decimal]) -> bool:
    stored = {line.licence_line_id: line.quantity for line in shipment.lines.all()}
    return (
        shipment.shipped_on == entry["shipped_on"]
        and shipment.customs_reference == entry["customs_reference"].strip()
        and stored == {pk: q for pk, q in wanted.items() if q != 0}
    )


def _same_return(goods_return: GoodsReturn, entry: dict[str, Any], line: ShipmentLine) -> bool:
    return (
        goods_return.shipment_line_id == line.pk
        and goods_return.quantity == entry["quantity"]
        and goods_return.returned_on == entry["returned_on"]
        and goods_return.customs_reference == entry["customs_reference"].strip()
    )


def _shipment_errors(errors: dict[str, list[str]], wanted: dict[int, Decimal]) -> dict:
    """The shipment action names lines by id; the report by their place in its list."""
    place = {pk: j for j, pk in enumerate(wanted)}
    renamed: dict[str, list[str]] = {}
    for field, messages in errors.items():
        if field.startswith("quantities[") and field.endswith("]"):
            pk = int(field[len("quantities[") : -1])
            field = f"quantities[{place.get(pk, pk)}].quantity"
        renamed[field] = messages
    return renamed


def _record_shipment(
    licence: Licence, actor: User, index: int, entry: dict[str, Any], positions: dict[int, int]
) -> UsageLine:
    wanted = _shipment_quantities(entry, positions)
    existing = _existing(licence, entry["reference"])
    if existing is not None:
        if isinstance(existing, Shipment) and _same_shipment(existing, entry, wanted):
            return UsageLine(index, SHIPMENT, entry["reference"], existing, created=False)
        raise _same_reference_conflict(index, entry["reference"])
    try:
        shipment = shipment_record(
            licence=licence,
            actor=actor,
            shipped_on=entry["shipped_on"],
            customs_reference=entry["customs_reference"],
            quantities=wanted,
            holder_reference=entry["reference"],
        )
    except TransitionGuardFailed as exc:
        raise _refused(index, _shipment_errors(exc.errors, wanted)) from exc
    return UsageLine(index, SHIPMENT, entry["reference"], shipment, created=True)


def _record_return(
    licence: Licence, actor: User, index: int, entry: dict[str, Any], positions: dict[int, int]
) -> UsageLine:
    line = _return_line(licence, entry, positions)
    if line is None:
        field = "shipment" if entry.get("shipment") is not None else "shipment_reference"
        raise _refused(
            index, {field: [_("No shipment of this licence took goods out on this line.")]}
        )
    existing = _existing(licence, entry["reference"])
    if existing is not None:
        if isinstance(existing, GoodsReturn) and _same_return(existing, entry, line):
            return UsageLine(index, RETURN, entry["reference"], existing, created=False)
        raise _same_reference_conflict(index, entry["reference"])
    try:
        goods_return = goods_return_record(
            shipment_line=line,
            actor=actor,
            quantity=entry["quantity"],
            returned_on=entry["returned_on"],
            customs_reference=entry["customs_reference"],
            holder_reference=entry["reference"],
        )
    except TransitionGuardFailed as exc:
        raise _refused(index, exc.errors) from exc
    return UsageLine(index, RETURN, entry["reference"], goods_return, created=True)


def _lock_returned_lines(licence: Licence, lines: list[dict[str, Any]]) -> None:
    """Lock the shipment lines goods come back on before the licence, in the order the web
    form's return takes them (shipment line, then the file): never the opposite order."""
    positions = licence_line_positions(licence=licence)
    ids = sorted(
        {
            found.pk
            for entry in lines
            if entry["type"] == RETURN
            and (found := _return_line(licence, entry, positions)) is not None
        }
    )
    if ids:
        list(ShipmentLine.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


@transaction.atomic
def usage_report_record(
    *, licence: Licence, actor: User, lines: list[dict[str, Any]]
) -> list[UsageLine]:
    """Record a holder's report of shipments and returns, all or none.

    Each entry of ``lines`` is a shipment (``type``, ``reference``, ``shipped_on``,
    ``customs_reference``, ``quantities``: ``[{"line": position, "quantity": Decimal}]``) or a
    return (``type``, ``reference``, ``shipment`` id or ``shipment_reference``, ``line``
    position, ``quantity``, ``returned_on``, ``customs_reference``). A refused entry raises
    with its index in every field name (``lines[3].quantity``) and nothing is stored.
    """
    if not rules.can_use_licence(licence.application, actor):
        raise TransitionForbidden(
            _("Only the licence holder reports its use."), transition="usage_report"
        )
    _lock_returned_lines(licence, lines)
    # Every line of the report, and any other report or decrement of this licence, queues on
    # this lock: a reference is looked up and stored by one of them at a time.
    locked = licence_locked(licence)
    positions = licence_line_positions(licence=locked)
    outcomes: list[UsageLine] = []
    for index, entry in enumerate(lines):
        _check_positions(index, entry, positions)
        record = _record_shipment if entry["type"] == SHIPMENT else _record_return
        try:
            outcomes.append(record(locked, actor, index, entry, positions))
        except (TransitionConflict, TransitionForbidden) as exc:
            if exc.message.startswith(_line_message(index, "")):
                raise
            raise type(exc)(_line_message(index, exc.message), transition="usage_report") from exc
    return outcomes
