"""Races on real PostgreSQL over a licence's balance: customs decrements and holders' usage
reports arriving at the same moment (the competitors meet at the held application lock)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from outbox.models import OutboxMessage
from permits.actions.customs import BalanceExceeded, Decrement, licence_line_decrement
from permits.actions.usage import usage_report_record
from permits.models import Licence, Shipment, ShipmentLine
from tests.conftest import requires_postgresql
from tests.factories import ApplicationFactory, GoodsItemFactory, UserFactory
from tests.permits.test_concurrency import race
from tests.workflow_helpers import advance
from workflow.models import TransitionRecord

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def licence(organisation, applicant, case_manager, head) -> Licence:
    application = ApplicationFactory(organisation=organisation, created_by=applicant)
    GoodsItemFactory(
        application=application,
        description="Spare batteries",
        control_entry="ML15.e",
        quantity=Decimal("100"),
        unit_value=Decimal("45"),
    )
    return advance(
        application, "issued", applicant=applicant, case_manager=case_manager, head=head
    ).licence


@pytest.fixture
def customs(db):
    return UserFactory(username="customs_system", roles=["customs"])


def batteries(licence: Licence):
    return licence.lines.get(description="Spare batteries")


def decrement(licence, customs, reference: str, quantity: str):
    return lambda: licence_line_decrement(
        licence_line=batteries(licence),
        actor=customs,
        declaration_reference=reference,
        declared_on=licence.valid_from,
        customs_office="BE212000",
        quantity=Decimal(quantity),
    )


def test_two_decrements_that_together_exceed_the_balance_one_succeeds(licence, customs):
    results = race(
        licence.application_id,
        decrement(licence, customs, "DECL-A", "60"),
        decrement(licence, customs, "DECL-B", "60"),
    )

    assert sorted(type(r).__name__ for r in results) == ["BalanceExceeded", "Decrement"]
    loser = next(r for r in results if isinstance(r, BalanceExceeded))
    assert loser.remaining_quantity == Decimal("40")
    assert ShipmentLine.objects.get(licence_line=batteries(licence)).quantity == Decimal("60")


def test_the_same_declaration_twice_at_once_decrements_once(licence, customs):
    results = race(
        licence.application_id,
        decrement(licence, customs, "DECL-A", "30"),
        decrement(licence, customs, "DECL-A", "30"),
    )

    assert all(isinstance(r, Decrement) for r in results), results
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].shipment_line.pk == results[1].shipment_line.pk
    assert ShipmentLine.objects.count() == 1
    recorded = TransitionRecord.objects.filter(transition="customs_decrement_recorded")
    assert recorded.count() == 1
    # And the holder is told once.
    assert OutboxMessage.objects.filter(key__startswith="customs_decrement:").count() == 1


def test_the_same_usage_report_twice_at_once_is_stored_once(licence, applicant):
    position = list(licence.lines.order_by("id")).index(batteries(licence)) + 1

    def report():
        return usage_report_record(
            licence=licence,
            actor=applicant,
            lines=[
                {
                    "type": "shipment",
                    "reference": "SO-1",
                    "shipped_on": licence.valid_from,
                    "customs_reference": "26BE212000EX0000001",
                    "quantities": [{"line": position, "quantity": Decimal("5")}],
                }
            ],
        )

    results = race(licence.application_id, report, report)

    assert all(isinstance(r, list) for r in results), results
    assert sorted(r[0].created for r in results) == [False, True]
    assert Shipment.objects.filter(holder_reference="SO-1").count() == 1
