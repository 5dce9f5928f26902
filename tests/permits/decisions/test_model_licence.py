"""The licence follows the EU model form's boxes, in the holder's language; user text is text."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from permits.decisions.rendering import render_decision
from permits.decisions.texts import BOX_TITLES
from tests.factories import ApplicationFactory, GoodsItemFactory, OrganisationFactory, PartyFactory
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(value: str) -> str:
    # Extracted text wraps long cells: compare without line breaks and with plain spaces.
    return re.sub(r"\s+", " ", value.replace("\u202f", " ").replace("\xa0", " "))


def issue(people, language="fr", **fields):
    organisation = OrganisationFactory(
        members=[people["applicant"]], language=language, eori_number="BE0403019261"
    )
    application = ApplicationFactory(
        organisation=organisation,
        created_by=people["applicant"],
        customs_office_of_export="BE212000",
        contract_reference="PO-2026-118",
        contract_date=date(2026, 3, 2),
        **fields,
    )
    GoodsItemFactory(
        application=application,
        description="Thermal sights",
        control_entry="ML15.a",
        commodity_code="90131000",
        quantity=Decimal("40"),
        unit="pieces",
        unit_value=Decimal("4500.00"),
        currency="EUR",
    )
    PartyFactory(application=application, role="agent", name="Forwarding Agent NV")
    return advance(application, "issued", **people)


def test_the_licence_pdf_carries_every_numbered_box_of_the_model_form(people, media):
    application = issue(people, language="en")

    text = flat(pdf_text(render_decision(application.decision, signed=False)))

    for title in BOX_TITLES["en"].values():
        assert title in text, title
    assert "BE0403019261" in text  # box 1: the exporter's EORI
    assert application.organisation.enterprise_number_display in text
    assert "90131000" in text and "BE212000" in text and "PO-2026-118" in text
    assert "Forwarding Agent NV" in text  # box 7


def test_a_french_licence_has_no_english_unit_or_number_format(people, media):
    application = issue(people, language="fr")

    text = flat(pdf_text(render_decision(application.decision, signed=False)))

    for title in BOX_TITLES["fr"].values():
        assert title in text, title
    assert "40 pièces" in text
    assert "180 000,00 €" in text
    assert "pieces" not in text
    assert "180,000.00" not in text and "180000.00" not in text


def test_a_dutch_licence_counts_in_dutch(people, media):
    application = issue(people, language="nl")

    text = flat(pdf_text(render_decision(application.decision, signed=False)))

    assert "40 stuks" in text
    assert "€ 180.000,00" in text


def test_a_usd_line_and_a_eur_line_are_never_summed_into_one_figure(people, media):
    organisation = OrganisationFactory(members=[people["applicant"]], language="en")
    application = ApplicationFactory(organisation=organisation, created_by=people["applicant"])
    application.goods.all().delete()
    GoodsItemFactory(
        application=application, quantity=Decimal("1"), unit_value=Decimal("300"), currency="USD"
    )
    GoodsItemFactory(
        application=application, quantity=Decimal("1"), unit_value=Decimal("200"), currency="EUR"
    )
    application = advance(application, "issued", **people)

    text = flat(pdf_text(render_decision(application.decision, signed=False)))

    assert "Total (USD) US$300.00" in text
    assert "Total (EUR) €200.00" in text
    assert "500.00" not in text


def test_markup_typed_in_a_party_name_is_printed_as_text(people, media):
    organisation = OrganisationFactory(members=[people["applicant"]], language="en")
    application = ApplicationFactory(organisation=organisation, created_by=people["applicant"])
    PartyFactory(
        application=application,
        role="consignee",
        name='<b>Bold</b> & <font color="red">Co</font>',
        address="<br/>Street 1",
    )
    application = advance(application, "refused", **people)

    text = flat(pdf_text(render_decision(application.decision, signed=False)))

    assert '<b>Bold</b> & <font color="red">Co</font>' in text
    assert "<br/>Street 1" in text
