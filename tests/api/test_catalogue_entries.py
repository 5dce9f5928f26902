"""Changing and removing an organisation's saved parties and catalogue products, through the
API and on the catalogue pages, by role; a draft that used an entry keeps its own lines."""

from __future__ import annotations

import pytest

from permits.actions import organisations as org_actions
from permits.models import CatalogueProduct, OrganisationMembership, SavedParty
from tests.api.conftest import client_for
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

PRODUCT = {
    "description": "Thermal imaging sights",
    "regime": "military",
    "control_entry": "ML15.a",
    "commodity_code": "90138000",
}
PARTY = {
    "role": "consignee",
    "name": "Forsvarsmateriell",
    "address": "Postboks 800, 2617 Lillehammer",
    "country": "NO",
}


@pytest.fixture
def product(organisation, applicant):
    return org_actions.catalogue_product_add(organisation=organisation, actor=applicant, **PRODUCT)


@pytest.fixture
def party(organisation, applicant):
    return org_actions.saved_party_add(organisation=organisation, actor=applicant, **PARTY)


def _url(organisation, what: str, entry) -> str:
    return f"/api/v1/organisations/{organisation.enterprise_number}/{what}/{entry.pk}/"


def test_a_member_who_drafts_changes_a_product(applicant, organisation, product):
    response = client_for(applicant).patch(
        _url(organisation, "products", product), {"description": "Night sights"}, format="json"
    )

    assert response.status_code == 200, response.content
    product.refresh_from_db()
    assert (product.description, product.control_entry) == ("Night sights", "ML15.a")


def test_a_member_who_drafts_changes_a_party(applicant, organisation, party):
    response = client_for(applicant).patch(
        _url(organisation, "parties", party), {"address": "Oslo"}, format="json"
    )

    assert response.status_code == 200, response.content
    party.refresh_from_db()
    assert party.address == "Oslo"


@pytest.mark.parametrize(("what", "entry", "model"), [("products", "product", CatalogueProduct)])
def test_a_bad_control_entry_is_refused_and_nothing_changes(
    applicant, organisation, what, entry, model, request
):
    product = request.getfixturevalue(entry)
    response = client_for(applicant).patch(
        _url(organisation, what, product), {"control_entry": "5A002.a"}, format="json"
    )

    assert response.status_code == 422
    assert "control_entry" in response.json()["errors"]
    assert model.objects.get().control_entry == "ML15.a"


@pytest.mark.parametrize(("what", "fixture"), [("products", "product"), ("parties", "party")])
def test_a_member_who_drafts_removes_an_entry(applicant, organisation, what, fixture, request):
    entry = request.getfixturevalue(fixture)

    response = client_for(applicant).delete(_url(organisation, what, entry))

    assert response.status_code == 204
    assert not type(entry).objects.exists()


@pytest.mark.parametrize(("what", "fixture"), [("products", "product"), ("parties", "party")])
def test_a_member_without_draft_is_refused(organisation, what, fixture, request):
    entry = request.getfixturevalue(fixture)
    reader = UserFactory(username="reader", roles=["applicant"])
    OrganisationMembership.objects.create(organisation=organisation, user=reader, draft=False)
    api = client_for(reader)

    assert api.patch(_url(organisation, what, entry), {}, format="json").status_code == 403
    assert api.delete(_url(organisation, what, entry)).status_code == 403
    assert type(entry).objects.exists()


@pytest.mark.parametrize(("what", "fixture"), [("products", "product"), ("parties", "party")])
def test_another_organisation_and_staff_get_a_404(
    other_applicant, case_manager, organisation, what, fixture, request
):
    entry = request.getfixturevalue(fixture)
    for user in (other_applicant, case_manager):
        api = client_for(user)
        assert api.delete(_url(organisation, what, entry)).status_code == 404
        assert api.patch(_url(organisation, what, entry), {}, format="json").status_code == 404
    assert type(entry).objects.exists()


