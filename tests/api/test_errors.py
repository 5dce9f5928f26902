"""Problem+json errors, throttling and hostile input: never a 500."""

from __future__ import annotations

import pytest

from tests.api.conftest import url

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


def test_unknown_api_path_is_a_problem_404(applicant_client):
    assert_problem(applicant_client.get("/api/v1/nothing/here/"), 404)


def test_malformed_json_is_400(applicant_client):
    response = applicant_client.post(
        "/api/v1/applications/", data="{not json", content_type="application/json"
    )
    assert_problem(response, 400)


def test_unsupported_media_type_is_415(applicant_client):
    response = applicant_client.post(
        "/api/v1/applications/", data="kind=export", content_type="text/plain"
    )
    assert_problem(response, 415)


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "export", "regime": "military", "total_value": "9" * 400},
        {"kind": "export", "regime": "military", "requested_validity_months": 10**30},
        {"kind": ["export"], "regime": {"a": 1}},
        {"kind": "export", "regime": "military", "end_use_statement": "nul\x00byte"},
        {"kind": "export", "regime": "military", "transit_countries": "BE"},
        [1, 2, 3],
        "just a string",
    ],
)
def test_hostile_bodies_are_400(applicant_client, organisation, body):
    response = applicant_client.post("/api/v1/applications/", body, format="json")
    assert_problem(response, 400)


def test_validation_errors_carry_a_field_map(applicant_client, organisation):
    body = assert_problem(
        applicant_client.post("/api/v1/applications/", {"kind": "x"}, format="json"), 400
    )
    assert set(body["errors"]) == {"kind", "regime"}


def test_nul_bytes_in_keys_and_filters_are_refused(applicant_client, draft):
    assert applicant_client.get("/api/v1/applications/BXL-\x00/").status_code == 404
    assert applicant_client.get("/api/v1/applications/?reference=a%00b").status_code == 400


def test_unauthenticated_is_401_problem_with_challenge(anon_client):
    response = anon_client.get("/api/v1/history/")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_errors_are_problem_json_even_when_a_file_was_asked_for(applicant_client, draft):
    response = applicant_client.get(url(draft, "decision/pdf/"), HTTP_ACCEPT="application/pdf")
    assert_problem(response, 404)


def test_users_are_throttled_with_retry_after(settings, applicant_client, organisation):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "2/minute", "anon": "100/minute"},
    }
    statuses = [applicant_client.get("/api/v1/applications/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = applicant_client.get("/api/v1/applications/")
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0


def test_anonymous_clients_are_throttled_by_ip(settings, anon_client):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "100/minute", "anon": "1/minute"},
    }
    assert anon_client.get("/api/v1/schema/").status_code == 200
    assert_problem(anon_client.get("/api/v1/schema/"), 429)
