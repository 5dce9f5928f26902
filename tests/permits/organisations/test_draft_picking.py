"""The draft steps offer the organisation's saved parties and catalogue products: picking one
fills the form, and the line the draft keeps is its own copy."""

from __future__ import annotations

import pytest

from permits.actions import organisations as org_actions
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_picking_a_saved_party_fills_the_form_and_the_draft_keeps_its_copy(
    client, applicant, organisation
):
    saved = org_actions.saved_party_add(
        organisation=organisation,
        actor=applicant,
        role="end_user",
        name="Norwegian Army Training Centre",
        address="Rena leir, 2451 Rena",
        country="NO",
    )
    draft = ApplicationFactory(organisation=organisation, created_by=applicant, complete=False)
    client.force_login(applicant)
    url = f"/applications/{draft.url_key}/edit/parties/"

    page = client.get(url, {"pick": saved.pk})
    assert 'value="Norwegian Army Training Centre"' in page.content.decode()
    client.post(
        url,
        {
            "role": "end_user",
            "name": "Norwegian Army Training Centre",
            "address": "Rena leir, 2451 Rena",
            "country": "NO",
            "then": "stay",
        },
    )
    org_actions.saved_party_update(
        organisation=organisation, party_id=saved.pk, actor=applicant, name="Renamed"
    )

    assert list(draft.parties.values_list("name", flat=True)) == ["Norwegian Army Training Centre"]


def test_picking_a_product_fills_the_goods_form(client, applicant, organisation):
    product = org_actions.catalogue_product_add(
        organisation=organisation,
        actor=applicant,
        description="Night-vision goggles",
        regime="military",
        control_entry="ML15.a",
        commodity_code="90138000",
    )
    draft = ApplicationFactory(organisation=organisation, created_by=applicant, complete=False)
    client.force_login(applicant)

    page = client.get(f"/applications/{draft.url_key}/edit/goods/", {"pick": product.pk})

    content = page.content.decode()
    assert 'value="Night-vision goggles"' in content
    assert 'value="90138000"' in content


def test_another_organisations_entry_cannot_be_picked(
    client, applicant, organisation, other_applicant
):
    other = other_applicant.applicant_organisations.get()
    foreign = org_actions.saved_party_add(
        organisation=other,
        actor=other_applicant,
        role="consignee",
        name="Someone else's consignee",
        address="Elsewhere",
        country="FR",
    )
    draft = ApplicationFactory(organisation=organisation, created_by=applicant, complete=False)
    client.force_login(applicant)

    page = client.get(f"/applications/{draft.url_key}/edit/parties/", {"pick": foreign.pk})

    assert page.status_code == 200
    assert "Someone else" not in page.content.decode()
