"""Applications, goods and parties through the API: every role, isolation, ETag/If-Match."""

from __future__ import annotations

import base64

import pytest

from permits.models import PermitApplication
from tests.api.conftest import url
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

NEW_DRAFT = {
    "kind": "export",
    "regime": "military",
    "country_of_destination": "NO",
    "end_use_statement": "Training of the Norwegian armed forces.",
    "total_value": "1000.00",
}
GOODS = {
    "description": "Thermal sights",
    "control_entry": "ML15.a",
    "quantity": "2",
    "unit_value": "500.00",
}
PARTY = {"role": "consignee", "name": "Forsvarsmateriell", "address": "Oslo", "country": "NO"}


def ids(response) -> set[str]:
    return {item["id"] for item in response.json()["results"]}


# --- List ---


def test_applicant_lists_only_their_organisations_applications(
    applicant_client, draft, other_applicant
):
    foreign = ApplicationFactory(
        organisation=other_applicant.applicant_organisations.get(), created_by=other_applicant
    )
    response = applicant_client.get("/api/v1/applications/")
    assert response.status_code == 200
    assert ids(response) == {str(draft.public_id)}
    assert str(foreign.public_id) not in ids(response)


@pytest.mark.parametrize("staff", ["case_manager_client", "head_client", "auditor_client"])
def test_staff_list_submitted_applications_but_no_drafts(staff, request, draft, make_application):
    submitted = make_application("submitted")
    response = request.getfixturevalue(staff).get("/api/v1/applications/")
    assert response.status_code == 200
    assert ids(response) == {str(submitted.public_id)}


