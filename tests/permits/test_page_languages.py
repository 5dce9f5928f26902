"""The French and Dutch case pages show no English: files that together went through every
transition (and the events around them) are read in each language, by staff and applicant."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from permits import actions, events, transitions
from permits.compliance.criteria import CRITERIA
from tests.factories import ApplicationFactory
from tests.workflow_helpers import (
    advance,
    assess_all_criteria,
    mark_refusal_ground,
    record_government_decision,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


def _issued_then_revoked(organisation, people):
    applicant, manager, head = people["applicant"], people["case_manager"], people["head"]
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "under_review",
        **people,
    )
    actions.application_request_information(
        application=application, actor=manager, message="The signed contract, please."
    )
    actions.application_provide_information(
        application=application, actor=applicant, reply="Attached to the file."
    )
    actions.criterion_assess(
        application=application, actor=manager, code="7", assessment="weighed", note="Low risk."
    )
    consultation = actions.consultation_open(
        application=application, actor=manager, counterpart="federal", subject="End user?"
    )
    actions.consultation_record_answer(
        consultation=consultation, actor=manager, answer="Known and reliable."
    )
    actions.application_propose_decision(
        application=application, actor=manager, recommendation="grant", reasons="In order."
    )
    actions.application_return_to_review(
        application=application, actor=head, comment="Check the end user again."
    )
    actions.application_propose_decision(
        application=assess_all_criteria(application, manager),
        actor=manager,
        recommendation="grant",
        reasons="Checked.",
    )
    record_government_decision(application, head, "granted")
    actions.application_approve(application=application, actor=head)
    licence = application.licence
    actions.shipment_record(
        licence=licence,
        actor=applicant,
        shipped_on=licence.valid_from,
        customs_reference="EX-1",
        quantities={licence.lines.get().pk: Decimal("1")},
    )
    actions.licence_suspend(licence=licence, actor=head, reason="Inquiry.")
    actions.licence_reinstate(licence=licence, actor=head, reason="Inquiry closed.")
    return actions.application_revoke(application=application, actor=head, reason="Breach.")


def _lapsed(organisation, people):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "information_requested",
        **people,
    )
    pause = application.clock_pauses.get()
    later = pause.started_on + timedelta(days=400)
    return actions.application_lapse(application=application, today=later)


@pytest.fixture
def files(organisation, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = [
            _issued_then_revoked(organisation, people),
            _refused(organisation, people),
            advance(
                ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
                "withdrawn",
                **people,
            ),
            _lapsed(organisation, people),
            advance(
                ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
                "expired",
                **people,
            ),
        ]
    return made


def _refused(organisation, people):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "pending_approval",
        **people,
    )
    mark_refusal_ground(application, people["head"])
    record_government_decision(application, people["head"], "refused")
    return actions.application_refuse(
        application=application, actor=people["head"], grounds="Risk of diversion."
    )


def test_the_files_went_through_every_transition(files):
    written = {
        name
        for application in files
        for name in application.history.values_list("transition", flat=True)
    }
    assert set(transitions.TRANSITIONS) <= written


def _english_words_on_the_case_page() -> dict[str, str]:
    """What the case page may print from code and data, in English, by where it comes from."""
    with translation.override("en"):
        words = {f"event {name}": str(e.label) for name, e in events.CATALOGUE.items()}
        words |= {f"button {n}": str(t.label) for n, t in transitions.TRANSITIONS.items()}
        for framework in CRITERIA.values():
            words |= {f"criterion {code}": str(title) for code, title in framework.items()}
    return words


@pytest.mark.parametrize("language", ["fr", "nl"])
@pytest.mark.parametrize("reader", ["head", "applicant"])
def test_the_case_page_and_timeline_show_no_english(files, people, reader, language):
    client = Client()
    client.force_login(people[reader])
    client.post(reverse("set_language"), {"language": language})
    english = _english_words_on_the_case_page()
    with translation.override(language):
        translated = {key: str(_lookup(key)) for key in english}

    leaks = []
    for application in files:
        page = client.get(reverse("permits:application_detail", args=[application.url_key]))
        assert page.status_code == 200
        html = unescape(page.content.decode())
        texts = {" ".join(t.split()) for t in re.findall(r">([^<]+)<", html)}
        for key, word in english.items():
            if word != translated[key] and word in texts:
                leaks.append((application.reference, key, word))
        for record in application.history.all():
            if reader == "head" or record.transition in events.APPLICANT_HISTORY:
                key = f"event {record.transition}"
                assert translated[key] != english[key], f"{key} is not translated"
                assert translated[key] in html
    assert leaks == []


def _lookup(key: str):
    kind, name = key.split(" ", 1)
    if kind == "event":
        return events.CATALOGUE[name].label
    if kind == "button":
        return transitions.TRANSITIONS[name].label
    for framework in CRITERIA.values():
        if name in framework:
            return framework[name]
    raise KeyError(key)


def test_the_staff_worksheet_prints_the_criteria_in_french(people, organisation):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "under_review",
        **people,
    )
    client = Client()
    client.force_login(people["case_manager"])
    client.post(reverse("set_language"), {"language": "fr"})

    html = client.get(reverse("permits:application_detail", args=[application.url_key]))

    text = html.content.decode()
    assert "Risque de détournement dans le pays acheteur" in text
    assert "Risk of diversion within the buyer country" not in text
