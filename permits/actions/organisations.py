"""Company self-service: an organisation's administrators invite, change and remove members;
members copy an earlier application into a new draft and keep the parties and products they
reuse in their drafts.

Each action locks the organisation row (``FOR NO KEY UPDATE``: new drafts of the organisation,
which only reference it, are not blocked), checks the actor's rights through ``permits.rules``,
changes, writes the organisation's history event and records its e-mail in the outbox, in one
transaction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionGuardFailed
from workflow.roles import Role, has_role, is_staff_member

from .. import events, notifications, rules
from ..control_lists import goods_line_errors, normalise_entry
from ..models import (
    RIGHTS,
    ApplicantOrganisation,
    CatalogueProduct,
    GoodsItem,
    OrganisationInvitation,
    OrganisationMembership,
    Party,
    PermitApplication,
    SavedParty,
)
from ._base import User, full_clean
from .drafts import DRAFT_FIELDS

INVITATION_SALT = "permits.organisation-invitation"


def _organisation_locked(organisation: ApplicantOrganisation) -> ApplicantOrganisation:
    return ApplicantOrganisation.objects.select_for_update(no_key=True).get(pk=organisation.pk)


def _administrator_check(organisation: ApplicantOrganisation, actor: User, name: str) -> None:
    if not rules.can_administer_organisation(organisation, actor):
        raise TransitionForbidden(
            _("Only an administrator of %(organisation)s can manage its members.")
            % {"organisation": organisation},
            transition=name,
        )


def _rights(values: dict[str, Any]) -> dict[str, bool]:
    return {right: bool(values.get(right, False)) for right in RIGHTS}


def _other_administrators(organisation: ApplicantOrganisation, user_id: int) -> bool:
    return organisation.memberships.filter(administrator=True).exclude(user_id=user_id).exists()


# --- Invitations --------------------------------------------------------------------------------


def invitation_token(invitation: OrganisationInvitation) -> str:
    """The signed token of the invitation's link (its id and the nonce only the row knows)."""
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> OrganisationInvitation:
    """The invitation a token names, if the token is genuine and not too old; else refused."""
    max_age = timedelta(days=settings.ORGANISATION_INVITATION_VALID_DAYS)
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
        invitation = OrganisationInvitation.objects.select_related("organisation").get(
            pk=data["i"], nonce=data["n"]
        )
    except signing.SignatureExpired as exc:
        raise TransitionGuardFailed(
            {"token": [_("This invitation has expired: ask for a new one.")]},
            transition="membership_accept",
        ) from exc
    except (signing.BadSignature, OrganisationInvitation.DoesNotExist, KeyError, TypeError) as exc:
        raise TransitionGuardFailed(
            {"token": [_("This invitation link is not valid.")]},
            transition="membership_accept",
        ) from exc
    return invitation


def invitation_problems(invitation: OrganisationInvitation) -> dict[str, list[str]]:
    if invitation.withdrawn_at is not None:
        return {"token": [_("This invitation was withdrawn: it is no longer valid.")]}
    if invitation.accepted_at is not None:
        return {"token": [_("This invitation has already been used.")]}
    if invitation.expires_at <= timezone.now():
        return {"token": [_("This invitation has expired: ask for a new one.")]}
    return {}


@transaction.atomic
def membership_invite(
    *,
    organisation: ApplicantOrganisation,
    actor: User,
    email: str,
    language: str = "",
    **rights: bool,
) -> tuple[OrganisationInvitation, str]:
    """Invite ``email`` to join with ``rights``; returns the invitation and its token. The
    e-mail (in ``language``, by default the organisation's) carries the link."""
    locked = _organisation_locked(organisation)
    _administrator_check(locked, actor, "membership_invite")
    unknown = set(rights) - set(RIGHTS)
    if unknown:
        raise TypeError(f"Unknown rights: {', '.join(sorted(unknown))}")
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise TransitionGuardFailed(
            {"email": [_("Enter a valid e-mail address.")]}, transition="membership_invite"
        ) from exc
    if locked.members.filter(email__iexact=email).exists():
        raise TransitionGuardFailed(
            {"email": [_("%(email)s is already a member.") % {"email": email}]},
            transition="membership_invite",
        )
    invitation = OrganisationInvitation(
        organisation=locked,
        email=email,
        language=language or locked.language,
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.ORGANISATION_INVITATION_VALID_DAYS),
        **_rights(rights),
    )
    full_clean(invitation, exclude=["nonce"])
    invitation.save()
    token = invitation_token(invitation)
    events.organisation_event(
        "member_invited",
        organisation=locked,
        actor=actor,
        invitation=invitation.pk,
        email=email,
        rights=invitation.rights,
    )
    notifications.invitation_email_enqueue(invitation=invitation, token=token)
    return invitation, token