def test_anonymous_list_is_401_with_bearer_challenge(anon_client):
    response = anon_client.get("/api/v1/applications/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_list_filters_by_status(applicant_client, draft, make_application):
    submitted = make_application("submitted")
    response = applicant_client.get("/api/v1/applications/?status=submitted")
    assert ids(response) == {str(submitted.public_id)}


def test_list_pages_with_a_cursor(applicant_client, organisation, applicant):
    for _ in range(3):
        ApplicationFactory(organisation=organisation, created_by=applicant)
    first = applicant_client.get("/api/v1/applications/?page_size=2&ordering=created_at")
    second = applicant_client.get(first.json()["next"])
    assert len(first.json()["results"]) == 2
    assert len(second.json()["results"]) == 1
    assert ids(first).isdisjoint(ids(second))


def test_list_refuses_an_unknown_ordering(applicant_client):
    response = applicant_client.get("/api/v1/applications/?ordering=recommendation")
    assert response.status_code == 400
    assert "ordering" in response.json()["errors"]


def test_list_refuses_an_empty_filter_value(applicant_client):
    response = applicant_client.get("/api/v1/applications/?status=")
    assert response.status_code == 400


def test_list_refuses_a_forged_cursor_position(applicant_client, draft):
    cursor = base64.b64encode(b"p=not-a-time").decode()
    response = applicant_client.get(f"/api/v1/applications/?cursor={cursor}")
    assert response.status_code == 404


# --- Retrieve ---


def test_applicant_retrieves_own_draft_with_etag_and_no_review_block(applicant_client, draft):
    response = applicant_client.get(url(draft))
    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    body = response.json()
    assert body["id"] == str(draft.public_id)
    assert "review" not in body
    assert "recommendation" not in str(body)


def test_applicant_of_another_organisation_gets_404(other_applicant_client, draft):
    assert other_applicant_client.get(url(draft)).status_code == 404


@pytest.mark.parametrize("staff", ["case_manager_client", "head_client", "auditor_client"])
def test_staff_cannot_see_drafts(staff, request, draft):
    assert request.getfixturevalue(staff).get(url(draft)).status_code == 404


def test_staff_see_the_review_block(head_client, make_application):
    application = make_application("pending_approval")
    body = head_client.get(url(application)).json()
    assert body["review"]["recommendation"] == "grant"
    assert body["review"]["assigned_case_manager"] == "case_manager"


def test_applicant_never_sees_the_recommendation(applicant_client, make_application):
    application = make_application("pending_approval")
    body = applicant_client.get(url(application)).json()
    assert body["status"] == "pending_approval"
    assert "review" not in body


def test_application_is_addressed_by_its_reference_too(auditor_client, make_application):
    application = make_application("submitted")
    response = auditor_client.get(f"/api/v1/applications/{application.reference}/")
    assert response.json()["id"] == str(application.public_id)


def test_unknown_and_malformed_identifiers_are_404(applicant_client):
    for key in ("00000000-0000-0000-0000-000000000000", "not-a-uuid", "BXL-XX"):
        assert applicant_client.get(f"/api/v1/applications/{key}/").status_code == 404


# --- Create ---


def test_applicant_creates_a_draft(applicant_client, organisation, applicant):
    response = applicant_client.post("/api/v1/applications/", NEW_DRAFT, format="json")
    assert response.status_code == 201
    application = PermitApplication.objects.get(public_id=response.json()["id"])
    assert application.status == "draft"
    assert application.created_by == applicant
    assert application.organisation == organisation
    assert response["Location"] == f"/api/v1/applications/{application.public_id}/"


def test_the_acting_user_comes_from_the_token_not_the_body(applicant_client, applicant, head):
    body = {**NEW_DRAFT, "created_by": head.pk, "actor": head.pk}
    response = applicant_client.post("/api/v1/applications/", body, format="json")
    application = PermitApplication.objects.get(public_id=response.json()["id"])
    assert application.created_by == applicant


@pytest.mark.parametrize("staff", ["case_manager_client", "head_client", "auditor_client"])
def test_staff_cannot_create_drafts(staff, request):
    response = request.getfixturevalue(staff).post(
        "/api/v1/applications/", NEW_DRAFT, format="json"
    )
    assert response.status_code == 403


def test_create_with_invalid_fields_is_400_with_a_field_map(applicant_client):
    body = {**NEW_DRAFT, "kind": "smuggling", "total_value": 12.5}
    response = applicant_client.post("/api/v1/applications/", body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()["errors"]) == {"kind", "total_value"}


def test_create_for_an_organisation_of_which_one_is_not_a_member_is_422(
    applicant_client, other_applicant
):
    foreign = other_applicant.applicant_organisations.get()
    body = {**NEW_DRAFT, "organisation": foreign.enterprise_number}
    response = applicant_client.post("/api/v1/applications/", body, format="json")
    assert response.status_code == 422
    assert "organisation" in response.json()["errors"]


# --- Update with If-Match ---


def test_patch_with_the_current_etag_updates_the_draft(applicant_client, draft):
    etag = applicant_client.get(url(draft))["ETag"]
    response = applicant_client.patch(
        url(draft), {"total_value": "99.00"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200
    assert response.json()["total_value"] == "99.00"
    assert response["ETag"] != etag


def test_patch_without_if_match_is_428(applicant_client, draft):
    response = applicant_client.patch(url(draft), {"total_value": "99.00"}, format="json")
    assert response.status_code == 428


def test_patch_with_a_stale_etag_is_412_and_changes_nothing(applicant_client, draft):
    etag = applicant_client.get(url(draft))["ETag"]
    applicant_client.patch(url(draft), {"total_value": "1.00"}, format="json", HTTP_IF_MATCH=etag)
    response = applicant_client.patch(
        url(draft), {"total_value": "2.00"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 412
    draft.refresh_from_db()
    assert str(draft.total_value) == "1.00"


def test_adding_goods_changes_the_etag(applicant_client, draft):
    etag = applicant_client.get(url(draft))["ETag"]
    applicant_client.post(url(draft, "goods/"), GOODS, format="json")
    assert applicant_client.get(url(draft))["ETag"] != etag


def test_patch_of_a_submitted_application_is_409(applicant_client, make_application):
    application = make_application("submitted")
    etag = applicant_client.get(url(application))["ETag"]
    response = applicant_client.patch(
        url(application), {"total_value": "1.00"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 409


def test_patch_by_another_organisation_is_404(other_applicant_client, draft):
    response = other_applicant_client.patch(url(draft), {}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 404


@pytest.mark.parametrize("staff", ["case_manager_client", "head_client", "auditor_client"])
def test_staff_cannot_patch(staff, request, make_application):
    application = make_application("submitted")
    response = request.getfixturevalue(staff).patch(
        url(application), {}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 403


# --- Goods and parties ---


@pytest.mark.parametrize(("suffix", "body"), [("goods/", GOODS), ("parties/", PARTY)])
def test_applicant_adds_and_lists_items_of_a_draft(applicant_client, draft, suffix, body):
    created = applicant_client.post(url(draft, suffix), body, format="json")
    assert created.status_code == 201
    listed = applicant_client.get(url(draft, suffix)).json()
    assert created.json()["id"] in {item["id"] for item in listed}


def test_goods_with_an_entry_of_another_regime_are_422(applicant_client, draft):
    body = {**GOODS, "control_entry": "5A002.a"}
    response = applicant_client.post(url(draft, "goods/"), body, format="json")
    assert response.status_code == 422
    assert "control_entry" in response.json()["errors"]


def test_goods_cannot_be_added_to_a_submitted_application(applicant_client, make_application):
    application = make_application("submitted")
    response = applicant_client.post(url(application, "goods/"), GOODS, format="json")
    assert response.status_code == 409


@pytest.mark.parametrize("suffix", ["goods/", "parties/"])
def test_other_organisation_cannot_read_or_add_items(other_applicant_client, draft, suffix):
    assert other_applicant_client.get(url(draft, suffix)).status_code == 404
    assert other_applicant_client.post(url(draft, suffix), {}, format="json").status_code == 404


@pytest.mark.parametrize("staff", ["case_manager_client", "head_client", "auditor_client"])
def test_staff_read_items_but_cannot_add_them(staff, request, make_application):
    application = make_application("submitted")
    client = request.getfixturevalue(staff)
    assert client.get(url(application, "goods/")).status_code == 200
    assert client.post(url(application, "parties/"), PARTY, format="json").status_code == 403
