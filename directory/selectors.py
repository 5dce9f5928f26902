"""Reads of the directory. Everything here is public except ``case_manager_contact``'s input."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from .datafile import PERMITS_UNIT_KEY
from .models import (
    Network,
    NetworkMembership,
    Organisation,
    Partner,
    PartnerStatement,
    Person,
    Portfolio,
    Position,
    Representation,
    Source,
    Unit,
    WorkflowRole,
)
from .search import filter_folded

SEARCH_LIMIT = 50


def _positions() -> QuerySet[Position]:
    return Position.objects.select_related("person", "unit", "organisation", "source")


def _portfolios() -> QuerySet[Portfolio]:
    return Portfolio.objects.select_related("person", "partner", "network", "source")


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.select_related("source", "parent")


def unit_list() -> QuerySet[Unit]:
    current = _positions().filter(is_current=True)
    return Unit.objects.select_related("organisation", "source").prefetch_related(
        Prefetch("positions", queryset=current.filter(is_head=True), to_attr="heads"),
        Prefetch("positions", queryset=current, to_attr="current_positions"),
    )


def person_list() -> QuerySet[Person]:
    return Person.objects.select_related("source").prefetch_related(
        Prefetch("positions", queryset=_positions()),
        Prefetch("portfolios", queryset=_portfolios()),
    )


def partner_list() -> QuerySet[Partner]:
    return Partner.objects.prefetch_related(
        Prefetch("statements", queryset=PartnerStatement.objects.select_related("source")),
        Prefetch("portfolios", queryset=_portfolios()),
    )


def network_list() -> QuerySet[Network]:
    return Network.objects.select_related("source").prefetch_related(
        Prefetch(
            "memberships",
            queryset=NetworkMembership.objects.select_related("organisation", "source"),
        ),
        Prefetch("portfolios", queryset=_portfolios()),
    )


def portfolio_list() -> QuerySet[Portfolio]:
    return _portfolios()


def representation_list() -> QuerySet[Representation]:
    return Representation.objects.select_related("organisation", "source")


def source_list() -> QuerySet[Source]:
    return Source.objects.all()


def directory_search(*, query: str) -> dict[str, list[Any]]:
    """Units, people, partners, networks and organisations matching ``query``.

    Accent- and case-insensitive, any script (see ``directory.search``): "ile de france"
    finds Île-de-France, "Kiev" and "Kyiv" find the same partner. A person is found by name,
    other spellings, current titles and units, and the partners, networks and topics they
    currently follow.
    """
    return {
        "units": list(filter_folded(unit_list(), query)[:SEARCH_LIMIT]),
        "people": list(filter_folded(person_list(), query)[:SEARCH_LIMIT]),
        "partners": list(filter_folded(partner_list(), query)[:SEARCH_LIMIT]),
        "networks": list(filter_folded(network_list(), query)[:SEARCH_LIMIT]),
        "organisations": list(filter_folded(organisation_list(), query)[:SEARCH_LIMIT]),
    }


def directory_overview() -> dict[str, Any]:
    """What the directory's home page shows without a search."""
    partners = list(Partner.objects.all())
    return {
        "home": Organisation.objects.filter(is_home=True).first(),
        "units": list(unit_list()),
        "partners_by_status": [
            (label, [p for p in partners if p.status == value])
            for value, label in Partner.Status.choices
        ],
        "networks": list(Network.objects.all()),
        "organisations": list(Organisation.objects.filter(is_home=False)),
    }


def organisation_get(*, key: str) -> Organisation:
    return get_object_or_404(
        organisation_list().prefetch_related(
            "units",
            Prefetch("representations", queryset=representation_list()),
            Prefetch(
                "memberships",
                queryset=NetworkMembership.objects.select_related("network", "source"),
            ),
            Prefetch("positions", queryset=_positions().filter(unit__isnull=True)),
        ),
        key=key,
    )


def unit_get(*, key: str) -> Unit:
    return get_object_or_404(
        unit_list().prefetch_related(
            Prefetch("positions", queryset=_positions(), to_attr="all_positions")
        ),
        key=key,
    )


def person_get(*, key: str) -> Person:
    return get_object_or_404(person_list(), key=key)


def partner_get(*, key: str) -> Partner:
    return get_object_or_404(partner_list(), key=key)


def network_get(*, key: str) -> Network:
    return get_object_or_404(network_list(), key=key)


def workflow_people(*, role: WorkflowRole | str) -> QuerySet[Person]:
    """People who may act in ``role`` in the permit workflow: a current position in the
    Permits unit carrying that role. Whether their account holds the group is
    ``services.workflow_roles_sync``'s business."""
    return (
        Person.objects.filter(
            positions__unit__key=PERMITS_UNIT_KEY,
            positions__is_current=True,
            positions__workflow_role=role,
        )
        .distinct()
        .order_by("family_name", "given_name")
    )


def case_manager_contact(*, user: AbstractBaseUser | None) -> dict[str, str] | None:
    """The public contact details of the person linked to ``user`` (the case manager of a
    file): name, phone, e-mail — only what the directory publishes, never account data.
    None when the account is not linked to anyone in the directory."""
    if user is None or not getattr(user, "pk", None):
        return None
    person = Person.objects.filter(user_id=user.pk).first()
    if person is None:
        return None
    return {
        "name": person.full_name,
        "phone": person.phone,
        "phone_e164": person.phone_e164,
        "email": person.email,
        "url": person.get_absolute_url(),
    }
