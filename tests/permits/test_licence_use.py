"""After issue: shipments against balances, exhaustion, suspension and reinstatement."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from permits import actions, selectors, tasks
from permits.models import Licence
from tests.factories import ApplicationFactory, GoodsItemFactory
from tests.workflow_helpers import advance
from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionGuardFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def licence(organisation, applicant, case_manager, head):
    application = ApplicationFactory(organisation=organisation, created_by=applicant)
    GoodsItemFactory(
        application=application,
        description="Spare batteries",
        control_entry="ML15.e",
        quantity=Decimal("100"),
        unit_value=Decimal("45"),
    )
    application = advance(
        application, "issued", applicant=applicant, case_manager=case_manager, head=head
    )
    return application.licence


def lines(licence):
    return {line.description: line for line in licence.lines.all()}


def ship(licence, applicant, **quantities_by_description):
    by_name = lines(licence)
    return actions.shipment_record(
        licence=licence,
        actor=applicant,
        shipped_on=licence.valid_from,
        customs_reference="BE-EXP-26-000123",
        quantities={by_name[name].pk: Decimal(q) for name, q in quantities_by_description.items()},
    )


def test_approval_authorises_each_goods_item_as_a_licence_line(licence):
    authorised = {
        (line.description, line.authorised_quantity, line.authorised_value)
        for line in licence.lines.all()
    }

    assert authorised == {
        ("Thermal imaging sights", Decimal("10.000"), Decimal("250000.00")),
        ("Spare batteries", Decimal("100.000"), Decimal("4500.00")),
    }


def test_a_shipment_draws_on_the_balances(licence, applicant):
    ship(licence, applicant, **{"Spare batteries": "40"})

    balance = {b["line"].description: b for b in selectors.licence_balances(licence=licence)}
    assert balance["Spare batteries"]["remaining_quantity"] == Decimal("60")
    assert balance["Spare batteries"]["shipped_value"] == Decimal("1800.00")
    assert balance["Thermal imaging sights"]["remaining_quantity"] == Decimal("10")


def test_a_shipment_beyond_a_balance_is_refused_and_records_nothing(licence, applicant):
    ship(licence, applicant, **{"Spare batteries": "90"})

    with pytest.raises(TransitionGuardFailed) as error:
        ship(licence, applicant, **{"Spare batteries": "11"})

    ((field, messages),) = error.value.errors.items()
    assert field == f"quantities[{lines(licence)['Spare batteries'].pk}]"
    assert "exceeds the remaining balance of 10" in messages[0]
    assert licence.shipments.count() == 1


def test_the_last_shipment_exhausts_the_licence(licence, applicant):
    ship(licence, applicant, **{"Spare batteries": "100", "Thermal imaging sights": "4"})
    ship(licence, applicant, **{"Thermal imaging sights": "6"})

    licence.refresh_from_db()
    assert licence.status == "exhausted"
    assert licence.application.history.filter(transition="licence_exhausted").count() == 1
    with pytest.raises(TransitionConflict):
        ship(licence, applicant, **{"Thermal imaging sights": "1"})


def test_a_shipment_outside_the_validity_is_refused(licence, applicant):
    with pytest.raises(TransitionGuardFailed) as error:
        actions.shipment_record(
            licence=licence,
            actor=applicant,
            shipped_on=licence.valid_until + timedelta(days=1),
            customs_reference="X",
            quantities={lines(licence)["Spare batteries"].pk: Decimal("1")},
        )

    assert "shipped_on" in error.value.errors


def test_only_the_holder_records_shipments(licence, other_applicant, case_manager):
    for outsider in (other_applicant, case_manager):
        with pytest.raises(TransitionForbidden):
            ship(licence, outsider, **{"Spare batteries": "1"})


def test_a_suspended_licence_takes_no_shipment_until_reinstated(licence, applicant, head):
    mail.outbox.clear()
    actions.licence_suspend(
        licence=licence, actor=head, reason="Investigation of a diversion report."
    )

    with pytest.raises(TransitionConflict):
        ship(licence, applicant, **{"Spare batteries": "1"})
    actions.licence_reinstate(licence=licence, actor=head, reason="Investigation closed.")

    assert ship(licence, applicant, **{"Spare batteries": "1"}).pk
    assert [
        e.transition for e in licence.application.history.filter(transition__startswith="licence_")
    ] == [
        "licence_suspended",
        "licence_reinstated",
    ]


def test_suspension_needs_the_head_and_a_reason(licence, case_manager, head):
    with pytest.raises(TransitionForbidden):
        actions.licence_suspend(licence=licence, actor=case_manager, reason="x")
    with pytest.raises(TransitionGuardFailed):
        actions.licence_suspend(licence=licence, actor=head, reason="")


def test_suspension_notifies_the_holder(licence, head, django_capture_on_commit_callbacks):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        actions.licence_suspend(licence=licence, actor=head, reason="Audit.")

    assert mail.outbox[-1].subject == f"Licence {licence.number} suspendue"


def test_a_suspended_licence_still_expires_at_the_end_of_its_validity(licence, head):
    actions.licence_suspend(licence=licence, actor=head, reason="Audit.")
    Licence.objects.filter(pk=licence.pk).update(valid_until=licence.valid_from - timedelta(days=1))

    assert tasks.expire_licences() == 1
    licence.refresh_from_db()
    assert licence.status == "expired"


@pytest.mark.parametrize(("follow_up", "suffix"), [("amendment", "-A1"), ("renewal", "-R1")])
def test_an_amendment_or_renewal_starts_from_the_licence_and_keeps_its_number(
    licence, applicant, follow_up, suffix
):
    draft = actions.licence_follow_up_create(licence=licence, actor=applicant, follow_up=follow_up)

    assert draft.status == "draft" and draft.follows == licence.application
    assert {g.description for g in draft.goods.all()} == {
        g.description for g in licence.application.goods.all()
    }
    assert draft.parties.count() == licence.application.parties.count()
    from tests.factories import DocumentFactory

    DocumentFactory(application=draft, kind="end_user_certificate", uploaded_by=applicant)
    submitted = actions.application_submit(application=draft, actor=applicant)
    assert submitted.reference == f"{licence.number}{suffix}"


def test_a_second_amendment_gets_the_next_suffix(licence, applicant):
    from tests.factories import DocumentFactory

    for expected in ("-A1", "-A2"):
        draft = actions.licence_follow_up_create(
            licence=licence, actor=applicant, follow_up="amendment"
        )
        DocumentFactory(application=draft, kind="end_user_certificate", uploaded_by=applicant)
        assert actions.application_submit(application=draft, actor=applicant).reference.endswith(
            expected
        )


def test_only_the_holder_amends_a_licence(licence, other_applicant):
    with pytest.raises(TransitionForbidden):
        actions.licence_follow_up_create(
            licence=licence, actor=other_applicant, follow_up="amendment"
        )


def test_revocation_notifies_the_holder(licence, head, django_capture_on_commit_callbacks):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        actions.application_revoke(application=licence.application, actor=head, reason="Breach.")

    assert mail.outbox[-1].subject == f"Licence {licence.number} retirée"


def test_a_renewal_carries_on_the_remaining_balances(licence, applicant):
    ship(licence, applicant, **{"Spare batteries": "100", "Thermal imaging sights": "4"})

    renewal = actions.licence_follow_up_create(
        licence=licence, actor=applicant, follow_up="renewal"
    )
    amendment = actions.licence_follow_up_create(
        licence=licence, actor=applicant, follow_up="amendment"
    )

    assert {(g.description, g.quantity) for g in renewal.goods.all()} == {
        ("Thermal imaging sights", Decimal("6.000"))
    }
    assert amendment.goods.count() == 2