def test_another_organisations_entry_id_under_ones_own_is_a_404(
    applicant, other_applicant, organisation, product
):
    theirs = other_applicant.applicant_organisations.get()
    # The caller's own organisation in the path, someone else's product id.
    org_actions.catalogue_product_add(organisation=theirs, actor=other_applicant, **PRODUCT)
    mine = client_for(other_applicant).delete(_url(theirs, "products", product))

    assert mine.status_code == 404
    assert CatalogueProduct.objects.filter(pk=product.pk).exists()


def test_changing_the_catalogue_leaves_a_draft_that_used_it_unchanged(
    applicant, organisation, product, party
):
    draft = ApplicationFactory(organisation=organisation, created_by=applicant, complete=False)
    api = client_for(applicant)
    goods = {
        "description": product.description,
        "control_entry": product.control_entry,
        "commodity_code": product.commodity_code,
        "quantity": "2",
        "unit_value": "500.00",
    }
    assert (
        api.post(f"/api/v1/applications/{draft.public_id}/goods/", goods, format="json").status_code
        == 201
    )
    assert (
        api.post(
            f"/api/v1/applications/{draft.public_id}/parties/", PARTY, format="json"
        ).status_code
        == 201
    )

    api.patch(
        _url(organisation, "products", product),
        {"description": "Renamed", "control_entry": "ML15.b"},
        format="json",
    )
    api.patch(_url(organisation, "parties", party), {"name": "Renamed"}, format="json")
    api.delete(_url(organisation, "products", product))

    item = draft.goods.get()
    assert (item.description, item.control_entry) == ("Thermal imaging sights", "ML15.a")
    assert list(draft.parties.values_list("name", flat=True)) == ["Forsvarsmateriell"]


# --- The catalogue pages --------------------------------------------------------------------


def test_the_products_page_offers_the_entry_to_change(client, applicant, organisation, product):
    client.force_login(applicant)

    page = client.get(f"/organisations/{organisation.pk}/products/", {"edit": product.pk})

    assert page.status_code == 200
    assert f'name="entry" value="{product.pk}"' in page.content.decode()
    assert 'value="Thermal imaging sights"' in page.content.decode()


def test_the_products_page_changes_an_entry(client, applicant, organisation, product):
    client.force_login(applicant)

    response = client.post(
        f"/organisations/{organisation.pk}/products/",
        {**PRODUCT, "description": "Night sights", "entry": product.pk},
    )

    assert response.status_code == 302
    assert CatalogueProduct.objects.get().description == "Night sights"


def test_the_parties_page_changes_an_entry(client, applicant, organisation, party):
    client.force_login(applicant)

    response = client.post(
        f"/organisations/{organisation.pk}/parties/",
        {**PARTY, "party_type": "government", "entry": party.pk},
    )

    assert response.status_code == 302
    assert SavedParty.objects.get().party_type == "government"


def test_a_bad_change_on_the_page_is_refused_naming_the_field(
    client, applicant, organisation, product
):
    client.force_login(applicant)

    response = client.post(
        f"/organisations/{organisation.pk}/products/",
        {**PRODUCT, "control_entry": "ML99.z", "entry": product.pk},
    )

    assert response.status_code == 400
    assert "ML99.z" in response.content.decode() or "control_entry" in response.content.decode()
    assert CatalogueProduct.objects.get().control_entry == "ML15.a"


def test_another_organisations_entry_cannot_be_changed_on_the_page(
    client, other_applicant, applicant, organisation, product
):
    theirs = other_applicant.applicant_organisations.get()
    client.force_login(other_applicant)

    response = client.post(
        f"/organisations/{theirs.pk}/products/", {**PRODUCT, "entry": product.pk}
    )

    assert response.status_code == 404
    assert CatalogueProduct.objects.get().organisation == organisation


def test_a_member_without_draft_cannot_change_on_the_page(client, organisation, product):
    reader = UserFactory(username="reader", roles=["applicant"])
    OrganisationMembership.objects.create(organisation=organisation, user=reader, draft=False)
    client.force_login(reader)

    response = client.post(
        f"/organisations/{organisation.pk}/products/",
        {**PRODUCT, "description": "Changed", "entry": product.pk},
    )

    assert response.status_code == 403
    assert CatalogueProduct.objects.get().description == PRODUCT["description"]
