"""Drafts: an applicant creates an application and edits it, its goods and its parties, until
it is submitted. Each edit locks the draft and checks it is still one the actor may edit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from workflow.exceptions import TransitionForbidden, TransitionGuardFailed

from .. import rules
from ..control_lists import goods_line_errors, normalise_entry
from ..models import ApplicantOrganisation, GoodsItem, Party, PermitApplication
from ._base import User, draft_line_locked, draft_locked, full_clean

DRAFT_FIELDS = (
    "kind",
    "regime",
    "licence_type",
    "country_of_origin",
    "country_of_destination",
    "transit_countries",
    "end_use_statement",
    "requested_validity_months",
    "total_value",
    "temporary_purpose",
    "customs_office_of_export",
    "contract_reference",
    "contract_date",
)


def _refuse_unknown_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown draft fields: {', '.join(sorted(unknown))}")


def _control_entry_check(item: GoodsItem, regime: str) -> None:
    errors = goods_line_errors(
        control_entry=item.control_entry, catch_all_ground=item.catch_all_ground, regime=regime
    )
    if errors:
        raise TransitionGuardFailed(errors, transition="edit")


def _validity_check(application: PermitApplication) -> None:
    """More months than the licence family allows are refused now, not capped at issue."""
    errors = rules.validity_problems(application.regime, application.requested_validity_months)
    if errors:
        raise TransitionGuardFailed(errors, transition="edit")


@transaction.atomic
def application_create_draft(
    *, organisation: ApplicantOrganisation, actor: User, **fields: Any
) -> PermitApplication:
    if not rules.can_create_application_for(organisation, actor):
        raise TransitionForbidden(
            _("Only members of %(organisation)s can file applications for it.")
            % {"organisation": organisation},
            transition="create",
        )
    _refuse_unknown_fields(fields)
    application = PermitApplication(
        organisation=organisation, created_by=actor, updated_by=actor, **fields
    )
    full_clean(application, exclude=["status"])
    _validity_check(application)
    application.save()
    return application


@transaction.atomic
def application_update_draft(
    *, application: PermitApplication, actor: User, **fields: Any
) -> PermitApplication:
    locked = draft_locked(application, actor)
    _refuse_unknown_fields(fields)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.updated_by = actor
    full_clean(locked, exclude=["status"])
    _validity_check(locked)
    locked.save()
    return locked


@transaction.atomic
def goods_item_add(*, application: PermitApplication, actor: User, **fields: Any) -> GoodsItem:
    locked = draft_locked(application, actor)
    if "control_entry" in fields:
        fields["control_entry"] = normalise_entry(fields["control_entry"])
    item = GoodsItem(application=locked, **fields)
    full_clean(item, exclude=["application"])
    _control_entry_check(item, locked.regime)
    item.save()
    return item


@transaction.atomic
def goods_item_update(
    *, application: PermitApplication, item_id: int, actor: User, **fields: Any
) -> GoodsItem:
    locked = draft_locked(application, actor)
    item = draft_line_locked(GoodsItem, item_id, locked)
    if "control_entry" in fields:
        fields["control_entry"] = normalise_entry(fields["control_entry"])
    for name, value in fields.items():
        setattr(item, name, value)
    full_clean(item, exclude=["application"])
    _control_entry_check(item, locked.regime)
    item.save()
    return item


@transaction.atomic
def goods_item_remove(*, application: PermitApplication, item_id: int, actor: User) -> None:
    locked = draft_locked(application, actor)
    draft_line_locked(GoodsItem, item_id, locked).delete()


@transaction.atomic
def party_add(*, application: PermitApplication, actor: User, **fields: Any) -> Party:
    locked = draft_locked(application, actor)
    party = Party(application=locked, **fields)
    full_clean(party, exclude=["application"])
    party.save()
    return party


@transaction.atomic
def party_update(
    *, application: PermitApplication, party_id: int, actor: User, **fields: Any
) -> Party:
    locked = draft_locked(application, actor)
    party = draft_line_locked(Party, party_id, locked)
    for name, value in fields.items():
        setattr(party, name, value)
    full_clean(party, exclude=["application"])
    party.save()
    return party


@transaction.atomic
def party_remove(*, application: PermitApplication, party_id: int, actor: User) -> None:
    locked = draft_locked(application, actor)
    draft_line_locked(Party, party_id, locked).delete()
