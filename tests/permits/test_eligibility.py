"""A Brussels-Capital seat read from the registered postcode and municipality, never from the
first number found in the address."""

from __future__ import annotations

import pytest

from permits.compliance.eligibility import seat_in_brussels_region
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_a_number_in_the_street_does_not_make_a_brussels_seat():
    organisation = OrganisationFactory(address="Chaussée de Haecht 1200, 7000 Mons")

    assert not seat_in_brussels_region(organisation)


@pytest.mark.parametrize(
    "address",
    [
        "Rue de la Loi 1\n1000 Bruxelles",
        "Wetstraat 16, 1000 Brussel",
        "Av. Louise 54, 1050 Ixelles",
    ],
)
def test_a_seat_in_one_of_the_nineteen_municipalities_is_eligible(address):
    assert seat_in_brussels_region(OrganisationFactory(address=address))


def test_a_postcode_and_municipality_that_disagree_are_not_eligible():
    assert not seat_in_brussels_region(OrganisationFactory(address="Rue Haute 3\n1000 Uccle"))


def test_the_structured_registered_address_decides_over_the_free_text():
    organisation = OrganisationFactory(
        address="Rue de la Loi 1\n1000 Bruxelles",
        registered_street="Grand-Place 1",
        registered_postcode="7000",
        registered_municipality="Mons",
    )

    assert not seat_in_brussels_region(organisation)


def test_a_structured_seat_in_schaerbeek_is_eligible():
    organisation = OrganisationFactory(
        address="",
        registered_street="Chaussée de Haecht 1200",
        registered_postcode="1030",
        registered_municipality="Schaarbeek",
    )

    assert seat_in_brussels_region(organisation)
