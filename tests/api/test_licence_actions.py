"""Licence actions through the API: suspend, reinstate, revoke (head of unit), amendment and
renewal (holder); the same rules, errors and history as the licence page."""

from __future__ import annotations

import pytest

from permits.models import Licence, PermitApplication
from tests.api.conftest import url
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db


def events(application, name: str) -> int:
    return TransitionRecord.objects.filter(application=application, transition=name).count()


@pytest.fixture
def issued(make_application):
    return make_application("issued")


def test_the_head_suspends_a_licence_and_the_history_says_so(head_client, issued):
    response = head_client.post(
        url(issued, "licence/suspend/"), {"reason": "Certificate under check."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "suspended"
    assert Licence.objects.get(application=issued).status == "suspended"
    assert events(issued, "licence_suspended") == 1


def test_the_head_reinstates_a_suspended_licence(head_client, issued):
    head_client.post(url(issued, "licence/suspend/"), {"reason": "Check."}, format="json")
    response = head_client.post(
        url(issued, "licence/reinstate/"), {"reason": "Checked."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "valid"
    assert events(issued, "licence_reinstated") == 1


def test_a_suspension_without_a_reason_is_422_and_stores_nothing(head_client, issued):
    response = head_client.post(url(issued, "licence/suspend/"), {"reason": " "}, format="json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "reason" in response.json()["errors"]
    assert Licence.objects.get(application=issued).status == "valid"
    assert events(issued, "licence_suspended") == 0


def test_reinstating_a_valid_licence_is_409(head_client, issued):
    response = head_client.post(url(issued, "licence/reinstate/"), {"reason": "x"}, format="json")
    assert response.status_code == 409
    assert events(issued, "licence_reinstated") == 0


@pytest.mark.parametrize("client_name", ["applicant_client", "case_manager_client"])
def test_only_the_head_suspends(request, client_name, issued):
    client = request.getfixturevalue(client_name)
    response = client.post(url(issued, "licence/suspend/"), {"reason": "Mine."}, format="json")
    assert response.status_code == 403
    assert Licence.objects.get(application=issued).status == "valid"
    assert events(issued, "licence_suspended") == 0


def test_auditors_cannot_suspend(auditor_client, issued):
    response = auditor_client.post(url(issued, "licence/suspend/"), {"reason": "x"}, format="json")
    assert response.status_code == 403


def test_another_organisations_licence_is_404(other_applicant_client, issued):
    for suffix, body in (
        ("licence/suspend/", {"reason": "x"}),
        ("licence/follow-ups/", {"follow_up": "renewal"}),
    ):
        response = other_applicant_client.post(url(issued, suffix), body, format="json")
        assert response.status_code == 404


def test_a_file_without_licence_is_404(head_client, make_application):
    application = make_application("under_review")
    response = head_client.post(
        url(application, "licence/suspend/"), {"reason": "x"}, format="json"
    )
    assert response.status_code == 404


def test_the_head_revokes_the_licence(head_client, issued):
    response = head_client.post(
        url(issued, "licence/revoke/"),
        {"reason": "Breach of the end-use condition."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    issued.refresh_from_db()
    assert issued.status == "revoked"
    assert events(issued, "revoke") == 1


def test_the_holder_cannot_revoke(applicant_client, issued):
    response = applicant_client.post(url(issued, "licence/revoke/"), {"reason": "x"}, format="json")
    assert response.status_code == 403
    assert events(issued, "revoke") == 0


def test_the_holder_starts_a_renewal(applicant_client, issued):
    response = applicant_client.post(
        url(issued, "licence/follow-ups/"), {"follow_up": "renewal"}, format="json"
    )
    assert response.status_code == 201
    draft = PermitApplication.objects.get(public_id=response.json()["id"])
    assert response["Location"] == f"/api/v1/applications/{draft.public_id}/"
    assert (draft.status, draft.follow_up, draft.follows_id) == ("draft", "renewal", issued.pk)
    assert draft.goods.count() == issued.goods.count()
    assert events(issued, "licence_renewal_started") == 1


def test_an_unknown_follow_up_is_400_and_stores_nothing(applicant_client, issued):
    before = PermitApplication.objects.count()
    response = applicant_client.post(
        url(issued, "licence/follow-ups/"), {"follow_up": "extension"}, format="json"
    )
    assert response.status_code == 400
    assert "follow_up" in response.json()["errors"]
    assert PermitApplication.objects.count() == before


def test_staff_cannot_start_a_follow_up(head_client, issued):
    before = PermitApplication.objects.count()
    response = head_client.post(
        url(issued, "licence/follow-ups/"), {"follow_up": "amendment"}, format="json"
    )
    assert response.status_code == 403
    assert PermitApplication.objects.count() == before
    assert events(issued, "licence_amendment_started") == 0


def test_a_revoked_licence_cannot_be_renewed(applicant_client, make_application):
    revoked = make_application("revoked")
    before = PermitApplication.objects.count()
    response = applicant_client.post(
        url(revoked, "licence/follow-ups/"), {"follow_up": "renewal"}, format="json"
    )
    assert response.status_code == 409
    assert PermitApplication.objects.count() == before
