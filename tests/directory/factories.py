"""factory-boy factories for the directory's models."""

from __future__ import annotations

import datetime

import factory

from directory.models import (
    Network,
    Organisation,
    Partner,
    PartnerStatement,
    Person,
    Portfolio,
    Position,
    Source,
    Unit,
)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"page-{n}")
    file_name = factory.LazyAttribute(lambda s: f"{s.key}.txt")
    title = factory.LazyAttribute(lambda s: f"Page {s.key}")
    language = "en"
    date = datetime.date(2026, 11, 24)


class DirectoryOrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("key",)

    key = "brussels-international"
    name_en = "Brussels International"
    kind = Organisation.Kind.ADMINISTRATION
    is_home = True
    source = factory.SubFactory(SourceFactory)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"unit-{n}")
    organisation = factory.SubFactory(DirectoryOrganisationFactory)
    name_en = factory.LazyAttribute(lambda u: f"Unit {u.key}")
    source = factory.SubFactory(SourceFactory)


class PermitsUnitFactory(UnitFactory):
    key = "permits"
    name_en = "Permits"
    name_fr = "Licences"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    key = factory.Sequence(lambda n: f"person-{n}")
    given_name = "Jef"
    family_name = factory.Sequence(lambda n: f"Willems{n}")
    full_name = factory.LazyAttribute(lambda p: f"{p.given_name} {p.family_name}")
    phone = "02/800 37 33"
    phone_e164 = "+3228003733"
    source = factory.SubFactory(SourceFactory)


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    key = factory.Sequence(lambda n: f"position-{n}")
    person = factory.SubFactory(PersonFactory)
    unit = factory.SubFactory(UnitFactory)
    organisation = factory.SelfAttribute("unit.organisation")
    source = factory.SubFactory(SourceFactory)


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    key = factory.Sequence(lambda n: f"partner-{n}")
    name_en = factory.Sequence(lambda n: f"Partner {n}")
    place = Partner.Place.CITY
    country = "JP"
    relationship = Partner.Relationship.BILATERAL_AGREEMENT
    status = Partner.Status.IN_FORCE


class PartnerStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerStatement

    key = factory.Sequence(lambda n: f"statement-{n}")
    partner = factory.SubFactory(PartnerFactory)
    source = factory.SubFactory(SourceFactory)
    relationship = Partner.Relationship.BILATERAL_AGREEMENT
    status = Partner.Status.IN_FORCE


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    key = factory.Sequence(lambda n: f"network-{n}")
    name_en = factory.Sequence(lambda n: f"Network {n}")
    kind = Network.Kind.CITY_NETWORK
    source = factory.SubFactory(SourceFactory)


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio

    key = factory.Sequence(lambda n: f"portfolio-{n}")
    person = factory.SubFactory(PersonFactory)
    partner = factory.SubFactory(PartnerFactory)
    source = factory.SubFactory(SourceFactory)
