"""Races through the API on real PostgreSQL connections: two staff acting on the same file at
once get one success and one refusal, and the history records the action once."""

from __future__ import annotations

import pytest

from permits.models import Licence
from tests.api.conftest import client_for, url
from tests.conftest import requires_postgresql
from tests.factories import ApplicationFactory
from tests.permits.test_concurrency import race
from tests.workflow_helpers import advance
from workflow.models import TransitionRecord

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]


def test_two_suspensions_at_once_suspend_once(organisation, applicant, case_manager, head):
    issued = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "issued",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )
    clients = [client_for(head), client_for(head)]
    responses = race(
        issued.pk,
        *[
            lambda c=c: c.post(url(issued, "licence/suspend/"), {"reason": "Check."}, format="json")
            for c in clients
        ],
    )
    assert sorted(r.status_code for r in responses) == [200, 409]
    assert Licence.objects.get(application=issued).status == "suspended"
    assert (
        TransitionRecord.objects.filter(application=issued, transition="licence_suspended").count()
        == 1
    )


def test_two_answers_to_one_government_decision_record_it_once(
    organisation, applicant, case_manager, head
):
    pending = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "pending_approval",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )
    from datetime import date

    body = {"outcome": "granted", "decided_on": date.today().isoformat(), "reference": "GOV-1"}
    clients = [client_for(head), client_for(head)]
    responses = race(
        pending.pk,
        *[
            lambda c=c: c.post(url(pending, "government-decision/"), body, format="json")
            for c in clients
        ],
    )
    assert sorted(r.status_code for r in responses) == [201, 422]
    assert (
        TransitionRecord.objects.filter(
            application=pending, transition="government_decision_recorded"
        ).count()
        == 1
    )
