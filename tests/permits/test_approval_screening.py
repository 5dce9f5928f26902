"""The screening just before a decision: its findings stay for the case manager to clear, but
its history event is written only with the approval it preceded."""

from __future__ import annotations

import pytest

from permits import actions
from permits.compliance.models import ScreeningRun
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance, assess_all_criteria, record_government_decision
from workflow.exceptions import TransitionGuardFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(organisation, applicant, case_manager, head):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "under_review",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )
    assess_all_criteria(application, case_manager)
    return actions.application_propose_decision(
        application=application, actor=case_manager, recommendation="grant", reasons="In order."
    )


def pre_decision_runs(application):
    return application.screenings.filter(occasion=ScreeningRun.Occasion.PRE_DECISION)


def test_a_refused_approval_leaves_its_screening_run_but_no_history_event(pending, second_head):
    events_before = pending.history.filter(transition="screening").count()

    # A military export waits for the Government's decision: the approval is refused.
    with pytest.raises(TransitionGuardFailed):
        actions.application_approve(application=pending, actor=second_head)

    assert pre_decision_runs(pending).count() == 1
    assert pending.history.filter(transition="screening").count() == events_before


def test_an_approval_records_its_screening_with_it(pending, second_head):
    events_before = pending.history.filter(transition="screening").count()
    record_government_decision(pending, second_head, "granted")

    actions.application_approve(application=pending, actor=second_head)

    records = list(
        pending.history.order_by("created_at", "id").values_list("transition", flat=True)
    )
    assert pending.history.filter(transition="screening").count() == events_before + 1
    assert records[-2:] == ["screening", "approve"]
