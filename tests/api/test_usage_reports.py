"""Usage reports from the holders' systems: shipments and returns in bulk, all or nothing,
idempotent per the holder's own reference, with the web forms' rules."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from permits import actions, selectors
from permits.models import GoodsReturn, Licence, Shipment
from tests.factories import ApplicationFactory, GoodsItemFactory
from tests.workflow_helpers import advance
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


@pytest.fixture
def licence(organisation, people) -> Licence:
    application = ApplicationFactory(organisation=organisation, created_by=people["applicant"])
    GoodsItemFactory(
        application=application,
        description="Spare batteries",
        control_entry="ML15.e",
        quantity=Decimal("100"),
        unit_value=Decimal("45"),
    )
    return advance(application, "issued", **people).licence


@pytest.fixture
def temporary_licence(organisation, people) -> Licence:
    application = ApplicationFactory(
        organisation=organisation, created_by=people["applicant"], temporary_purpose="STU"
    )
    return advance(application, "issued", **people).licence


def url(licence: Licence) -> str:
    return f"/api/v1/licences/{licence.number}/usage-reports/"


def position_of(licence: Licence, description: str) -> int:
    return (
        list(licence.lines.order_by("id").values_list("description", flat=True)).index(description)
        + 1
    )


def shipment(licence: Licence, reference: str, quantity: str = "10", **overrides) -> dict:
    return {
        "type": "shipment",
        "reference": reference,
        "shipped_on": licence.valid_from.isoformat(),
        "customs_reference": f"EX-{reference}",
        "quantities": [{"line": position_of(licence, "Spare batteries"), "quantity": quantity}],
        **overrides,
    }


def remaining(licence: Licence) -> Decimal:
    return next(
        b["remaining_quantity"]
        for b in selectors.licence_balances(licence=licence)
        if b["line"].description == "Spare batteries"
    )


def test_a_holder_reports_several_shipments_at_once(applicant_client, licence):
    response = applicant_client.post(
        url(licence),
        {"lines": [shipment(licence, "SO-1", "10"), shipment(licence, "SO-2", "15")]},
        format="json",
    )

    assert response.status_code == 201
    assert [line["stored"] for line in response.json()["lines"]] == [True, True]
    assert remaining(licence) == Decimal("75")
    assert set(Shipment.objects.values_list("holder_reference", flat=True)) == {"SO-1", "SO-2"}


def test_each_reported_shipment_is_in_the_history_with_the_holders_reference(
    applicant_client, licence
):
    applicant_client.post(url(licence), {"lines": [shipment(licence, "SO-1")]}, format="json")

    record = TransitionRecord.objects.get(transition="shipment_recorded")
    assert record.payload["holder_reference"] == "SO-1"


def test_the_same_reference_twice_is_stored_once(applicant_client, licence):
    report = {"lines": [shipment(licence, "SO-1")]}
    first = applicant_client.post(url(licence), report, format="json")

    again = applicant_client.post(url(licence), report, format="json")

    assert again.status_code == 200
    assert again.json()["lines"][0] == {**first.json()["lines"][0], "stored": False}
    assert Shipment.objects.count() == 1
    assert remaining(licence) == Decimal("90")


def test_a_resent_report_with_a_new_line_stores_only_the_new_line(applicant_client, licence):
    applicant_client.post(url(licence), {"lines": [shipment(licence, "SO-1")]}, format="json")

    response = applicant_client.post(
        url(licence),
        {"lines": [shipment(licence, "SO-1"), shipment(licence, "SO-2")]},
        format="json",
    )

    assert response.status_code == 201
    assert [line["stored"] for line in response.json()["lines"]] == [False, True]
    assert Shipment.objects.count() == 2


def test_the_same_reference_with_other_content_is_refused_and_nothing_stored(
    applicant_client, licence
):
    applicant_client.post(url(licence), {"lines": [shipment(licence, "SO-1")]}, format="json")

    response = applicant_client.post(
        url(licence),
        {"lines": [shipment(licence, "SO-2"), shipment(licence, "SO-1", "11")]},
        format="json",
    )

    assert response.status_code == 409
    assert "Line 1" in response.json()["detail"]
    assert Shipment.objects.count() == 1


def test_a_malformed_line_names_its_index_and_field_and_nothing_is_stored(
    applicant_client, licence
):
    response = applicant_client.post(
        url(licence),
        {
            "lines": [
                shipment(licence, "SO-1"),
                shipment(licence, "SO-2", shipped_on="4 May"),
                shipment(licence, "SO-3"),
            ]
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["lines[1].shipped_on"]
    assert not Shipment.objects.exists()
    assert not TransitionRecord.objects.filter(transition="shipment_recorded").exists()


def test_a_line_beyond_the_balance_refuses_the_whole_report(applicant_client, licence):
    response = applicant_client.post(
        url(licence),
        {"lines": [shipment(licence, "SO-1", "60"), shipment(licence, "SO-2", "60")]},
        format="json",
    )

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["lines[1].quantities[0].quantity"]
    assert "40" in response.json()["errors"]["lines[1].quantities[0].quantity"][0]
    assert not Shipment.objects.exists()
    assert remaining(licence) == Decimal("100")


def test_a_line_the_licence_does_not_have_is_named(applicant_client, licence):
    line = shipment(licence, "SO-1")
    line["quantities"][0]["line"] = 9

    response = applicant_client.post(url(licence), {"lines": [line]}, format="json")

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["lines[0].quantities[0].line"]


def test_a_shipment_line_needs_its_date_and_quantities(applicant_client, licence):
    line = shipment(licence, "SO-1")
    del line["shipped_on"], line["quantities"]

    response = applicant_client.post(url(licence), {"lines": [line]}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"lines[0].shipped_on", "lines[0].quantities"}


def test_an_empty_report_is_refused(applicant_client, licence):
    response = applicant_client.post(url(licence), {"lines": []}, format="json")

    assert response.status_code == 400
    assert [field.split(".")[0] for field in response.json()["errors"]] == ["lines"]


def test_a_report_on_a_suspended_licence_is_refused_naming_the_line(
    applicant_client, licence, head
):
    actions.licence_suspend(licence=licence, actor=head, reason="Checks.")

    response = applicant_client.post(
        url(licence), {"lines": [shipment(licence, "SO-1")]}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["detail"].startswith("Line 0")
    assert not Shipment.objects.exists()


def test_returns_are_reported_against_the_holders_own_shipment_reference(
    applicant_client, temporary_licence
):
    licence = temporary_licence
    out = {
        "type": "shipment",
        "reference": "SO-1",
        "shipped_on": licence.valid_from.isoformat(),
        "customs_reference": "EX-1",
        "quantities": [{"line": 1, "quantity": "6"}],
    }
    back = {
        "type": "return",
        "reference": "RMA-1",
        "shipment_reference": "SO-1",
        "line": 1,
        "quantity": "4",
        "returned_on": (licence.valid_from + timedelta(days=30)).isoformat(),
        "customs_reference": "IM-1",
    }

    response = applicant_client.post(url(licence), {"lines": [out, back]}, format="json")
    again = applicant_client.post(url(licence), {"lines": [back]}, format="json")

    assert response.status_code == 201
    assert again.json()["lines"][0]["stored"] is False
    goods_return = GoodsReturn.objects.get()
    assert (goods_return.quantity, goods_return.holder_reference) == (Decimal("4"), "RMA-1")


def test_a_return_of_more_than_went_out_refuses_the_report(applicant_client, temporary_licence):
    licence = temporary_licence
    line = licence.lines.get()
    sent = actions.shipment_record(
        licence=licence,
        actor=licence.application.created_by,
        shipped_on=licence.valid_from,
        customs_reference="EX-1",
        quantities={line.pk: Decimal("6")},
    )
    back = {
        "type": "return",
        "reference": "RMA-1",
        "shipment": sent.pk,
        "line": 1,
        "quantity": "7",
        "returned_on": (licence.valid_from + timedelta(days=30)).isoformat(),
        "customs_reference": "IM-1",
    }

    response = applicant_client.post(url(licence), {"lines": [back]}, format="json")

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["lines[0].quantity"]
    assert not GoodsReturn.objects.exists()


def test_another_organisations_licence_is_404(other_applicant_client, licence):
    response = other_applicant_client.post(
        url(licence), {"lines": [shipment(licence, "SO-1")]}, format="json"
    )

    assert response.status_code == 404
    assert not Shipment.objects.exists()


def test_an_unknown_licence_is_404(applicant_client, db):
    response = applicant_client.post(
        "/api/v1/licences/BXL-ML-EXP-2026-999999/usage-reports/", {"lines": []}, format="json"
    )
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["case_manager_client", "head_client", "auditor_client"])
def test_staff_do_not_report_a_holders_usage(who, request, licence):
    client = request.getfixturevalue(who)

    response = client.post(url(licence), {"lines": [shipment(licence, "SO-1")]}, format="json")

    assert response.status_code == 403
    assert not Shipment.objects.exists()


def test_anonymous_callers_are_asked_to_authenticate(anon_client, licence):
    response = anon_client.post(url(licence), {"lines": []}, format="json")
    assert response.status_code == 401
