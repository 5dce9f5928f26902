"""Handing a file to another case manager: who may, when, and four-eyes afterwards."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from permits import actions, rules
from tests.factories import ApplicationFactory, UserFactory
from tests.workflow_helpers import advance, assess_all_criteria, record_government_decision
from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionGuardFailed
from workflow.models import CaseTask, TransitionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


@pytest.fixture
def reviewing(organisation, people):
    application = ApplicationFactory(organisation=organisation, created_by=people["applicant"])
    return advance(application, "under_review", **people)


def reassign(application, actor, to, reason="Chloé is on leave for a month."):
    return actions.application_reassign(
        application=application, actor=actor, case_manager=to, reason=reason
    )


def test_the_head_hands_a_file_under_review_to_another_case_manager(
    reviewing, head, second_case_manager
):
    application = reassign(reviewing, head, second_case_manager)

    assert application.assigned_case_manager == second_case_manager
    record = TransitionRecord.objects.get(application=reviewing, transition="reassigned")
    assert record.comment == "Chloé is on leave for a month."
    assert record.payload["case_manager_id"] == second_case_manager.pk


def test_the_work_item_follows_the_file(reviewing, head, second_case_manager):
    reassign(reviewing, head, second_case_manager)

    task = CaseTask.objects.open().get(application=reviewing)
    assert task.assignee == second_case_manager


def test_a_file_waiting_on_the_applicant_keeps_the_applicants_work_item(
    organisation, people, second_case_manager
):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "information_requested",
        **people,
    )

    reassign(application, people["head"], second_case_manager)

    task = CaseTask.objects.open().get(application=application)
    assert (task.candidate_role, task.assignee) == ("applicant", None)
    answered = actions.application_provide_information(
        application=application, actor=people["applicant"], reply="Here."
    )
    assert CaseTask.objects.open().get(application=answered).assignee == second_case_manager


def test_a_reassignment_needs_a_reason(reviewing, head, second_case_manager):
    with pytest.raises(TransitionGuardFailed) as error:
        reassign(reviewing, head, second_case_manager, reason=" ")

    assert "reason" in error.value.errors
    assert not TransitionRecord.objects.filter(transition="reassigned").exists()


def test_only_a_case_manager_can_receive_a_file(reviewing, head, applicant):
    with pytest.raises(TransitionGuardFailed) as error:
        reassign(reviewing, head, applicant)

    assert "case_manager" in error.value.errors


def test_a_case_manager_cannot_reassign_unless_the_head_allows_it(
    reviewing, case_manager, second_case_manager, settings
):
    with pytest.raises(TransitionForbidden):
        reassign(reviewing, case_manager, second_case_manager)

    settings.REASSIGNMENT_BY_CASE_MANAGERS = True
    assert reassign(reviewing, case_manager, second_case_manager).assigned_case_manager == (
        second_case_manager
    )


def test_a_file_awaiting_the_decision_cannot_be_reassigned(
    organisation, people, second_case_manager
):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "pending_approval",
        **people,
    )

    with pytest.raises(TransitionConflict):
        reassign(application, people["head"], second_case_manager)


def test_everyone_who_ever_reviewed_counts_for_four_eyes(
    reviewing, head, case_manager, second_case_manager
):
    reassign(reviewing, head, second_case_manager)

    assert {case_manager.pk, second_case_manager.pk} <= rules.reviewer_ids(reviewing)
    assert head.pk not in rules.reviewer_ids(reviewing)  # assigning is not reviewing


def test_a_head_who_started_the_review_cannot_approve_after_a_reassignment(
    organisation, applicant, second_case_manager, second_head
):
    head = UserFactory(username="acting_head", roles=["head_of_unit", "case_manager"])
    application = ApplicationFactory(organisation=organisation, created_by=applicant)
    actions.application_submit(application=application, actor=applicant)
    actions.application_start_review(application=application, actor=head)  # takes it himself
    reassign(application, head, second_case_manager)
    assess_all_criteria(application, second_case_manager)
    actions.application_propose_decision(
        application=application, actor=second_case_manager, recommendation="grant", reasons="Ok."
    )
    record_government_decision(application, second_head, "granted")

    with pytest.raises(TransitionForbidden) as error:
        actions.application_approve(application=application, actor=head)

    assert "Four-eyes" in error.value.message
    assert actions.application_approve(application=application, actor=second_head).status == (
        "issued"
    )


def test_the_head_reassigns_from_the_case_page(reviewing, head, second_case_manager):
    client = Client()
    client.force_login(head)
    page = client.get(reverse("permits:application_detail", args=[reviewing.url_key]))

    response = client.post(
        reverse("permits:application_reassign", args=[reviewing.url_key]),
        {"reassign-case_manager": second_case_manager.pk, "reassign-reason": "Leave."},
    )

    assert b"Reassign the file" in page.content
    assert response.status_code == 302
    reviewing.refresh_from_db()
    assert reviewing.assigned_case_manager == second_case_manager


def test_a_case_manager_sees_no_reassignment_form(reviewing, case_manager):
    client = Client()
    client.force_login(case_manager)

    page = client.get(reverse("permits:application_detail", args=[reviewing.url_key]))

    assert b"Reassign the file" not in page.content


def test_the_api_reassigns_for_the_head_and_refuses_an_unknown_case_manager(
    reviewing, head, applicant, second_case_manager
):
    from tests.api.conftest import client_for

    url = f"/api/v1/applications/{reviewing.url_key}/reassign/"

    unknown = client_for(head).post(
        url, {"case_manager": "nobody", "reason": "Leave."}, format="json"
    )
    by_applicant = client_for(applicant).post(
        url, {"case_manager": second_case_manager.username, "reason": "Leave."}, format="json"
    )
    done = client_for(head).post(
        url, {"case_manager": second_case_manager.username, "reason": "Leave."}, format="json"
    )

    assert unknown.status_code == 422 and "case_manager" in unknown.json()["errors"]
    assert by_applicant.status_code == 403
    assert done.status_code == 200
    reviewing.refresh_from_db()
    assert reviewing.assigned_case_manager == second_case_manager
