"""Amendments and renewals replace their original licence: the original is closed, the new
licence carries over only what remains, and the total that can be shipped never grows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from permits import actions, selectors
from permits.decisions.verification import licence_status
from permits.models import Licence
from tests.factories import ApplicationFactory, DocumentFactory
from tests.workflow_helpers import advance, record_government_decision
from workflow.exceptions import TransitionConflict
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


@pytest.fixture
def licence(organisation, people):
    # The factory's file asks for 10 thermal imaging sights.
    application = ApplicationFactory(organisation=organisation, created_by=people["applicant"])
    return advance(application, "issued", **people).licence


def ship(licence, applicant, quantity):
    (line,) = licence.lines.all()
    return actions.shipment_record(
        licence=licence,
        actor=applicant,
        shipped_on=licence.valid_from,
        customs_reference="BE-EXP-26-000123",
        quantities={line.pk: Decimal(quantity)},
    )


def follow_up(licence, people, kind, *, to="pending_approval"):
    draft = actions.licence_follow_up_create(
        licence=licence, actor=people["applicant"], follow_up=kind
    )
    DocumentFactory(application=draft, kind="end_user_certificate", uploaded_by=people["applicant"])
    return advance(draft, to, **people)


def approve(application, head):
    return actions.application_approve(
        application=record_government_decision(application, head, "granted"), actor=head
    )


def shippable(organisation) -> Decimal:
    return sum(
        (
            b["remaining_quantity"]
            for licence in Licence.objects.filter(holder=organisation, status="valid")
            for b in selectors.licence_balances(licence=licence)
        ),
        Decimal("0"),
    )


def test_10_authorised_4_shipped_then_amended_and_renewed_leaves_6_shippable(
    licence, people, organisation
):
    ship(licence, people["applicant"], "4")

    amended = follow_up(licence, people, "amendment", to="issued").licence
    renewed = follow_up(amended, people, "renewal", to="issued").licence

    assert shippable(organisation) == Decimal("6")
    assert list(Licence.objects.filter(holder=organisation, status="valid")) == [renewed]


def test_an_amendment_asking_for_the_original_quantity_gets_only_what_remains(licence, people):
    ship(licence, people["applicant"], "4")

    amended = follow_up(licence, people, "amendment", to="issued").licence

    (line,) = amended.lines.all()
    assert line.authorised_quantity == Decimal("6")
    assert line.authorised_value == Decimal("150000.00")


def test_the_original_is_replaced_with_a_link_both_ways(licence, people):
    amended = follow_up(licence, people, "amendment", to="issued").licence

    licence.refresh_from_db()
    assert licence.status == Licence.Status.REPLACED
    assert licence.replaced_by == amended and amended.replaces == licence


def test_both_files_record_the_replacement(licence, people):
    amended = follow_up(licence, people, "renewal", to="issued").licence

    records = TransitionRecord.objects
    old = records.get(application=licence.application, transition="licence_replaced")
    new = records.get(application=amended.application, transition="licence_replaces")
    assert old.payload == {"successor": amended.number}
    assert new.payload == {"original": licence.number}


def test_a_shipment_against_a_replaced_licence_names_its_successor(licence, people):
    amended = follow_up(licence, people, "amendment", to="issued").licence

    with pytest.raises(TransitionConflict) as error:
        ship(licence, people["applicant"], "1")

    assert amended.number in error.value.message


def test_verification_of_the_old_number_says_replaced_by_the_new(licence, people, client):
    amended = follow_up(licence, people, "amendment", to="issued").licence

    assert licence_status(licence.number).replaced_by == amended.number
    page = client.get(
        "/verify/", {"licence": licence.number, "code": licence.verification_code}
    ).content.decode()
    assert 'data-status="replaced"' in page
    assert f"Replaced by licence {amended.number}" in page


@pytest.mark.parametrize("end", ["revoked", "expired"])
def test_a_follow_up_of_a_licence_closed_meanwhile_cannot_be_approved(licence, people, end):
    pending = follow_up(licence, people, "amendment")
    advance_original = {
        "revoked": lambda a: actions.application_revoke(
            application=a, actor=people["head"], reason="Breach."
        ),
        "expired": lambda a: actions.application_expire(
            application=a, today=licence.valid_until.replace(year=licence.valid_until.year + 1)
        ),
    }[end]
    advance_original(licence.application)

    with pytest.raises(TransitionConflict) as error:
        approve(pending, people["head"])

    assert licence.number in error.value.message and end in error.value.message
    pending.refresh_from_db()
    assert (
        pending.status == "pending_approval"
        and not Licence.objects.filter(application=pending).exists()
    )


def test_a_second_follow_up_of_a_replaced_licence_is_refused_naming_the_successor(licence, people):
    first = follow_up(licence, people, "amendment")
    second = follow_up(licence, people, "renewal")
    amended = approve(first, people["head"]).licence

    with pytest.raises(TransitionConflict) as error:
        approve(second, people["head"])

    assert amended.number in error.value.message


def test_the_holders_licence_page_points_from_the_old_licence_to_the_new(licence, people):
    from django.test import Client
    from django.urls import reverse

    amended = follow_up(licence, people, "amendment", to="issued").licence
    client = Client()
    client.force_login(people["applicant"])

    old = client.get(reverse("permits:licence", args=[licence.application.url_key]))
    new = client.get(reverse("permits:licence", args=[amended.application.url_key]))

    assert f"Replaced by licence {amended.number}" in old.content.decode()
    assert not old.context["can_ship"] and not old.context["can_follow_up"]
    assert f"Issued in place of licence {licence.number}" in new.content.decode()


def test_the_head_is_warned_on_the_case_page_before_approving(licence, people):
    from django.test import Client
    from django.urls import reverse

    pending = follow_up(licence, people, "amendment")
    actions.application_revoke(application=licence.application, actor=people["head"], reason="X")
    client = Client()
    client.force_login(people["head"])

    page = client.get(reverse("permits:application_detail", args=[pending.url_key]))

    assert f"Licence {licence.number} is revoked" in page.content.decode()
