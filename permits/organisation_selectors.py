"""Reads of company self-service: an organisation among the user's own, its members,
invitations, history, saved parties and products."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from .models import (
    ApplicantOrganisation,
    CatalogueProduct,
    OrganisationEvent,
    OrganisationInvitation,
    OrganisationMembership,
    SavedParty,
)


def user_organisations(*, user: Any) -> QuerySet[ApplicantOrganisation]:
    if user is None or not user.is_authenticated:
        return ApplicantOrganisation.objects.none()
    return user.applicant_organisations.order_by("legal_name")


def organisation_get(*, user: Any, organisation_id: Any) -> ApplicantOrganisation:
    """One of the user's organisations; any other is a 404, exactly as if it did not exist."""
    try:
        return user_organisations(user=user).get(pk=int(organisation_id))
    except (ApplicantOrganisation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such organisation.") from exc


def membership_of(*, organisation: ApplicantOrganisation, user: Any) -> OrganisationMembership:
    return OrganisationMembership.objects.get(organisation=organisation, user=user)


def organisation_members(*, organisation: ApplicantOrganisation) -> QuerySet:
    return organisation.memberships.select_related("user").order_by("user__username")


def open_invitations(*, organisation: ApplicantOrganisation) -> QuerySet:
    return OrganisationInvitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, withdrawn_at__isnull=True
    ).order_by("-created_at")


def invitation_get(*, organisation: ApplicantOrganisation, invitation_id: Any) -> Any:
    """One of the organisation's invitations; another organisation's is a 404."""
    try:
        return OrganisationInvitation.objects.get(organisation=organisation, pk=int(invitation_id))
    except (OrganisationInvitation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such invitation.") from exc


def organisation_history(*, organisation: ApplicantOrganisation, limit: int = 50) -> list:
    return list(
        OrganisationEvent.objects.filter(organisation=organisation)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )


def saved_parties(*, organisation: ApplicantOrganisation) -> QuerySet[SavedParty]:
    return SavedParty.objects.filter(organisation=organisation).order_by("role", "name", "id")


def catalogue_products(
    *, organisation: ApplicantOrganisation, regime: str | None = None
) -> QuerySet[CatalogueProduct]:
    products = CatalogueProduct.objects.filter(organisation=organisation)
    if regime:
        products = products.filter(regime=regime)
    return products.order_by("description", "id")
