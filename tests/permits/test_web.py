"""The web application's pages: the draft in steps, queues, approvals, the auditor's search,
the decision's progress, what each audience sees, bad input, and constant query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import reset_queries
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from permits.models import Decision, PermitApplication
from tests.factories import (
    ApplicationFactory,
    GoodsItemFactory,
    OrganisationFactory,
    PartyFactory,
    UserFactory,
    small_pdf,
)
from tests.workflow_helpers import advance
from workflow.models import CaseTask

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


def make(organisation, applicant, state="draft", people=None, **fields):
    application = ApplicationFactory(organisation=organisation, created_by=applicant, **fields)
    if state != "draft":
        application = advance(application, state, **people)
    return application


def step_url(application, step):
    return reverse("permits:draft_step", args=[application.url_key, step])


REQUEST = {
    "kind": "export",
    "regime": "military",
    "licence_type": "individual",
    "country_of_origin": "BE",
    "country_of_destination": "NO",
    "end_use_statement": "Norwegian armed forces, training.",
    "requested_validity_months": "12",
    "total_value": "1000.00",
}


# --- The draft, step by step ----------------------------------------------------------------


def test_first_step_creates_the_draft_and_goes_on_to_the_parties(organisation, applicant):
    response = client_for(applicant).post(reverse("permits:application_create"), REQUEST)

    draft = PermitApplication.objects.get()
    assert draft.status == "draft" and draft.organisation == organisation
    assert draft.created_by == applicant and draft.country_of_destination == "NO"
    assert response["Location"] == step_url(draft, "parties")


def test_first_step_shows_field_errors_and_keeps_the_input(organisation, applicant):
    response = client_for(applicant).post(
        reverse("permits:application_create"), {**REQUEST, "total_value": "-3"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_total_value_error"' in page
    assert 'aria-invalid="true"' in page
    assert "Norwegian armed forces, training." in page
    assert not PermitApplication.objects.exists()


def test_staff_and_members_of_no_organisation_cannot_start_a_draft(case_manager):
    loner = UserFactory(roles=["applicant"])

    assert client_for(case_manager).get(reverse("permits:application_create")).status_code == 403
    assert client_for(loner).get(reverse("permits:application_create")).status_code == 403


def test_applicant_of_several_organisations_chooses_one(organisation, applicant):
    other = OrganisationFactory(members=[applicant])

    client = client_for(applicant)
    client.post(reverse("permits:application_create"), {**REQUEST, "organisation": other.pk})

    assert PermitApplication.objects.get().organisation == other


def test_editing_a_step_saves_the_draft(organisation, applicant):
    draft = make(organisation, applicant)

    response = client_for(applicant).post(
        step_url(draft, "request"), {**REQUEST, "country_of_destination": "CH", "then": "stay"}
    )

    draft.refresh_from_db()
    assert draft.country_of_destination == "CH"
    assert response["Location"] == step_url(draft, "request")


def test_parties_are_added_and_removed(organisation, applicant):
    draft = make(organisation, applicant, complete=False)
    client = client_for(applicant)

    added = client.post(
        step_url(draft, "parties"),
        {"role": "consignee", "name": "Kongsberg", "address": "Oslo", "country": "NO"},
    )
    party = draft.parties.get()
    removed = client.post(step_url(draft, "parties"), {"remove": party.pk})

    assert added.status_code == removed.status_code == 302
    assert not draft.parties.exists()


def test_a_goods_item_with_a_wrong_entry_is_refused_on_its_field(organisation, applicant):
    draft = make(organisation, applicant, complete=False)

    response = client_for(applicant).post(
        step_url(draft, "goods"),
        {
            "description": "Rifles",
            "control_entry": "5A002",  # a dual-use entry on a military application
            "quantity": "2",
            "unit": "pieces",
            "unit_value": "10",
            "currency": "EUR",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["control_entry"]
    assert not draft.goods.exists()


def test_goods_items_are_added_with_a_normalised_entry(organisation, applicant):
    draft = make(organisation, applicant, complete=False)

    client_for(applicant).post(
        step_url(draft, "goods"),
        {
            "description": "Rifles",
            "control_entry": "ml1.A",
            "quantity": "2",
            "unit": "pieces",
            "unit_value": "10",
            "currency": "EUR",
        },
    )

    assert draft.goods.get().control_entry == "ML1.a"


@pytest.mark.parametrize("line", ["not-a-number", "999999"])
def test_removing_a_line_that_is_not_there_says_so(organisation, applicant, line):
    draft = make(organisation, applicant)

    response = client_for(applicant).post(step_url(draft, "goods"), {"remove": line}, follow=True)

    assert response.status_code == 200
    assert b"no longer part of the application" in response.content
    assert draft.goods.count() == 1


def test_documents_step_uploads_and_names_what_is_required(organisation, applicant):
    draft = make(organisation, applicant, documents=False)
    client = client_for(applicant)

    before = client.get(step_url(draft, "documents"))
    client.post(
        step_url(draft, "documents"),
        {
            "kind": "end_user_certificate",
            "file": SimpleUploadedFile("euc.pdf", small_pdf(), content_type="application/pdf"),
        },
    )
    after = client.get(step_url(draft, "documents"))

    assert before.context["missing_documents"] == ["End-user certificate"]
    assert after.context["missing_documents"] == []
    assert draft.documents.get().kind == "end_user_certificate"


def test_review_lists_what_is_missing_with_links_to_the_steps(organisation, applicant):
    draft = make(organisation, applicant, complete=False, documents=False)

    response = client_for(applicant).post(step_url(draft, "review"))

    assert response.status_code == 400
    steps = {problem["step"] for problem in response.context["problems"]}
    assert steps == {"goods", "parties", "documents"}
    assert step_url(draft, "goods").encode() in response.content
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_review_submits_a_complete_draft(organisation, applicant):
    draft = make(organisation, applicant)

    response = client_for(applicant).post(step_url(draft, "review"), follow=True)

    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert draft.reference.encode() in response.content


def test_a_submitted_application_no_longer_opens_in_the_steps(organisation, applicant, people):
    application = make(organisation, applicant, "submitted", people)

    response = client_for(applicant).get(step_url(application, "goods"))

    assert response["Location"] == reverse("permits:application_detail", args=[application.url_key])


def test_another_organisation_cannot_open_a_draft(organisation, applicant, other_applicant):
    draft = make(organisation, applicant)

    assert client_for(other_applicant).get(step_url(draft, "request")).status_code == 404
    assert client_for(other_applicant).post(step_url(draft, "review")).status_code == 404


def test_unknown_step_is_404(organisation, applicant):
    draft = make(organisation, applicant)

    assert client_for(applicant).get(step_url(draft, "teleport")).status_code == 404


# --- Answering an information request --------------------------------------------------------


def test_applicant_answers_with_documents(organisation, applicant, people):
    application = make(organisation, applicant, "information_requested", people)
    client = client_for(applicant)

    page = client.get(reverse("permits:application_detail", args=[application.url_key]))
    response = client.post(
        reverse(
            "permits:application_transition", args=[application.url_key, "provide_information"]
        ),
        {
            "reply": "Here it is.",
            "documents": [
                SimpleUploadedFile("a.pdf", small_pdf("A"), content_type="application/pdf"),
                SimpleUploadedFile("b.pdf", small_pdf("B"), content_type="application/pdf"),
            ],
        },
    )

    assert b"Send the end-user certificate." in page.content  # the request itself
    assert b'enctype="multipart/form-data"' in page.content
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "under_review"
    assert application.documents.filter(kind="information_reply").count() == 2


def test_a_bad_attachment_keeps_the_request_open(organisation, applicant, people):
    application = make(organisation, applicant, "information_requested", people)

    response = client_for(applicant).post(
        reverse(
            "permits:application_transition", args=[application.url_key, "provide_information"]
        ),
        {"reply": "Here.", "documents": [SimpleUploadedFile("x.pdf", b"MZ not a pdf")]},
    )

    assert response.status_code == 400
    assert response.context["actions"][0]["form"].errors["documents"]
    application.refresh_from_db()
    assert application.status == "information_requested"


# --- Decision and its document ------------------------------------------------------------------


def test_case_page_says_the_decision_document_is_being_prepared(organisation, applicant, people):
    application = make(organisation, applicant, "pending_approval", people)
    PermitApplication.objects.filter(pk=application.pk).update(
        status="issued", decided_at=timezone.now()
    )
    Decision.objects.create(
        application=application,
        outcome="granted",
        decided_by=people["head"],
        decided_at=timezone.now(),
        language="fr",
    )
    client = client_for(applicant)

    page = client.get(reverse("permits:application_detail", args=[application.url_key]))
    fragment = client.get(reverse("permits:decision_status", args=[application.url_key]))

    for response in (page, fragment):
        assert response.status_code == 200
        assert b"The decision document is being prepared." in response.content
        assert b"data-poll=" in response.content
        assert b"Download the licence" not in response.content


def test_case_page_offers_the_licence_once_rendered(
    organisation, applicant, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = make(organisation, applicant, "issued", people)

    response = client_for(applicant).get(
        reverse("permits:decision_status", args=[application.url_key])
    )

    document = application.decision.document
    assert b"Download the licence (PDF)" in response.content
    assert b"data-poll=" not in response.content
    assert (
        reverse("documents:download", args=[application.url_key, document.public_id]).encode()
        in response.content
    )


# --- What each audience sees ---------------------------------------------------------------------


def test_applicant_sees_no_screening_nor_internal_comments(organisation, applicant, people):
    application = make(organisation, applicant, "pending_approval", people)

    response = client_for(applicant).get(
        reverse("permits:application_detail", args=[application.url_key])
    )

    transitions = [record.transition for record in response.context["history"]]
    assert "screening" not in transitions
    assert b"Screening results" not in response.content
    assert b"In order." not in response.content


def test_staff_case_page_has_the_screening_section_and_the_full_history(
    organisation, applicant, people
):
    application = make(organisation, applicant, "under_review", people)

    response = client_for(people["case_manager"]).get(
        reverse("permits:application_detail", args=[application.url_key])
    )

    assert b"Screening results" in response.content
    assert response.context["compliance"]["screening"].occasion == "submission"
    assert "screening" in [record.transition for record in response.context["history"]]


def test_head_sees_the_four_eyes_notice_only_on_files_they_reviewed(organisation, applicant):
    dual = UserFactory(roles=["head_of_unit", "case_manager"])
    other_head = UserFactory(roles=["head_of_unit"])
    application = make(
        organisation,
        applicant,
        "pending_approval",
        {"applicant": applicant, "case_manager": dual, "head": None},
    )
    url = reverse("permits:application_detail", args=[application.url_key])

    reviewer = client_for(dual).get(url)
    decider = client_for(other_head).get(url)

    assert reviewer.context["four_eyes"] and not decider.context["four_eyes"]
    assert {a["name"] for a in reviewer.context["actions"]} == {"return_to_review"}
    assert {"approve", "refuse"} <= {a["name"] for a in decider.context["actions"]}


def test_approvals_mark_the_files_the_head_reviewed(organisation, applicant):
    dual = UserFactory(roles=["head_of_unit", "case_manager"])
    case_manager = UserFactory(roles=["case_manager"])
    reviewed = make(
        organisation,
        applicant,
        "pending_approval",
        {"applicant": applicant, "case_manager": dual, "head": None},
    )
    not_reviewed = make(
        organisation,
        applicant,
        "pending_approval",
        {"applicant": applicant, "case_manager": case_manager, "head": None},
    )

    response = client_for(dual).get(reverse("permits:approvals"))

    marks = {app.pk: app.reviewed_by_me for app in response.context["page"].object_list}
    assert marks == {reviewed.pk: True, not_reviewed.pk: False}
    assert b"You reviewed it: another head decides" in response.content


# --- Queues, filters and search ---------------------------------------------------------


def test_overdue_queue_lists_files_whose_work_item_is_past_due(organisation, applicant, people):
    late = make(organisation, applicant, "under_review", people)
    on_time = make(organisation, applicant, "under_review", people)
    CaseTask.objects.open().filter(application=late).update(
        due_at=timezone.now() - timedelta(days=1)
    )

    response = client_for(people["case_manager"]).get(
        reverse("permits:queue"), {"queue": "overdue"}
    )

    assert list(response.context["page"].object_list) == [late]
    assert response.context["counts"]["overdue"] == 1
    assert on_time not in response.context["page"].object_list
    assert b"Overdue" in response.content


def test_queue_filters_and_sorts(organisation, applicant, people):
    norway = make(organisation, applicant, "submitted", people, country_of_destination="NO")
    swiss = make(organisation, applicant, "submitted", people, country_of_destination="CH")
    dual = ApplicationFactory(
        organisation=organisation, created_by=applicant, regime="dual_use", complete=False
    )
    GoodsItemFactory(application=dual, control_entry="5A002.a")
    PartyFactory(application=dual, role="consignee")
    PartyFactory(application=dual, role="end_user")
    dual = advance(dual, "submitted", **people)
    client = client_for(people["case_manager"])

    by_destination = client.get(reverse("permits:queue"), {"destination": "CH"})
    by_regime = client.get(reverse("permits:queue"), {"regime": "military"})
    sorted_desc = client.get(reverse("permits:queue"), {"o": "-destination"})
    old = client.get(reverse("permits:queue"), {"age": "30"})

    assert list(by_destination.context["page"].object_list) == [swiss]
    assert set(by_regime.context["page"].object_list) == {norway, swiss}
    destinations = [a.country_of_destination.code for a in sorted_desc.context["page"]]
    assert destinations == ["NO", "NO", "CH"]
    assert list(old.context["page"].object_list) == []
    assert b'aria-sort="descending"' in sorted_desc.content
    assert dual not in by_regime.context["page"].object_list


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "99999"},
        {"o": "password"},
        {"kind": "teleport"},
        {"age": "-1"},
        {"destination": "XX"},
        {"queue": "nonsense"},
        {"decided_after": "yesterday"},
        {"q": "x" * 5000},
        {"status": "<script>"},
    ],
)
def test_bad_list_parameters_never_fail_the_page(params, people, auditor, applicant):
    for user, name in [
        (people["case_manager"], "permits:queue"),
        (people["head"], "permits:approvals"),
        (auditor, "permits:search"),
        (applicant, "permits:application_list"),
    ]:
        response = client_for(user).get(reverse(name), params)
        assert response.status_code == 200, (name, params)


def test_auditor_search_finds_by_party_and_decision(organisation, applicant, people, auditor):
    issued = make(organisation, applicant, "issued", people)
    refused = make(organisation, applicant, "refused", people)
    issued.parties.filter(role="end_user").update(name="Royal Norwegian Air Force")
    client = client_for(auditor)

    by_party = client.get(reverse("permits:search"), {"q": "norwegian air"})
    by_outcome = client.get(reverse("permits:search"), {"outcome": "refused"})
    by_reference = client.get(reverse("permits:search"), {"q": issued.reference})

    assert list(by_party.context["page"].object_list) == [issued]
    assert list(by_outcome.context["page"].object_list) == [refused]
    assert list(by_reference.context["page"].object_list) == [issued]
    assert b"/transitions/" not in by_party.content


def test_search_is_for_staff_only(applicant):
    assert client_for(applicant).get(reverse("permits:search")).status_code == 403


def test_applicant_list_says_what_is_expected_next(organisation, applicant, people):
    make(organisation, applicant, "information_requested", people)

    response = client_for(applicant).get(reverse("permits:application_list"))

    assert b"Answer the information request." in response.content


def test_applicant_list_has_a_helpful_empty_state(organisation, applicant):
    response = client_for(applicant).get(reverse("permits:application_list"))

    assert b"You have no applications yet." in response.content
    assert reverse("permits:application_create").encode() in response.content


def test_error_pages_are_friendly():
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Back to the start page" in response.content


def test_server_error_page_needs_no_context():
    from config.views import server_error

    response = server_error(None)

    assert response.status_code == 500
    assert "Er ging iets mis" in response.content.decode()


# --- Constant number of queries on every list page -----------------------------------------------


def _grow(organisation, applicant, people, count):
    states = ["submitted", "under_review", "information_requested", "pending_approval", "issued"]
    for index in range(count):
        application = make(organisation, applicant, states[index % len(states)], people)
        CaseTask.objects.open().filter(application=application).update(
            due_at=timezone.now() - timedelta(days=1)
        )


LIST_PAGES = [
    ("applicant", "permits:application_list", {}),
    ("case_manager", "permits:queue", {"queue": "unassigned"}),
    ("case_manager", "permits:queue", {"queue": "mine"}),
    ("case_manager", "permits:queue", {"queue": "waiting"}),
    ("case_manager", "permits:queue", {"queue": "overdue", "o": "-due"}),
    ("head", "permits:approvals", {}),
    ("auditor", "permits:search", {"o": "decided"}),
]


@pytest.mark.parametrize(("who", "name", "params"), LIST_PAGES)
def test_list_pages_keep_a_constant_number_of_queries(
    who, name, params, organisation, people, auditor, django_assert_max_num_queries
):
    user = {**people, "auditor": auditor}[who]
    client = client_for(user)
    _grow(organisation, people["applicant"], people, 5)
    reset_queries()  # the log keeps 9,000 queries: measure from empty
    with django_assert_max_num_queries(30) as few:
        assert client.get(reverse(name), params).status_code == 200
    budget = len(few.captured_queries)
    shown_before = len(client.get(reverse(name), params).context["page"].object_list)

    _grow(organisation, people["applicant"], people, 10)

    reset_queries()
    with django_assert_max_num_queries(budget):
        response = client.get(reverse(name), params)
    assert len(response.context["page"].object_list) > shown_before
