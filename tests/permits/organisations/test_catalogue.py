"""An organisation's saved parties and product catalogue: kept by members who prepare drafts,
validated as a draft's lines are, listed and added through the API."""

from __future__ import annotations

import pytest

from permits.actions import organisations as org_actions
from permits.models import CatalogueProduct, OrganisationMembership, SavedParty
from tests.api.conftest import client_for
from tests.factories import UserFactory
from workflow.exceptions import TransitionForbidden, TransitionGuardFailed

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


def _url(organisation, what: str) -> str:
    return f"/api/v1/organisations/{organisation.enterprise_number}/{what}/"


def test_a_member_who_drafts_adds_and_lists_products_through_the_api(applicant, organisation):
    api = client_for(applicant)

    created = api.post(_url(organisation, "products"), PRODUCT, format="json")
    listed = api.get(_url(organisation, "products"))

    assert created.status_code == 201, created.content
    assert [p["control_entry"] for p in listed.json()] == ["ML15.a"]


def test_a_member_who_drafts_adds_and_lists_parties_through_the_api(applicant, organisation):
    api = client_for(applicant)

    created = api.post(_url(organisation, "parties"), PARTY, format="json")
    listed = api.get(_url(organisation, "parties"))

    assert created.status_code == 201, created.content
    assert [p["name"] for p in listed.json()] == ["Forsvarsmateriell"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("control_entry", "ML99.z"), ("commodity_code", "9013"), ("control_entry", "5A002.a")],
)
def test_a_product_with_a_bad_entry_or_cn_code_is_refused_naming_the_field(
    applicant, organisation, field, value
):
    response = client_for(applicant).post(
        _url(organisation, "products"), {**PRODUCT, field: value}, format="json"
    )

    assert response.status_code in (400, 422)
    assert field in response.content.decode()
    assert not CatalogueProduct.objects.exists()


def test_another_organisations_catalogue_is_a_404(other_applicant, organisation):
    api = client_for(other_applicant)

    assert api.get(_url(organisation, "products")).status_code == 404
    assert api.post(_url(organisation, "parties"), PARTY, format="json").status_code == 404
    assert not SavedParty.objects.exists()


def test_a_member_without_draft_cannot_keep_the_catalogue(organisation):
    reader = UserFactory(username="reader", roles=["applicant"])
    OrganisationMembership.objects.create(organisation=organisation, user=reader, draft=False)

    response = client_for(reader).post(_url(organisation, "parties"), PARTY, format="json")

    assert response.status_code == 403
    with pytest.raises(TransitionForbidden):
        org_actions.saved_party_add(organisation=organisation, actor=reader, **PARTY)
    assert not SavedParty.objects.exists()


def test_staff_reach_no_organisations_catalogue(case_manager, organisation):
    assert client_for(case_manager).get(_url(organisation, "parties")).status_code == 404


def test_the_action_refuses_a_bad_control_entry(applicant, organisation):
    with pytest.raises(TransitionGuardFailed) as refused:
        org_actions.catalogue_product_add(
            organisation=organisation, actor=applicant, **{**PRODUCT, "control_entry": "XX1"}
        )

    assert "control_entry" in refused.value.errors


def test_the_web_pages_add_and_remove_entries(client, applicant, organisation):
    client.force_login(applicant)
    url = f"/organisations/{organisation.pk}/products/"

    assert client.post(url, PRODUCT).status_code == 302
    product = CatalogueProduct.objects.get()
    assert client.post(url, {"remove": product.pk}).status_code == 302

    assert not CatalogueProduct.objects.exists()
    assert client.post(url, {**PRODUCT, "commodity_code": "12"}).status_code == 400


def test_auditors_read_no_catalogue_and_write_nothing(auditor, organisation, make_application):
    api = client_for(auditor)
    submitted = make_application("submitted")

    assert api.get(_url(organisation, "products")).status_code == 404
    assert api.post(_url(organisation, "products"), PRODUCT, format="json").status_code == 403
    assert api.post(f"/api/v1/applications/{submitted.public_id}/copy/").status_code == 403
    assert api.get("/api/v1/organisations/").json() == []


def test_anonymous_callers_are_refused(anon_client, organisation):
    assert anon_client.get(_url(organisation, "parties")).status_code == 401
    assert anon_client.get("/api/v1/organisations/").status_code == 401


def test_the_organisations_endpoint_lists_the_callers_rights(applicant, organisation):
    response = client_for(applicant).get("/api/v1/organisations/")

    assert response.json() == [
        {
            "enterprise_number": organisation.enterprise_number,
            "legal_name": organisation.legal_name,
            "rights": ["draft", "submit", "see_decisions"],
        }
    ]