@transaction.atomic
def membership_invitation_withdraw(
    *, invitation: OrganisationInvitation, actor: User
) -> OrganisationInvitation:
    """Withdraw an invitation not yet accepted: its link no longer serves."""
    _administrator_check(invitation.organisation, actor, "membership_invitation_withdraw")
    # The invitation before the organisation, in the order membership_accept takes them: of an
    # acceptance and a withdrawal at once, one waits for the other, and never both succeed.
    locked_invitation = OrganisationInvitation.objects.select_for_update().get(pk=invitation.pk)
    organisation = _organisation_locked(invitation.organisation)
    _administrator_check(organisation, actor, "membership_invitation_withdraw")
    if locked_invitation.withdrawn_at is not None:
        raise TransitionConflict(
            _("This invitation was already withdrawn."),
            transition="membership_invitation_withdraw",
        )
    if locked_invitation.accepted_at is not None:
        raise TransitionConflict(
            _("This invitation was already accepted: remove the member instead."),
            transition="membership_invitation_withdraw",
        )
    locked_invitation.withdrawn_at = timezone.now()
    locked_invitation.withdrawn_by = actor
    locked_invitation.save(update_fields=["withdrawn_at", "withdrawn_by"])
    events.organisation_event(
        "invitation_withdrawn",
        organisation=organisation,
        actor=actor,
        invitation=locked_invitation.pk,
        email=locked_invitation.email,
    )
    return locked_invitation


