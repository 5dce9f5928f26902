"""The staff side of a file through the API: internal notes, screening flags, consultations,
the criteria worksheet and the Government's decision. Staff only: applicants get 404 and never
read any of it, auditors read and write nothing (403)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import yaml

from permits.compliance.models import (
    Consultation,
    CriterionAssessment,
    GovernmentDecision,
    ScreeningRun,
)
from permits.compliance.reference import reference_list_load
from permits.models import CaseNote
from tests.api.conftest import url
from tests.factories import ApplicationFactory, PartyFactory
from tests.workflow_helpers import advance
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db


def events(application, name: str) -> int:
    return TransitionRecord.objects.filter(application=application, transition=name).count()


@pytest.fixture
def reviewed(make_application):
    return make_application("under_review")


# --- Case notes -------------------------------------------------------------------------------

NOTE = "Called the consignee: the contract is signed."


def test_a_case_manager_writes_a_note_and_staff_read_it(case_manager_client, head_client, reviewed):
    response = case_manager_client.post(url(reviewed, "notes/"), {"text": NOTE}, format="json")
    assert response.status_code == 201
    assert response.json()["author"] == "case_manager"
    assert events(reviewed, "case_note_added") == 1
    listed = head_client.get(url(reviewed, "notes/"))
    assert [n["text"] for n in listed.json()] == [NOTE]


def test_an_empty_note_is_422_and_stores_nothing(case_manager_client, reviewed):
    response = case_manager_client.post(url(reviewed, "notes/"), {"text": "  "}, format="json")
    assert response.status_code == 422
    assert "text" in response.json()["errors"]
    assert not CaseNote.objects.filter(application=reviewed).exists()
    assert events(reviewed, "case_note_added") == 0


def test_a_note_without_text_is_400_naming_the_field(case_manager_client, reviewed):
    response = case_manager_client.post(url(reviewed, "notes/"), {}, format="json")
    assert response.status_code == 400
    assert "text" in response.json()["errors"]


def test_the_applicant_never_reads_a_note(applicant_client, case_manager_client, reviewed):
    case_manager_client.post(url(reviewed, "notes/"), {"text": NOTE}, format="json")
    assert applicant_client.get(url(reviewed, "notes/")).status_code == 404
    for suffix in ("", "history/"):
        response = applicant_client.get(url(reviewed, suffix))
        assert response.status_code == 200
        assert NOTE not in response.content.decode()
    feed = applicant_client.get("/api/v1/history/")
    assert NOTE not in feed.content.decode()
    assert "case_note_added" not in feed.content.decode()


def test_the_applicant_cannot_write_a_note(applicant_client, reviewed):
    response = applicant_client.post(url(reviewed, "notes/"), {"text": "Mine."}, format="json")
    assert response.status_code == 404
    assert not CaseNote.objects.filter(application=reviewed).exists()


def test_another_organisations_applicant_gets_404(other_applicant_client, reviewed):
    for suffix in ("notes/", "consultations/", "criteria/", "screening/", "government-decision/"):
        assert other_applicant_client.get(url(reviewed, suffix)).status_code == 404


def test_the_auditor_reads_notes_but_writes_none(auditor_client, case_manager_client, reviewed):
    case_manager_client.post(url(reviewed, "notes/"), {"text": NOTE}, format="json")
    assert auditor_client.get(url(reviewed, "notes/")).status_code == 200
    response = auditor_client.post(url(reviewed, "notes/"), {"text": "x"}, format="json")
    assert response.status_code == 403
    assert CaseNote.objects.filter(application=reviewed).count() == 1


# --- Screening --------------------------------------------------------------------------------


@pytest.fixture
def matched(tmp_path, organisation, applicant, case_manager, head):
    """A file under review whose intermediary matches a denial notice: one blocking flag."""
    path = tmp_path / "denials.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "version": "T1",
                "published_on": date(2026, 1, 1),
                "source": "test",
                "denials": [
                    {
                        "number": "FR-1",
                        "notifying_state": "FR",
                        "notified_on": date.today().replace(day=1),
                        "destination": "AE",
                        "consignee_name": "Société Générale d'Armement S.A.",
                        "status": "in_force",
                    }
                ],
            }
        )
    )
    reference_list_load(kind="denials", path=path)
    application = ApplicationFactory(
        organisation=organisation, created_by=applicant, country_of_destination="AE"
    )
    PartyFactory(application=application, role="intermediary", name="SOCIETE GENERALE D ARMEMENT")
    return advance(
        application, "under_review", applicant=applicant, case_manager=case_manager, head=head
    )


def _open_flag(client, application) -> dict:
    flags = client.get(url(application, "screening/")).json()["flags"]
    return next(flag for flag in flags if flag["open"])


def test_the_case_manager_clears_a_flag_with_a_justification(case_manager_client, matched):
    flag = _open_flag(case_manager_client, matched)
    response = case_manager_client.post(
        url(matched, f"screening/flags/{flag['id']}/clear/"),
        {"justification": "A different company."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["open"] is False
    assert response.json()["cleared_by"] == "case_manager"
    assert events(matched, "flag_cleared") == 1


def test_a_clearance_without_justification_is_422_and_stores_nothing(case_manager_client, matched):
    flag = _open_flag(case_manager_client, matched)
    response = case_manager_client.post(
        url(matched, f"screening/flags/{flag['id']}/clear/"), {"justification": ""}, format="json"
    )
    assert response.status_code == 422
    assert "justification" in response.json()["errors"]
    assert _open_flag(case_manager_client, matched)["id"] == flag["id"]
    assert events(matched, "flag_cleared") == 0


def test_the_head_may_not_clear_a_flag(head_client, matched):
    flag = _open_flag(head_client, matched)
    response = head_client.post(
        url(matched, f"screening/flags/{flag['id']}/clear/"), {"justification": "x"}, format="json"
    )
    assert response.status_code == 403
    assert events(matched, "flag_cleared") == 0


def test_the_applicant_cannot_see_or_clear_flags(applicant_client, case_manager_client, matched):
    flag = _open_flag(case_manager_client, matched)
    assert applicant_client.get(url(matched, "screening/")).status_code == 404
    response = applicant_client.post(
        url(matched, f"screening/flags/{flag['id']}/clear/"), {"justification": "x"}, format="json"
    )
    assert response.status_code == 404
    assert events(matched, "flag_cleared") == 0


def test_a_flag_of_another_file_is_404(case_manager_client, matched, reviewed):
    flag = _open_flag(case_manager_client, matched)
    response = case_manager_client.post(
        url(reviewed, f"screening/flags/{flag['id']}/clear/"), {"justification": "x"}, format="json"
    )
    assert response.status_code == 404


def test_the_case_manager_screens_again(case_manager_client, reviewed):
    before = ScreeningRun.objects.filter(application=reviewed).count()
    screenings = events(reviewed, "screening")
    response = case_manager_client.post(url(reviewed, "screening/"), format="json")
    assert response.status_code == 201
    assert response.json()["occasion"] == "manual"
    assert ScreeningRun.objects.filter(application=reviewed).count() == before + 1
    assert events(reviewed, "screening") == screenings + 1


def test_another_case_manager_cannot_screen(api_client_for, second_case_manager, reviewed):
    before = ScreeningRun.objects.filter(application=reviewed).count()
    screenings = events(reviewed, "screening")
    response = api_client_for(second_case_manager).post(url(reviewed, "screening/"))
    assert response.status_code == 403
    assert ScreeningRun.objects.filter(application=reviewed).count() == before
    assert events(reviewed, "screening") == screenings


# --- Consultations ----------------------------------------------------------------------------

CONSULT = {"counterpart": "federal", "subject": "Does the end user hold an import licence?"}


def test_the_case_manager_opens_and_answers_a_consultation(case_manager_client, reviewed):
    opened = case_manager_client.post(url(reviewed, "consultations/"), CONSULT, format="json")
    assert opened.status_code == 201
    assert opened.json()["open"] is True
    assert events(reviewed, "consultation_opened") == 1
    answered = case_manager_client.post(
        url(reviewed, f"consultations/{opened.json()['id']}/answer/"),
        {"answer": "Yes, valid until 2027."},
        format="json",
    )
    assert answered.status_code == 200
    assert answered.json()["open"] is False
    assert answered.json()["answered_on"] == date.today().isoformat()
    assert events(reviewed, "consultation_answered") == 1
    listed = case_manager_client.get(url(reviewed, "consultations/")).json()
    assert [c["answer"] for c in listed] == ["Yes, valid until 2027."]


def test_a_consultation_due_in_the_past_is_422_and_stores_nothing(case_manager_client, reviewed):
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    response = case_manager_client.post(
        url(reviewed, "consultations/"), {**CONSULT, "due_on": yesterday}, format="json"
    )
    assert response.status_code == 422
    assert "due_on" in response.json()["errors"]
    assert not Consultation.objects.filter(application=reviewed).exists()
    assert events(reviewed, "consultation_opened") == 0


def test_an_empty_answer_is_422_and_the_consultation_stays_open(case_manager_client, reviewed):
    opened = case_manager_client.post(url(reviewed, "consultations/"), CONSULT, format="json")
    response = case_manager_client.post(
        url(reviewed, f"consultations/{opened.json()['id']}/answer/"), {"answer": ""}, format="json"
    )
    assert response.status_code == 422
    assert "answer" in response.json()["errors"]
    assert Consultation.objects.get(pk=opened.json()["id"]).is_open
    assert events(reviewed, "consultation_answered") == 0


def test_only_the_assigned_case_manager_consults(head_client, applicant_client, reviewed):
    assert head_client.post(
        url(reviewed, "consultations/"), CONSULT, format="json"
    ).status_code == (403)
    assert (
        applicant_client.post(url(reviewed, "consultations/"), CONSULT, format="json").status_code
        == 404
    )
    assert not Consultation.objects.filter(application=reviewed).exists()


def test_a_draft_cannot_be_consulted_on(case_manager_client, make_application):
    submitted = make_application("submitted")
    response = case_manager_client.post(url(submitted, "consultations/"), CONSULT, format="json")
    assert response.status_code in (403, 409)
    assert not Consultation.objects.filter(application=submitted).exists()


# --- Criteria worksheet -----------------------------------------------------------------------


def test_the_case_manager_assesses_a_criterion(case_manager_client, reviewed):
    response = case_manager_client.post(
        url(reviewed, "criteria/7/"),
        {"assessment": "weighed", "note": "EUC checked."},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["assessment"], response.json()["assessed_by"]) == (
        "weighed",
        "case_manager",
    )
    assert events(reviewed, "criterion_assessed") == 1
    worksheet = case_manager_client.get(url(reviewed, "criteria/")).json()
    assert worksheet["framework"] == "cp2008"
    assert len(worksheet["lines"]) == 8
    assert {line["code"]: line["assessment"] for line in worksheet["lines"]}["7"] == "weighed"


def test_a_refusal_ground_without_note_is_422_and_stores_nothing(case_manager_client, reviewed):
    response = case_manager_client.post(
        url(reviewed, "criteria/2/"), {"assessment": "refusal_ground"}, format="json"
    )
    assert response.status_code == 422
    assert "note" in response.json()["errors"]
    assert not CriterionAssessment.objects.filter(application=reviewed, code="2").exists()
    assert events(reviewed, "criterion_assessed") == 0


def test_an_unknown_criterion_is_404(case_manager_client, reviewed):
    response = case_manager_client.post(
        url(reviewed, "criteria/DU1/"), {"assessment": "weighed"}, format="json"
    )
    assert response.status_code == 404


def test_the_applicant_cannot_reach_the_worksheet(applicant_client, reviewed):
    assert applicant_client.get(url(reviewed, "criteria/")).status_code == 404
    response = applicant_client.post(
        url(reviewed, "criteria/7/"), {"assessment": "weighed"}, format="json"
    )
    assert response.status_code == 404
    assert not CriterionAssessment.objects.filter(application=reviewed).exists()


def test_the_head_may_not_assess_while_the_file_is_reviewed(head_client, reviewed):
    response = head_client.post(
        url(reviewed, "criteria/7/"), {"assessment": "weighed"}, format="json"
    )
    assert response.status_code == 403
    assert events(reviewed, "criterion_assessed") == 0


# --- The Government's decision ----------------------------------------------------------------

GOVERNMENT = {"outcome": "granted", "reference": "GOV-BXL-2026-0412"}


def test_the_head_records_the_governments_decision(head_client, make_application):
    pending = make_application("pending_approval")
    response = head_client.post(
        url(pending, "government-decision/"),
        {**GOVERNMENT, "decided_on": date.today().isoformat()},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["recorded_by"] == "head"
    assert events(pending, "government_decision_recorded") == 1
    read = head_client.get(url(pending, "government-decision/"))
    assert read.json()["reference"] == GOVERNMENT["reference"]
    again = head_client.post(
        url(pending, "government-decision/"),
        {**GOVERNMENT, "decided_on": date.today().isoformat()},
        format="json",
    )
    assert again.status_code == 422
    assert events(pending, "government_decision_recorded") == 1


def test_a_government_decision_in_the_future_is_422_and_stores_nothing(
    head_client, make_application
):
    pending = make_application("pending_approval")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = head_client.post(
        url(pending, "government-decision/"), {**GOVERNMENT, "decided_on": tomorrow}, format="json"
    )
    assert response.status_code == 422
    assert "decided_on" in response.json()["errors"]
    assert not GovernmentDecision.objects.filter(application=pending).exists()
    assert events(pending, "government_decision_recorded") == 0


def test_a_case_manager_cannot_record_the_governments_decision(
    case_manager_client, make_application
):
    pending = make_application("pending_approval")
    response = case_manager_client.post(
        url(pending, "government-decision/"),
        {**GOVERNMENT, "decided_on": date.today().isoformat()},
        format="json",
    )
    assert response.status_code == 403
    assert not GovernmentDecision.objects.filter(application=pending).exists()


def test_the_applicant_cannot_read_or_record_the_governments_decision(
    applicant_client, make_application
):
    pending = make_application("pending_approval")
    assert applicant_client.get(url(pending, "government-decision/")).status_code == 404
    response = applicant_client.post(
        url(pending, "government-decision/"),
        {**GOVERNMENT, "decided_on": date.today().isoformat()},
        format="json",
    )
    assert response.status_code == 404
    assert not GovernmentDecision.objects.filter(application=pending).exists()


def test_no_government_decision_yet_is_404(head_client, reviewed):
    assert head_client.get(url(reviewed, "government-decision/")).status_code == 404


def test_staff_reads_of_the_casework_are_logged(auditor_client, auditor, reviewed):
    from audit.models import StaffRead

    assert auditor_client.get(url(reviewed, "notes/")).status_code == 200
    read = StaffRead.objects.get(user=auditor, application_id=reviewed.pk)
    assert read.path.endswith("/notes/")
