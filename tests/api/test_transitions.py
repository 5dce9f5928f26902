"""Transitions through the API: the same services, permissions and conflicts as the pages."""

from __future__ import annotations

import pytest

from permits.models import PermitApplication
from tests.api.conftest import url
from tests.workflow_helpers import record_government_decision

pytestmark = pytest.mark.django_db


def names(response) -> set[str]:
    return {item["name"] for item in response.json()}


def test_applicant_sees_submit_and_withdraw_on_a_draft(applicant_client, draft):
    assert names(applicant_client.get(url(draft, "transitions/"))) == {"submit", "withdraw"}


def test_head_sees_the_decisions_on_a_file_pending_approval(head_client, make_application):
    application = make_application("pending_approval")
    assert names(head_client.get(url(application, "transitions/"))) == {
        "approve",
        "refuse",
        "return_to_review",
    }


def test_auditor_has_no_transitions(auditor_client, make_application):
    application = make_application("under_review")
    assert names(auditor_client.get(url(application, "transitions/"))) == set()


def test_applicant_submits_and_gets_a_reference(applicant_client, draft):
    response = applicant_client.post(url(draft, "transitions/submit/"), {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert response.json()["reference"].startswith("BXL-ML-EXP-")


def test_a_transition_that_no_longer_applies_is_409(applicant_client, make_application):
    application = make_application("submitted")
    response = applicant_client.post(url(application, "transitions/submit/"), {}, format="json")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"


def test_the_loser_of_two_approvals_gets_409(head_client, head, make_application):
    application = record_government_decision(make_application("pending_approval"), head, "granted")
    first = head_client.post(url(application, "transitions/approve/"), {}, format="json")
    second = head_client.post(url(application, "transitions/approve/"), {}, format="json")
    assert (first.status_code, second.status_code) == (200, 409)


def test_unmet_conditions_are_422_with_a_field_map(draft, applicant_client):
    draft.goods.all().delete()
    response = applicant_client.post(url(draft, "transitions/submit/"), {}, format="json")
    assert response.status_code == 422
    assert "goods" in response.json()["errors"]


def test_blank_message_is_422(case_manager_client, make_application):
    application = make_application("under_review")
    response = case_manager_client.post(
        url(application, "transitions/request_information/"), {"message": " "}, format="json"
    )
    assert response.status_code == 422
    assert "message" in response.json()["errors"]


def test_missing_payload_field_is_400(case_manager_client, make_application):
    application = make_application("under_review")
    response = case_manager_client.post(
        url(application, "transitions/request_information/"), {}, format="json"
    )
    assert response.status_code == 400
    assert "message" in response.json()["errors"]


def test_case_manager_takes_a_submitted_file(case_manager_client, case_manager, make_application):
    application = make_application("submitted")
    response = case_manager_client.post(
        url(application, "transitions/start_review/"), {}, format="json"
    )
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.assigned_case_manager == case_manager


def test_head_assigns_a_named_case_manager(head_client, second_case_manager, make_application):
    application = make_application("submitted")
    response = head_client.post(
        url(application, "transitions/start_review/"),
        {"case_manager": second_case_manager.username},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["review"]["assigned_case_manager"] == second_case_manager.username


def test_case_manager_cannot_approve(case_manager_client, make_application):
    application = make_application("pending_approval")
    response = case_manager_client.post(url(application, "transitions/approve/"), {}, format="json")
    assert response.status_code == 403


def test_auditor_cannot_perform_any_transition(auditor_client, make_application):
    application = make_application("under_review")
    response = auditor_client.post(url(application, "transitions/withdraw/"), {}, format="json")
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == "under_review"


def test_another_organisation_cannot_withdraw(other_applicant_client, draft):
    response = other_applicant_client.post(url(draft, "transitions/withdraw/"), {}, format="json")
    assert response.status_code == 404
    assert PermitApplication.objects.get(pk=draft.pk).status == "draft"


def test_anonymous_transition_is_401(anon_client, draft):
    assert anon_client.post(url(draft, "transitions/submit/"), {}).status_code == 401


def test_unknown_transition_is_404(applicant_client, draft):
    response = applicant_client.post(url(draft, "transitions/expire/"), {}, format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_get_on_a_transition_is_405(applicant_client, draft):
    response = applicant_client.get(url(draft, "transitions/submit/"))
    assert response.status_code == 405
    assert "POST" in response["Allow"]


def test_head_approves_and_the_licence_is_issued(head_client, head, make_application):
    application = record_government_decision(make_application("pending_approval"), head, "granted")
    response = head_client.post(
        url(application, "transitions/approve/"), {"comment": "In order."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["licence"]["number"] == application.reference