@transaction.atomic
def membership_accept(
    *, token: str, actor: User | None, username: str = "", password: str = ""
) -> OrganisationMembership:
    """Accept an invitation: as the signed-in user whose address was invited, or (signed out)
    by creating the account named ``username``. The token serves once."""
    found = invitation_from_token(token)
    invitation = OrganisationInvitation.objects.select_for_update().get(pk=found.pk)
    problems = invitation_problems(invitation)
    if problems:
        raise TransitionGuardFailed(problems, transition="membership_accept")
    organisation = _organisation_locked(invitation.organisation)
    account_created = False
    if actor is not None and actor.is_authenticated:
        if is_staff_member(actor):
            raise TransitionForbidden(
                _("Staff of Brussels International cannot join an applicant organisation."),
                transition="membership_accept",
            )
        if (actor.email or "").lower() != invitation.email.lower():
            raise TransitionForbidden(
                _("This invitation was sent to %(email)s: sign in with that account.")
                % {"email": invitation.email},
                transition="membership_accept",
            )
        user = actor
    else:
        user = _account_create(invitation=invitation, username=username, password=password)
        account_created = True
    if organisation.memberships.filter(user=user).exists():
        raise TransitionGuardFailed(
            {
                "token": [
                    _("You are already a member of %(organisation)s.")
                    % {"organisation": organisation}
                ]
            },
            transition="membership_accept",
        )
    if not has_role(user, Role.APPLICANT):
        user.groups.add(Group.objects.get_or_create(name=Role.APPLICANT.value)[0])
        user._workflow_roles = None
    membership = OrganisationMembership.objects.create(
        organisation=organisation, user=user, **_rights(vars(invitation))
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    events.organisation_event(
        "member_joined",
        organisation=organisation,
        actor=user,
        invitation=invitation.pk,
        user=user.pk,
        username=user.get_username(),
        rights=membership.rights,
        account_created=account_created,
    )
    return membership


def _account_create(*, invitation: OrganisationInvitation, username: str, password: str) -> Any:
    user_model = get_user_model()
    if user_model.objects.filter(email__iexact=invitation.email).exists():
        raise TransitionGuardFailed(
            {"token": [_("An account with this e-mail address exists: sign in to accept.")]},
            transition="membership_accept",
        )
    username = (username or "").strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = [_("Choose a user name.")]
    elif user_model.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This user name is taken: choose another.")]
    user = user_model(username=username, email=invitation.email)
    try:
        validate_password(password or "", user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if not errors:
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise TransitionGuardFailed(errors, transition="membership_accept")
    user.set_password(password)
    user.save()
    return user


# --- Members ------------------------------------------------------------------------------------


def _membership_locked(organisation: ApplicantOrganisation, user_id: Any) -> OrganisationMembership:
    try:
        return (
            OrganisationMembership.objects.select_for_update()
            .select_related("user")
            .get(organisation=organisation, user_id=user_id)
        )
    except (OrganisationMembership.DoesNotExist, ValueError, TypeError) as exc:
        raise TransitionConflict(
            _("This person is no longer a member; reload the page."), transition="membership"
        ) from exc


@transaction.atomic
def membership_change(
    *, organisation: ApplicantOrganisation, user_id: int, actor: User, **rights: bool
) -> OrganisationMembership:
    """Give member ``user_id`` exactly ``rights`` (those not named are withdrawn). The last
    administrator keeps the right to administer."""
    locked = _organisation_locked(organisation)
    _administrator_check(locked, actor, "membership_change")
    unknown = set(rights) - set(RIGHTS)
    if unknown:
        raise TypeError(f"Unknown rights: {', '.join(sorted(unknown))}")
    membership = _membership_locked(locked, user_id)
    after = _rights(rights)
    if not after["administrator"] and not _other_administrators(locked, membership.user_id):
        raise TransitionGuardFailed(
            {"administrator": [_("The organisation needs at least one administrator.")]},
            transition="membership_change",
        )
    before = membership.rights
    for right, value in after.items():
        setattr(membership, right, value)
    membership.save()
    events.organisation_event(
        "member_rights_changed",
        organisation=locked,
        actor=actor,
        user=membership.user_id,
        username=membership.user.get_username(),
        before=before,
        after=membership.rights,
    )
    return membership


@transaction.atomic
def membership_remove(*, organisation: ApplicantOrganisation, user_id: int, actor: User) -> None:
    """Remove member ``user_id``; never the last administrator. Their account stays."""
    locked = _organisation_locked(organisation)
    _administrator_check(locked, actor, "membership_remove")
    membership = _membership_locked(locked, user_id)
    if membership.administrator and not _other_administrators(locked, membership.user_id):
        raise TransitionGuardFailed(
            {"administrator": [_("The last administrator cannot be removed.")]},
            transition="membership_remove",
        )
    rights = membership.rights
    username = membership.user.get_username()
    membership.delete()
    events.organisation_event(
        "member_removed",
        organisation=locked,
        actor=actor,
        user=user_id,
        username=username,
        rights=rights,
    )


# --- Copying an application into a new draft -----------------------------------------------------

# What an applicant fills in on a draft is what a copy takes over.
COPIED_APPLICATION_FIELDS = DRAFT_FIELDS
COPIED_GOODS_FIELDS = (
    "description",
    "control_entry",
    "catch_all_ground",
    "quantity",
    "unit",
    "unit_value",
    "currency",
    "commodity_code",
)
COPIED_PARTY_FIELDS = ("role", "name", "address", "country", "party_type")


@transaction.atomic
def application_copy(*, application: PermitApplication, actor: User) -> PermitApplication:
    """A new draft of the same organisation with the same request, goods and parties; no
    documents, decision or history of the original (the new draft's history says where it
    came from). Nothing links the copy back to a licence: it is a new application."""
    if not rules.can_view_application(actor, application) or not rules.can_create_application_for(
        application.organisation, actor
    ):
        raise TransitionForbidden(
            _("Only members of %(organisation)s who prepare drafts can copy its applications.")
            % {"organisation": application.organisation},
            transition="copy",
        )
    copy = PermitApplication(
        organisation=application.organisation,
        created_by=actor,
        updated_by=actor,
        **{name: getattr(application, name) for name in COPIED_APPLICATION_FIELDS},
    )
    copy.save()
    GoodsItem.objects.bulk_create(
        GoodsItem(application=copy, **{name: getattr(item, name) for name in COPIED_GOODS_FIELDS})
        for item in application.goods.order_by("id")
    )
    Party.objects.bulk_create(
        Party(application=copy, **{name: getattr(party, name) for name in COPIED_PARTY_FIELDS})
        for party in application.parties.order_by("id")
    )
    events.draft_copied(application=copy, actor=actor, original=application)
    return copy


# --- Saved parties and the product catalogue ---------------------------------------------------


def _catalogue_check(organisation: ApplicantOrganisation, actor: User, name: str) -> None:
    if not rules.can_manage_catalogue(organisation, actor):
        raise TransitionForbidden(
            _("Only members of %(organisation)s who prepare drafts can keep its catalogue.")
            % {"organisation": organisation},
            transition=name,
        )


def _product_check(product: CatalogueProduct) -> None:
    full_clean(product, exclude=["organisation"])
    errors = goods_line_errors(
        control_entry=product.control_entry,
        catch_all_ground=product.catch_all_ground,
        regime=product.regime,
    )
    if errors:
        raise TransitionGuardFailed(errors, transition="edit")


def _entry_locked(model: type, organisation: ApplicantOrganisation, pk: Any) -> Any:
    try:
        return model.objects.select_for_update().get(pk=pk, organisation=organisation)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise TransitionConflict(
            _("This entry is no longer in the catalogue; reload the page."), transition="edit"
        ) from exc


@transaction.atomic
def saved_party_add(
    *, organisation: ApplicantOrganisation, actor: User, **fields: Any
) -> SavedParty:
    _catalogue_check(organisation, actor, "saved_party_add")
    party = SavedParty(organisation=organisation, **fields)
    full_clean(party, exclude=["organisation"])
    party.save()
    return party


@transaction.atomic
def saved_party_update(
    *, organisation: ApplicantOrganisation, party_id: int, actor: User, **fields: Any
) -> SavedParty:
    _catalogue_check(organisation, actor, "saved_party_update")
    party = _entry_locked(SavedParty, organisation, party_id)
    for name, value in fields.items():
        setattr(party, name, value)
    full_clean(party, exclude=["organisation"])
    party.save()
    return party


@transaction.atomic
def saved_party_remove(*, organisation: ApplicantOrganisation, party_id: int, actor: User) -> None:
    _catalogue_check(organisation, actor, "saved_party_remove")
    _entry_locked(SavedParty, organisation, party_id).delete()


@transaction.atomic
def catalogue_product_add(
    *, organisation: ApplicantOrganisation, actor: User, **fields: Any
) -> CatalogueProduct:
    _catalogue_check(organisation, actor, "catalogue_product_add")
    if "control_entry" in fields:
        fields["control_entry"] = normalise_entry(fields["control_entry"])
    product = CatalogueProduct(organisation=organisation, **fields)
    _product_check(product)
    product.save()
    return product


@transaction.atomic
def catalogue_product_update(
    *, organisation: ApplicantOrganisation, product_id: int, actor: User, **fields: Any
) -> CatalogueProduct:
    _catalogue_check(organisation, actor, "catalogue_product_update")
    product = _entry_locked(CatalogueProduct, organisation, product_id)
    if "control_entry" in fields:
        fields["control_entry"] = normalise_entry(fields["control_entry"])
    for name, value in fields.items():
        setattr(product, name, value)
    _product_check(product)
    product.save()
    return product


@transaction.atomic
def catalogue_product_remove(
    *, organisation: ApplicantOrganisation, product_id: int, actor: User
) -> None:
    _catalogue_check(organisation, actor, "catalogue_product_remove")
    _entry_locked(CatalogueProduct, organisation, product_id).delete()
