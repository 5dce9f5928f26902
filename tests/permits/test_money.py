"""Every amount keeps its currency: a closed list of codes, totals per currency, recorded rates."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from permits import actions, rules, selectors
from permits.models import ExchangeRate
from tests.api.conftest import client_for as api_client_for
from tests.api.conftest import url
from tests.factories import ApplicationFactory, GoodsItemFactory
from workflow.exceptions import TransitionGuardFailed

pytestmark = pytest.mark.django_db

LINE = {
    "description": "Rifles",
    "control_entry": "ML1.a",
    "quantity": "2",
    "unit": "pieces",
    "unit_value": "10",
}


@pytest.fixture
def draft(organisation, applicant):
    application = ApplicationFactory(
        organisation=organisation, created_by=applicant, complete=False
    )
    return application


@pytest.fixture
def mixed(organisation, applicant):
    application = ApplicationFactory(
        organisation=organisation, created_by=applicant, complete=False
    )
    GoodsItemFactory(
        application=application, quantity=Decimal("1"), unit_value=Decimal("300"), currency="USD"
    )
    GoodsItemFactory(
        application=application, quantity=Decimal("1"), unit_value=Decimal("200"), currency="EUR"
    )
    return application


def test_a_currency_that_is_markup_is_refused_by_the_service_naming_the_field(draft, applicant):
    with pytest.raises(TransitionGuardFailed) as error:
        actions.goods_item_add(
            application=draft,
            actor=applicant,
            description="Rifles",
            control_entry="ML1.a",
            quantity=Decimal("2"),
            unit_value=Decimal("10"),
            currency="<b>",
        )

    assert set(error.value.errors) == {"currency"}
    assert not draft.goods.exists()


def test_a_currency_that_is_markup_is_refused_on_the_web_form(draft, applicant):
    client = Client()
    client.force_login(applicant)

    response = client.post(
        reverse("permits:draft_step", args=[draft.url_key, "goods"]),
        {**LINE, "currency": "<b>"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["currency"]
    assert not draft.goods.exists()


def test_a_currency_that_is_markup_is_refused_by_the_api(draft, applicant):
    response = api_client_for(applicant).post(
        url(draft, "goods/"), {**LINE, "currency": "<b>"}, format="json"
    )

    assert response.status_code in (400, 422)
    assert "currency" in response.json()["errors"]
    assert not draft.goods.exists()


def test_a_commodity_code_must_have_eight_digits(draft, applicant):
    response = api_client_for(applicant).post(
        url(draft, "goods/"), {**LINE, "commodity_code": "9013"}, format="json"
    )

    assert "commodity_code" in response.json()["errors"]


def test_a_usd_line_and_a_eur_line_give_two_totals_in_the_api(mixed, applicant):
    body = api_client_for(applicant).get(url(mixed)).json()

    assert body["totals"] == [
        {"amount": "300.00", "currency": "USD"},
        {"amount": "200.00", "currency": "EUR"},
    ]


def test_a_usd_line_and_a_eur_line_give_two_totals_on_the_page(mixed, applicant):
    client = Client()
    client.force_login(applicant)

    page = client.get(reverse("permits:application_detail", args=[mixed.url_key])).content.decode()

    assert 'data-currency="USD"' in page and 'data-currency="EUR"' in page
    # No summed total of 300 USD + 200 EUR (the amount, not "500" inside a random UUID).
    assert re.search(r"\b500[.,]00\b", page) is None


def test_no_total_ever_adds_two_currencies(mixed):
    totals = selectors.goods_totals(items=mixed.goods.all())

    assert sorted((m.currency.code, m.amount) for m in totals) == [
        ("EUR", Decimal("200")),
        ("USD", Decimal("300")),
    ]


def test_a_euro_value_uses_the_recorded_rate_of_the_day(db):
    ExchangeRate.objects.create(
        currency="USD", rate_to_eur=Decimal("0.9"), valid_on=date(2026, 1, 1), source="ECB"
    )
    ExchangeRate.objects.create(
        currency="USD", rate_to_eur=Decimal("0.8"), valid_on=date(2026, 6, 1), source="ECB"
    )

    value = selectors.eur_value(amount=Decimal("300"), currency="USD", on=date(2026, 3, 1))

    assert (value.amount, value.rate, value.rate_valid_on) == (
        Decimal("270.00"),
        Decimal("0.9"),
        date(2026, 1, 1),
    )


def test_without_a_recorded_rate_there_is_no_euro_value(db):
    assert selectors.eur_value(amount=Decimal("1"), currency="GBP", on=date(2026, 3, 1)) is None


def test_the_declared_euro_value_wins_over_a_conversion(mixed):
    mixed.total_value = Decimal("480.00")

    value = selectors.application_eur_value(application=mixed, on=date(2026, 3, 1))

    assert (value.amount, value.source) == (Decimal("480.00"), "declared")


def test_without_a_declared_value_each_line_is_converted(mixed):
    mixed.total_value = None
    ExchangeRate.objects.create(
        currency="USD", rate_to_eur=Decimal("0.9"), valid_on=date(2026, 1, 1), source="ECB"
    )

    value = selectors.application_eur_value(application=mixed, on=date(2026, 3, 1))

    assert value.amount == Decimal("470.00")


def test_model_licence_fields_are_optional_unless_a_setting_requires_them(
    organisation, applicant, settings
):
    application = ApplicationFactory(organisation=organisation, created_by=applicant)
    assert not {"eori_number", "commodity_code"} & set(rules.submission_problems(application))

    settings.SUBMISSION_REQUIRES = {"export": ["eori_number", "commodity_code"]}

    assert {"eori_number", "commodity_code"} <= set(rules.submission_problems(application))


def test_a_customs_office_that_is_not_a_reference_number_is_refused_naming_it(draft, applicant):
    response = api_client_for(applicant).patch(
        url(draft),
        {"customs_office_of_export": "<b>x</b>"},
        format="json",
        HTTP_IF_MATCH=api_client_for(applicant).get(url(draft))["ETag"],
    )

    assert "customs_office_of_export" in response.json()["errors"]
    draft.refresh_from_db()
    assert draft.customs_office_of_export == ""


def test_the_draft_records_the_contract_and_customs_office(draft, applicant):
    actions.application_update_draft(
        application=draft,
        actor=applicant,
        customs_office_of_export="BE212000",
        contract_reference="PO-118",
        contract_date=date(2026, 3, 2),
    )

    draft.refresh_from_db()
    assert (draft.customs_office_of_export, draft.contract_date) == ("BE212000", date(2026, 3, 2))
