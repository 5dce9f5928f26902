"""After issue: the holder ships goods against the licence's balances and amends or renews
it; the head of unit suspends, reinstates or revokes it; the daily sweep expires it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionGuardFailed

from .. import events, rules
from ..models import (
    GoodsItem,
    Licence,
    LicenceLine,
    Party,
    PermitApplication,
    Shipment,
    ShipmentLine,
)
from ..selectors import licence_balances
from ._base import (
    User,
    applicant_notify,
    application_locked,
    done,
    guard_check,
    licence_locked,
    transition_check,
    transition_make,
)


@transaction.atomic
def application_revoke(
    *, application: PermitApplication, actor: User, reason: str
) -> PermitApplication:
    locked = application_locked(application)
    transition_check(locked, "revoke", actor)
    guard_check(
        "revoke", rules.required_text("reason", reason, _("A revocation must state its reason."))
    )
    source = transition_make(locked, "revoke", actor)
    # A replaced licence stays "replaced": its successor is what the revocation would concern.
    Licence.objects.filter(application=locked).exclude(status=Licence.Status.REPLACED).update(
        status=Licence.Status.REVOKED
    )
    record = events.transition_recorded(
        application=locked, name="revoke", source_state=source, actor=actor, comment=reason.strip()
    )
    applicant_notify(locked, "licence_revoked", occurrence=record.pk)
    return done(application, locked)


@transaction.atomic
def application_expire(
    *, application: PermitApplication, actor: None = None, today: date | None = None
) -> PermitApplication:
    today = today or timezone.localdate()
    locked = application_locked(application)
    transition_check(locked, "expire", actor)
    licence = Licence.objects.filter(application=locked).first()
    if licence is None or licence.valid_until >= today:
        guard_check("expire", {"licence": [_("The licence is still within its validity.")]})
    source = transition_make(locked, "expire", actor)
    Licence.objects.filter(application=locked).update(status=Licence.Status.EXPIRED)
    events.transition_recorded(
        application=locked,
        name="expire",
        source_state=source,
        actor=actor,
        swept_on=today.isoformat(),
    )
    return done(application, locked)


def _shipment_problems(
    licence: Licence,
    *,
    shipped_on: date,
    customs_reference: str,
    wanted: dict[int, Decimal],
    balances: dict[int, dict],
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (licence.valid_from <= shipped_on <= licence.valid_until):
        errors["shipped_on"] = [
            _("The shipment date must fall within the licence's validity (%(a)s to %(b)s).")
            % {"a": licence.valid_from.isoformat(), "b": licence.valid_until.isoformat()}
        ]
    if not customs_reference.strip():
        errors["customs_reference"] = [_("The customs declaration reference is required.")]
    if not wanted:
        errors["quantities"] = [_("Ship at least one line of the licence.")]
    for line_id, quantity in wanted.items():
        balance = balances.get(line_id)
        field = f"quantities[{line_id}]"
        if balance is None:
            errors[field] = [_("This line is not part of the licence.")]
        elif quantity < 0:
            errors[field] = [_("A quantity cannot be negative.")]
        elif quantity > balance["remaining_quantity"]:
            errors[field] = [
                _("%(quantity)s exceeds the remaining balance of %(remaining)s %(unit)s.")
                % {
                    "quantity": f"{quantity.normalize():f}",
                    "remaining": f"{balance['remaining_quantity'].normalize():f}",
                    "unit": balance["line"].unit,
                }
            ]
    return errors


@transaction.atomic
def shipment_record(
    *,
    licence: Licence,
    actor: User,
    shipped_on: date,
    customs_reference: str,
    quantities: dict[int, Decimal],
    holder_reference: str = "",
) -> Shipment:
    """Record a shipment against the licence's balances; refuse anything beyond a balance.

    ``quantities`` maps licence line ids to shipped quantities. When every balance reaches
    zero the licence is exhausted. ``holder_reference`` is the holder's own reference of a
    usage report sent through the API (``permits.actions.usage``).
    """
    locked = licence_locked(licence)
    if not rules.can_use_licence(locked.application, actor):
        raise TransitionForbidden(
            _("Only the licence holder records its shipments."), transition="shipment"
        )
    if locked.status == Licence.Status.REPLACED:
        successor = locked.replaced_by
        raise TransitionConflict(
            _(
                "Licence %(number)s was replaced by licence %(successor)s: record the shipment "
                "against %(successor)s."
            )
            % {"number": locked.number, "successor": successor.number if successor else "?"},
            transition="shipment",
        )
    if locked.status != Licence.Status.VALID:
        raise TransitionConflict(
            _("Licence %(number)s is %(status)s: no shipment can be recorded against it.")
            % {"number": locked.number, "status": locked.get_status_display().lower()},
            transition="shipment",
        )
    balances = {b["line"].pk: b for b in licence_balances(licence=locked)}
    wanted = {int(k): Decimal(v) for k, v in quantities.items() if Decimal(v) != 0}
    guard_check(
        "shipment",
        _shipment_problems(
            locked,
            shipped_on=shipped_on,
            customs_reference=customs_reference,
            wanted=wanted,
            balances=balances,
        ),
    )
    shipment = Shipment.objects.create(
        licence=locked,
        shipped_on=shipped_on,
        customs_reference=customs_reference.strip(),
        holder_reference=holder_reference,
        recorded_by=actor,
    )
    for line_id, quantity in wanted.items():
        line = balances[line_id]["line"]
        unit_value = (
            line.authorised_value / line.authorised_quantity if line.authorised_quantity else 0
        )
        ShipmentLine.objects.create(
            shipment=shipment,
            licence_line=line,
            quantity=quantity,
            value=(quantity * unit_value).quantize(Decimal("0.01")),
        )
    events.shipment_recorded(
        application=locked.application, actor=actor, shipment=shipment, quantities=wanted
    )
    if all(b["remaining_quantity"] == 0 for b in licence_balances(licence=locked)):
        Licence.objects.filter(pk=locked.pk).update(status=Licence.Status.EXHAUSTED)
        events.licence_exhausted(application=locked.application, actor=actor)
    return shipment


def _licence_status_check(
    licence: Licence, *, name: str, actor: User, expected: str, reason: str
) -> None:
    if not rules.can_suspend_licence(licence.application, actor):
        raise TransitionForbidden(
            _("Only the head of unit can suspend or reinstate a licence."),
            transition=name,
        )
    if licence.status != expected:
        raise TransitionConflict(
            _("Licence %(number)s is %(status)s.")
            % {"number": licence.number, "status": licence.get_status_display().lower()},
            transition=name,
        )
    guard_check(name, rules.required_text("reason", reason, _("A reason is required.")))


@transaction.atomic
def licence_suspend(*, licence: Licence, actor: User, reason: str) -> Licence:
    locked = licence_locked(licence)
    _licence_status_check(
        locked, name="licence_suspended", actor=actor, expected=Licence.Status.VALID, reason=reason
    )
    Licence.objects.filter(pk=locked.pk).update(status=Licence.Status.SUSPENDED)
    record = events.licence_suspended(
        application=locked.application, actor=actor, reason=reason.strip()
    )
    applicant_notify(locked.application, "licence_suspended", occurrence=record.pk)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def licence_reinstate(*, licence: Licence, actor: User, reason: str) -> Licence:
    locked = licence_locked(licence)
    _licence_status_check(
        locked,
        name="licence_reinstated",
        actor=actor,
        expected=Licence.Status.SUSPENDED,
        reason=reason,
    )
    Licence.objects.filter(pk=locked.pk).update(status=Licence.Status.VALID)
    record = events.licence_reinstated(
        application=locked.application, actor=actor, reason=reason.strip()
    )
    applicant_notify(locked.application, "licence_reinstated", occurrence=record.pk)
    locked.refresh_from_db()
    return locked


@transaction.atomic
def licence_follow_up_create(*, licence: Licence, actor: User, follow_up: str) -> PermitApplication:
    """Start an amendment or a renewal of ``licence``: a new draft that copies the application
    it was issued on (goods, parties, route) and points back to it."""
    if follow_up not in ("amendment", "renewal"):
        raise TransitionGuardFailed(
            {"follow_up": [_("Choose amendment or renewal.")]}, transition="follow_up"
        )
    locked = licence_locked(licence)
    original = locked.application
    if not rules.can_use_licence(original, actor):
        raise TransitionForbidden(
            _("Only the licence holder can amend or renew it."), transition="follow_up"
        )
    if locked.status == Licence.Status.REVOKED:
        raise TransitionConflict(
            _("A revoked licence cannot be amended or renewed."), transition="follow_up"
        )
    if locked.status == Licence.Status.REPLACED:
        raise TransitionConflict(
            _("Licence %(number)s was replaced by %(successor)s: amend or renew %(successor)s.")
            % {"number": locked.number, "successor": locked.replaced_by.number},
            transition="follow_up",
        )
    draft = PermitApplication.objects.create(
        organisation=original.organisation,
        kind=original.kind,
        regime=original.regime,
        licence_type=original.licence_type,
        country_of_origin=original.country_of_origin,
        country_of_destination=original.country_of_destination,
        transit_countries=original.transit_countries,
        end_use_statement=original.end_use_statement,
        requested_validity_months=original.requested_validity_months,
        total_value=original.total_value,
        follows=original,
        follow_up=follow_up,
        created_by=actor,
        updated_by=actor,
    )
    # A renewal carries on what is left: each item at its remaining balance, used-up items
    # dropped. An amendment starts from the items as authorised.
    # Each copied item remembers the licence line it continues: at approval its line is
    # capped by what that line still has left (licence_replace_original).
    remaining = {
        b["line"].goods_item_id: b["remaining_quantity"] for b in licence_balances(licence=locked)
    }
    lines = {line.goods_item_id: line for line in locked.lines.all()}
    GoodsItem.objects.bulk_create(
        GoodsItem(
            application=draft,
            description=g.description,
            control_entry=g.control_entry,
            quantity=remaining.get(g.pk, g.quantity) if follow_up == "renewal" else g.quantity,
            unit=g.unit,
            unit_value=g.unit_value,
            currency=g.currency,
            carried_from=lines.get(g.pk),
        )
        for g in original.goods.all()
        if follow_up != "renewal" or remaining.get(g.pk, g.quantity) > 0
    )
    Party.objects.bulk_create(
        Party(application=draft, role=p.role, name=p.name, address=p.address, country=p.country)
        for p in original.parties.all()
    )
    events.licence_follow_up_started(
        application=original, actor=actor, follow_up=follow_up, draft=draft
    )
    return draft


def _original_licence(application: PermitApplication) -> Licence | None:
    if application.follows_id is None:
        return None
    return Licence.objects.filter(application_id=application.follows_id).first()


def licence_replace_original(*, licence: Licence, actor: User) -> Licence | None:
    """Called by the approval of an amendment or renewal, inside its transaction, once
    ``licence`` (the new one) and its lines exist: close the original licence as replaced and
    cap each carried-over line at what the original line still had left, so that the total
    that can be shipped never grows by replacing a licence.

    Locks the original licence: of two follow-ups of the same licence approved at once, the
    second waits, then finds the original replaced and is refused (its whole approval rolls
    back). Lines the follow-up added (no ``carried_from``) are new goods, assessed like any
    application's, and keep what the decision granted.
    """
    application = licence.application
    if application.follows_id is None:
        return None
    original = _original_licence(application)
    if original is None:
        return None
    original = licence_locked(original)
    problems = rules.follow_up_problems(application, original=original)
    if problems:
        raise TransitionConflict(problems["follows"][0], transition="approve")
    balances = {b["line"].pk: b for b in licence_balances(licence=original)}
    for line in licence.lines.select_related("goods_item"):
        source = line.goods_item.carried_from_id
        if source is None:
            continue
        balance = balances.get(source)
        quantity = min(line.authorised_quantity, balance["remaining_quantity"] if balance else 0)
        value = min(line.authorised_value, balance["remaining_value"] if balance else 0)
        if (quantity, value) != (line.authorised_quantity, line.authorised_value):
            LicenceLine.objects.filter(pk=line.pk).update(
                authorised_quantity=quantity, authorised_value=value
            )
    Licence.objects.filter(pk=original.pk).update(
        status=Licence.Status.REPLACED, replaced_by=licence
    )
    events.licence_replaced(application=original.application, actor=actor, successor=licence)
    events.licence_replaces(application=application, actor=actor, original=original)
    return original
