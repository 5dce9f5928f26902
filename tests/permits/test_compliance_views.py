"""The compliance section of the staff case page: flags, consultations, worksheet."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from django.test import Client
from django.urls import reverse

from permits.compliance.reference import reference_list_load
from tests.factories import ApplicationFactory, PartyFactory
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


@pytest.fixture
def denial(tmp_path):
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


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name, application, *args):
    return reverse(f"permits:{name}", args=[application.url_key, *args])


@pytest.fixture
def matched(denial, organisation, people):
    application = ApplicationFactory(
        organisation=organisation, created_by=people["applicant"], country_of_destination="AE"
    )
    PartyFactory(
        application=application,
        role="intermediary",
        name="SOCIETE GENERALE D ARMEMENT",
        country="AE",
    )
    return advance(application, "under_review", **people)


def test_the_case_manager_sees_the_flag_and_clears_it_with_a_justification(matched, people):
    client = client_for(people["case_manager"])
    page = client.get(url("application_detail", matched))
    flag = page.context["compliance"]["flags"][0]
    assert b"Justification for clearing this flag" in page.content

    empty = client.post(url("flag_clear", matched, flag.pk), {"justification": ""}, follow=True)
    done = client.post(
        url("flag_clear", matched, flag.pk), {"justification": "A different company."}, follow=True
    )

    assert b"Justification: This field is required." in empty.content
    flag.refresh_from_db()
    assert flag.cleared_by == people["case_manager"]
    assert b"A different company." in done.content


def test_the_auditor_sees_the_findings_but_no_form(matched, auditor):
    page = client_for(auditor).get(url("application_detail", matched))

    assert page.context["compliance"]["flags"]
    assert b"/clear/" not in page.content and b"/criteria/" not in page.content


def test_a_consultation_answer_is_recorded_from_the_page(matched, people):
    consultation = matched.consultations.get()

    client_for(people["case_manager"]).post(
        url("consultation_answer", matched, consultation.pk),
        {"answer": "No objection.", "answered_on": "2026-11-20"},
    )

    consultation.refresh_from_db()
    assert consultation.answered_on == date(2026, 11, 20)


def test_the_worksheet_is_filled_from_the_page_and_enables_a_refusal_proposal(organisation, people):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "under_review",
        **people,
    )
    client = client_for(people["case_manager"])

    client.post(
        url("criterion_assess", application, "7"),
        {"assessment": "refusal_ground", "note": "Diversion."},
    )
    client.post(
        url("application_transition", application, "propose_decision"),
        {"recommendation": "refuse", "reasons": "Diversion risk.", "grounds": "Criterion 7."},
    )

    application.refresh_from_db()
    assert application.status == "pending_approval"


def test_an_unknown_criterion_is_404(organisation, people):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "under_review",
        **people,
    )

    response = client_for(people["case_manager"]).post(
        url("criterion_assess", application, "DU9"), {"assessment": "weighed"}
    )

    assert response.status_code == 404


def test_applicants_cannot_reach_the_compliance_actions(matched, people):
    flag = matched.screening_flags.first()

    response = client_for(people["applicant"]).post(
        url("flag_clear", matched, flag.pk), {"justification": "Mine."}
    )

    assert response.status_code == 404
    flag.refresh_from_db()
    assert flag.cleared_at is None


def test_screening_again_from_the_page_adds_a_run(matched, people):
    client_for(people["case_manager"]).post(url("screen_again", matched))

    assert matched.screenings.count() == 2


def test_a_consultation_is_opened_from_the_page(organisation, people):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "under_review",
        **people,
    )

    client_for(people["case_manager"]).post(
        url("consultation_open", application),
        {
            "consultation-counterpart": "member_state",
            "consultation-counterpart_country": "NL",
            "consultation-subject": "Did you refuse a similar export?",
        },
    )

    consultation = application.consultations.get()
    assert consultation.counterpart_country.code == "NL"
