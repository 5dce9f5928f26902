"""Temporary licences (repair, exhibition, sport): the goods come back within one year."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from permits import actions, selectors
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance
from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionGuardFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


@pytest.fixture
def shipped(organisation, people):
    application = advance(
        ApplicationFactory(
            organisation=organisation, created_by=people["applicant"], temporary_purpose="STU"
        ),
        "issued",
        **people,
    )
    licence = application.licence
    line = licence.lines.get()
    shipment = actions.shipment_record(
        licence=licence,
        actor=people["applicant"],
        shipped_on=licence.valid_from,
        customs_reference="EX-1",
        quantities={line.pk: Decimal("6")},
    )
    return shipment.lines.get()


def give_back(line, actor, quantity, returned_on=None):
    return actions.goods_return_record(
        shipment_line=line,
        actor=actor,
        quantity=Decimal(quantity),
        returned_on=returned_on or line.shipment.shipped_on + timedelta(days=30),
        customs_reference="IM-1",
    )


def test_a_temporary_movement_is_numbered_tmp(shipped):
    assert shipped.shipment.licence.number.startswith("BXL-ML-TMP-")


def test_returns_draw_down_what_is_still_abroad(shipped, people):
    give_back(shipped, people["applicant"], "4")

    assert selectors.goods_outstanding(shipment_line=shipped) == Decimal("2")
    assert shipped.shipment.licence.application.history.filter(transition="goods_returned").exists()


def test_more_than_went_out_cannot_come_back(shipped, people):
    give_back(shipped, people["applicant"], "4")

    with pytest.raises(TransitionGuardFailed) as error:
        give_back(shipped, people["applicant"], "3")

    assert "Only 2 went out" in error.value.errors["quantity"][0]


def test_goods_cannot_come_back_before_they_left(shipped, people):
    with pytest.raises(TransitionGuardFailed) as error:
        give_back(
            shipped,
            people["applicant"],
            "1",
            returned_on=shipped.shipment.shipped_on - timedelta(days=1),
        )

    assert list(error.value.errors) == ["returned_on"]


def test_only_the_holder_records_a_return(shipped, people):
    with pytest.raises(TransitionForbidden):
        give_back(shipped, people["case_manager"], "1")


def test_a_definitive_licence_has_nothing_to_bring_back(organisation, people):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "issued",
        **people,
    )
    licence = application.licence
    shipment = actions.shipment_record(
        licence=licence,
        actor=people["applicant"],
        shipped_on=licence.valid_from,
        customs_reference="EX-2",
        quantities={licence.lines.get().pk: Decimal("1")},
    )

    with pytest.raises(TransitionConflict):
        give_back(shipment.lines.get(), people["applicant"], "1")


def test_the_sweep_reminds_the_holder_a_month_before_and_tells_the_unit_when_overdue(
    shipped, people, django_capture_on_commit_callbacks
):
    due = selectors.return_due_on(shipped.shipment)
    mail.outbox.clear()

    def run(day):
        with django_capture_on_commit_callbacks(execute=True):
            return actions.deadline_reminders_send(today=day)

    assert run(due - timedelta(days=31))["return_reminders"] == 0
    assert run(due - timedelta(days=30))["return_reminders"] == 1
    assert run(due - timedelta(days=29))["return_reminders"] == 0
    assert run(due + timedelta(days=1))["returns_overdue"] == 1
    assert run(due + timedelta(days=2))["returns_overdue"] == 0
    assert [m.to for m in mail.outbox] == [
        [people["applicant"].email],
        [people["head"].email],
        [people["case_manager"].email],
    ]


def test_goods_all_back_are_no_longer_chased(shipped, people):
    give_back(shipped, people["applicant"], "6")

    assert selectors.temporary_returns_outstanding(today=timezone.localdate()) == []
