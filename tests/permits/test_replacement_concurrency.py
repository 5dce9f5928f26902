"""Races of the actions this slice added, on real PostgreSQL connections (see
test_concurrency.py for the method: a held row lock as starting gun)."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from permits import actions
from permits.models import Licence, PermitApplication
from tests.conftest import requires_postgresql
from tests.factories import ApplicationFactory, DocumentFactory
from tests.permits.test_concurrency import _blocked_backends
from tests.workflow_helpers import advance, record_government_decision
from workflow.exceptions import TransitionConflict
from workflow.models import TransitionRecord

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]


def race_on(model, pk, *calls):
    """Run ``calls`` in threads that all meet at the lock of ``model`` row ``pk``."""
    results: list[object] = [None] * len(calls)

    def run(index, call):
        try:
            results[index] = call()
        except Exception as exc:  # the race's outcome is what we assert on
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    with transaction.atomic():
        model.objects.select_for_update().get(pk=pk)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while _blocked_backends() < len(calls) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _blocked_backends() == len(calls), "competitors never met at the lock"
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


def test_two_follow_ups_of_one_licence_approved_at_once_never_both_carry_over(organisation, people):
    original = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "issued",
        **people,
    ).licence
    pending = []
    for kind in ("amendment", "renewal"):
        draft = actions.licence_follow_up_create(
            licence=original, actor=people["applicant"], follow_up=kind
        )
        DocumentFactory(
            application=draft, kind="end_user_certificate", uploaded_by=people["applicant"]
        )
        draft = advance(draft, "pending_approval", **people)
        pending.append(record_government_decision(draft, people["head"], "granted"))

    results = race_on(
        Licence,
        original.pk,
        *(
            (lambda a=a: actions.application_approve(application=a, actor=people["head"]))
            for a in pending
        ),
    )

    winners = [r for r in results if isinstance(r, PermitApplication)]
    losers = [r for r in results if isinstance(r, TransitionConflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    valid = Licence.objects.filter(holder=organisation, status="valid")
    assert [licence.application_id for licence in valid] == [winners[0].pk]
    assert sum(line.authorised_quantity for line in valid[0].lines.all()) == Decimal("10")
    assert TransitionRecord.objects.filter(transition="licence_replaced").count() == 1


def test_a_reassignment_racing_the_proposal_leaves_one_consistent_outcome(
    organisation, people, second_case_manager
):
    from tests.permits.test_concurrency import race

    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "under_review",
        **people,
    )
    stale = [PermitApplication.objects.get(pk=application.pk) for _ in range(2)]

    results = race(
        application.pk,
        lambda: actions.application_reassign(
            application=stale[0],
            actor=people["head"],
            case_manager=second_case_manager,
            reason="Leave.",
        ),
        lambda: actions.application_propose_decision(
            application=stale[1],
            actor=people["case_manager"],
            recommendation="grant",
            reasons="Fine.",
        ),
    )

    winners = [r for r in results if isinstance(r, PermitApplication)]
    assert len(winners) == 1, results
    application.refresh_from_db()
    if application.status == "pending_approval":
        assert application.assigned_case_manager == people["case_manager"]
        assert not TransitionRecord.objects.filter(transition="reassigned").exists()
    else:
        assert application.assigned_case_manager == second_case_manager
        assert not TransitionRecord.objects.filter(transition="propose_decision").exists()
