from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(organisation, applicant, case_manager, head):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "issued",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )
    return application.licence


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name, licence, *args):
    return reverse(f"permits:{name}", args=[licence.application.url_key, *args])


def test_the_holder_sees_balances_and_records_a_shipment(licence, applicant):
    client = client_for(applicant)
    line = licence.lines.get()
    assert b"Record the shipment" in client.get(url("licence", licence)).content

    page = client.post(
        url("shipment_record", licence),
        {
            "shipped_on": licence.valid_from.isoformat(),
            "customs_reference": "EX-9",
            f"line-{line.pk}": "4",
        },
        follow=True,
    )

    assert b"The shipment is recorded." in page.content
    assert page.context["balances"][0]["remaining_quantity"] == Decimal("6")


def test_a_shipment_beyond_the_balance_is_refused_on_the_page(licence, applicant):
    line = licence.lines.get()

    page = client_for(applicant).post(
        url("shipment_record", licence),
        {
            "shipped_on": licence.valid_from.isoformat(),
            "customs_reference": "EX-9",
            f"line-{line.pk}": "11",
        },
        follow=True,
    )

    assert b"exceeds the remaining balance of 10" in page.content
    assert not licence.shipments.exists()


def test_bad_numbers_and_dates_name_what_is_wrong(licence, applicant):
    line = licence.lines.get()

    page = client_for(applicant).post(
        url("shipment_record", licence),
        {"shipped_on": "soon", f"line-{line.pk}": "ten"},
        follow=True,
    )

    assert b"enter a number" in page.content and b"enter a valid date" in page.content


def test_another_organisation_cannot_see_the_licence(licence, other_applicant):
    assert client_for(other_applicant).get(url("licence", licence)).status_code == 404


def test_the_head_suspends_from_the_page_and_the_holder_cannot(licence, head, applicant):
    client_for(applicant).post(url("licence_status", licence, "suspend"), {"reason": "Mine."})
    licence.refresh_from_db()
    assert licence.status == "valid"

    client_for(head).post(url("licence_status", licence, "suspend"), {"reason": "Audit."})

    licence.refresh_from_db()
    assert licence.status == "suspended"


def test_the_holder_starts_an_amendment_from_the_page(licence, applicant):
    page = client_for(applicant).post(url("licence_follow_up", licence, "amendment"), follow=True)

    assert page.context["application"].follows == licence.application
