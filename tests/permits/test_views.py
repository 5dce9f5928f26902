from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ApplicationFactory, UserFactory
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


@pytest.fixture
def draft(organisation, applicant):
    return ApplicationFactory(organisation=organisation, created_by=applicant)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def detail_url(application) -> str:
    return reverse("permits:application_detail", args=[application.url_key])


def transition_url(application, name) -> str:
    return reverse("permits:application_transition", args=[application.url_key, name])


def test_pages_require_login(draft):
    response = Client().get(detail_url(draft))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_renders():
    response = Client().get(reverse("login"))

    assert response.status_code == 200
    assert b'name="username"' in response.content


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("applicant", "permits:application_list"),
        ("case_manager", "permits:queue"),
        ("head_of_unit", "permits:approvals"),
        ("auditor", "permits:search"),
    ],
)
def test_home_sends_each_role_to_its_page(role, landing):
    response = client_for(UserFactory(roles=[role])).get(reverse("home"))

    assert response.status_code == 302 and response["Location"] == reverse(landing)


def test_applicant_list_shows_only_their_organisation(draft, applicant, other_applicant):
    theirs = ApplicationFactory(
        organisation=other_applicant.applicant_organisations.get(), created_by=other_applicant
    )

    response = client_for(applicant).get(reverse("permits:application_list"))

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [draft]
    assert str(theirs.public_id)[:8].encode() not in response.content


def test_another_organisations_application_is_404_not_403(draft, other_applicant):
    response = client_for(other_applicant).get(detail_url(draft))

    assert response.status_code == 404


def test_another_organisations_transition_is_404(draft, other_applicant):
    response = client_for(other_applicant).post(transition_url(draft, "submit"))

    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft"


# Fixed values: pytest-xdist's workers must collect the same test ids (no uuid4() here).
UNKNOWN_UUID = "5b0f3c1e-8a47-4d2b-9e6f-27c1d8a4b093"


@pytest.mark.parametrize("key", ["not-a-uuid", UNKNOWN_UUID, "BXL-ML-EXP-1999-000001"])
def test_unknown_keys_are_404(applicant, key):
    response = client_for(applicant).get(reverse("permits:application_detail", args=[key]))

    assert response.status_code == 404


def test_applicant_submits_from_the_detail_page(draft, applicant):
    client = client_for(applicant)
    page = client.get(detail_url(draft))
    assert transition_url(draft, "submit").encode() in page.content

    response = client.post(transition_url(draft, "submit"), follow=True)

    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert response.redirect_chain[-1][0] == detail_url(draft)
    assert draft.reference.encode() in response.content


def test_incomplete_submission_shows_field_errors_and_changes_nothing(organisation, applicant):
    incomplete = ApplicationFactory(organisation=organisation, created_by=applicant, complete=False)

    response = client_for(applicant).post(transition_url(incomplete, "submit"))

    assert response.status_code == 400
    assert b"Add at least one goods item." in response.content
    assert b"A consignee is required." in response.content
    incomplete.refresh_from_db()
    assert incomplete.status == "draft"


def test_missing_payload_names_the_field(draft, people):
    application = advance(draft, "under_review", **people)

    response = client_for(people["case_manager"]).post(
        transition_url(application, "request_information"), {"message": ""}
    )

    assert response.status_code == 400
    forms = {a["name"]: a["form"] for a in response.context["actions"]}
    assert forms["request_information"].errors["message"]
    application.refresh_from_db()
    assert application.status == "under_review"


def test_a_transition_that_no_longer_applies_says_so(draft, people):
    application = advance(draft, "issued", **people)

    response = client_for(people["head"]).post(transition_url(application, "approve"), follow=True)

    assert response.status_code == 200
    assert b"Cannot approve: the application is Issued." in response.content


def test_unknown_transition_name_is_404(draft, applicant):
    response = client_for(applicant).post(transition_url(draft, "teleport"))

    assert response.status_code == 404


def test_transitions_require_csrf(draft, applicant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)

    response = client.post(transition_url(draft, "submit"))

    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_acting_user_comes_from_the_session_not_the_form(draft, people, second_case_manager):
    application = advance(draft, "submitted", **people)

    client_for(people["case_manager"]).post(
        transition_url(application, "start_review"),
        {"actor": second_case_manager.pk, "case_manager": second_case_manager.pk},
    )

    application.refresh_from_db()
    assert application.assigned_case_manager == people["case_manager"]
    assert application.history.last().actor == people["case_manager"]


def test_head_offered_no_decision_button_on_a_file_they_reviewed(draft, applicant):
    dual = UserFactory(username="dual", roles=["head_of_unit", "case_manager"])
    application = advance(
        draft, "pending_approval", applicant=applicant, case_manager=dual, head=None
    )

    response = client_for(dual).get(detail_url(application))
    refused = client_for(dual).post(transition_url(application, "approve"), follow=True)

    assert transition_url(application, "approve").encode() not in response.content
    assert b"Four-eyes rule" in refused.content
    application.refresh_from_db()
    assert application.status == "pending_approval"


def test_auditor_reads_everything_and_is_offered_nothing(draft, people, auditor):
    application = advance(draft, "pending_approval", **people)

    response = client_for(auditor).get(detail_url(application))

    assert response.status_code == 200
    assert response.context["actions"] == []
    assert b"/transitions/" not in response.content
    assert b"In order." in response.content  # staff see the recommendation


def test_applicant_never_sees_the_internal_recommendation(draft, people):
    application = advance(draft, "pending_approval", **people)

    response = client_for(people["applicant"]).get(detail_url(application))

    assert response.status_code == 200
    assert b"In order." not in response.content
    assert b"Recommendation" not in response.content


def test_case_manager_queue_lists_unassigned_and_own_files(draft, people, organisation):
    submitted = advance(draft, "submitted", **people)
    mine = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "under_review",
        **people,
    )

    client = client_for(people["case_manager"])
    unassigned = client.get(reverse("permits:queue"))
    own = client.get(reverse("permits:queue"), {"queue": "mine"})

    assert list(unassigned.context["page"].object_list) == [submitted]
    assert list(own.context["page"].object_list) == [mine]
    assert unassigned.context["counts"]["mine"] == 1


def test_queue_is_forbidden_to_applicants(applicant):
    assert client_for(applicant).get(reverse("permits:queue")).status_code == 403


def test_approvals_page_lists_pending_files(draft, people):
    application = advance(draft, "pending_approval", **people)

    response = client_for(people["head"]).get(reverse("permits:approvals"))

    assert list(response.context["page"].object_list) == [application]


def test_list_page_query_count_does_not_grow_with_rows(
    organisation, applicant, django_assert_max_num_queries
):
    for _ in range(3):
        ApplicationFactory(organisation=organisation, created_by=applicant)
    client = client_for(applicant)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("permits:application_list"))
    for _ in range(10):
        ApplicationFactory(organisation=organisation, created_by=applicant)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("permits:application_list"))


def test_reference_and_uuid_both_address_a_submitted_file(draft, applicant):
    advance(draft, "submitted", applicant=applicant, case_manager=None, head=None)
    client = client_for(applicant)

    by_reference = client.get(reverse("permits:application_detail", args=[draft.reference]))
    by_uuid = client.get(reverse("permits:application_detail", args=[str(draft.public_id)]))

    assert by_reference.status_code == by_uuid.status_code == 200
