"""Catch-all ("not listed") goods lines, and the EU rules: transfers go to a member state,
exports leave the Union, and a dual-use transfer needs a licence only for Annex IV items."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from permits import actions
from permits.compliance.reference import reference_list_load
from permits.rules import submission_problems
from tests.factories import ApplicationFactory, GoodsItemFactory
from workflow.exceptions import TransitionGuardFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference_data(db):
    reference_list_load(kind="control_list")
    reference_list_load(kind="eu_member_states")


def draft(organisation, applicant, **fields):
    return ApplicationFactory(organisation=organisation, created_by=applicant, **fields)


def line(**fields):
    return {
        "description": "Network monitoring appliance",
        "quantity": Decimal("2"),
        "unit": "pieces",
        "unit_value": Decimal("1000"),
        "currency": "EUR",
        **fields,
    }


def test_a_catch_all_line_needs_no_entry_and_states_its_ground(
    reference_data, organisation, applicant
):
    application = draft(organisation, applicant, regime="dual_use", country_of_destination="NO")
    application.goods.all().delete()

    item = actions.goods_item_add(
        application=application,
        actor=applicant,
        **line(control_entry="", catch_all_ground="cyber_surveillance"),
    )

    assert item.control_entry == "" and item.catch_all_ground == "cyber_surveillance"
    assert not any(k.startswith("goods") for k in submission_problems(application))


def test_the_case_page_says_why_a_not_listed_line_needs_a_licence(
    reference_data, organisation, applicant, client
):
    application = draft(organisation, applicant, regime="dual_use", country_of_destination="NO")
    GoodsItemFactory(application=application, control_entry="", catch_all_ground="wmd")
    client.force_login(applicant)

    page = client.get(reverse("permits:application_detail", args=[application.url_key]))

    assert "Not listed — catch-all:" in page.content.decode()
    assert "weapons of mass destruction" in page.content.decode()


def test_a_line_with_neither_entry_nor_ground_is_refused_naming_the_field(
    reference_data, organisation, applicant
):
    application = draft(organisation, applicant, regime="dual_use")

    with pytest.raises(TransitionGuardFailed) as refused:
        actions.goods_item_add(application=application, actor=applicant, **line(control_entry=""))

    assert "catch-all ground" in refused.value.errors["control_entry"][0]


def test_a_transfer_to_the_united_states_is_refused(reference_data, organisation, applicant):
    application = draft(organisation, applicant, kind="transfer", country_of_destination="US")

    problems = submission_problems(application)

    assert "is not one" in problems["country_of_destination"][0]
    assert "United States" in problems["country_of_destination"][0]


def test_an_export_to_france_is_refused(reference_data, organisation, applicant):
    application = draft(organisation, applicant, kind="export", country_of_destination="FR")

    problems = submission_problems(application)

    assert "France is a member state" in problems["country_of_destination"][0]


def test_a_dual_use_transfer_of_a_non_annex_iv_item_needs_no_licence_for_that_line(
    reference_data, organisation, applicant
):
    application = draft(
        organisation,
        applicant,
        kind="transfer",
        regime="dual_use",
        country_of_destination="FR",
    )
    application.goods.all().delete()
    GoodsItemFactory(application=application, control_entry="5A002.a")
    GoodsItemFactory(application=application, control_entry="0C001")

    problems = submission_problems(application)

    assert "No licence is needed for this line" in problems["goods[1].control_entry"][0]
    assert "goods[2].control_entry" not in problems
    assert "country_of_destination" not in problems
