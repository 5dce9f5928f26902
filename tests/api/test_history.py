"""History per application and the auditors' feed: scoped, filtered, audience-specific."""

from __future__ import annotations

from itertools import pairwise

import pytest

from tests.api.conftest import url
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db


def records(response) -> list[dict]:
    assert response.status_code == 200
    return response.json()["results"]


def test_applicant_history_hides_internal_comments_and_actors(applicant_client, make_application):
    application = make_application("pending_approval")
    history = records(applicant_client.get(url(application, "history/")))
    by_name = {record["transition"]: record for record in history}
    assert by_name["propose_decision"]["comment"] == ""
    assert all("actor" not in record and "payload" not in record for record in history)


def test_staff_history_shows_actors_and_internal_comments(head_client, make_application):
    application = make_application("pending_approval")
    history = records(head_client.get(url(application, "history/")))
    by_name = {record["transition"]: record for record in history}
    assert by_name["propose_decision"]["comment"] == "In order."
    assert by_name["propose_decision"]["actor"] == "case_manager"
    assert by_name["start_review"]["payload"]["case_manager"] == "case_manager"


def test_staff_history_carries_the_hash_chain(auditor_client, make_application):
    application = make_application("pending_approval")
    history = records(auditor_client.get(url(application, "history/")))

    assert [record["seq"] for record in history] == list(range(1, len(history) + 1))
    assert history[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["record_hash"] for a, b in pairwise(history))
    assert all(record["versions"]["release"] for record in history)


def test_applicant_history_carries_no_chain_or_versions(applicant_client, make_application):
    application = make_application("pending_approval")
    history = records(applicant_client.get(url(application, "history/")))

    hidden = {"seq", "prev_hash", "record_hash", "snapshot_hash", "versions", "snapshot"}
    assert all(not hidden & set(record) for record in history)


def test_applicant_history_keeps_the_information_request(applicant_client, make_application):
    application = make_application("information_requested")
    history = records(applicant_client.get(url(application, "history/")))
    by_name = {record["transition"]: record for record in history}
    assert by_name["request_information"]["comment"] == "Send the end-user certificate."


def test_history_of_another_organisations_application_is_404(other_applicant_client, draft):
    assert other_applicant_client.get(url(draft, "history/")).status_code == 404


def test_feed_shows_only_visible_applications(
    applicant_client, make_application, other_applicant, case_manager, head
):
    own = make_application("submitted")
    foreign = ApplicationFactory(
        organisation=other_applicant.applicant_organisations.get(), created_by=other_applicant
    )
    advance(foreign, "submitted", applicant=other_applicant, case_manager=case_manager, head=head)
    feed = records(applicant_client.get("/api/v1/history/"))
    assert {record["application"] for record in feed} == {own.reference}


def test_auditor_feed_filters_by_transition(auditor_client, make_application):
    make_application("issued")
    make_application("refused")
    feed = records(auditor_client.get("/api/v1/history/?transition=approve&transition=refuse"))
    assert sorted(record["transition"] for record in feed) == ["approve", "refuse"]


def test_auditor_feed_filters_by_application(auditor_client, make_application):
    first = make_application("submitted")
    make_application("submitted")
    feed = records(auditor_client.get(f"/api/v1/history/?application={first.public_id}"))
    assert {record["application"] for record in feed} == {first.reference}


def test_feed_pages_in_order_with_a_cursor(auditor_client, make_application):
    make_application("issued")
    seen = []
    page = auditor_client.get("/api/v1/history/?page_size=2").json()
    while True:
        seen += [record["id"] for record in page["results"]]
        if not page["next"]:
            break
        page = auditor_client.get(page["next"]).json()
    assert seen == sorted(seen)
    assert len(seen) >= 4


def test_feed_is_read_only_for_auditors(auditor_client):
    assert auditor_client.post("/api/v1/history/", {}, format="json").status_code == 403


def test_feed_needs_authentication(anon_client):
    assert anon_client.get("/api/v1/history/").status_code == 401


def test_feed_refuses_an_invalid_date(auditor_client):
    assert auditor_client.get("/api/v1/history/?created_after=yesterday").status_code == 400
