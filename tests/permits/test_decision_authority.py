"""Where the Brussels Government decides (military exports), the head carries out its
recorded decision; elsewhere the head of unit decides."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from permits import actions, rules
from permits.decisions.rendering import render_decision
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance, mark_refusal_ground
from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionGuardFailed

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


def pending(organisation, people, **kwargs):
    return advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"], **kwargs),
        "pending_approval",
        **people,
    )


def record(application, head, outcome="granted", **kwargs):
    return actions.government_decision_record(
        application=application,
        actor=head,
        outcome=outcome,
        decided_on=kwargs.pop("decided_on", date.today()),
        reference=kwargs.pop("reference", "GOV-BXL-2026-0042"),
        **kwargs,
    )


def test_a_military_export_waits_for_the_governments_decision(organisation, people):
    application = pending(organisation, people)

    with pytest.raises(TransitionGuardFailed) as error:
        actions.application_approve(application=application, actor=people["head"])

    assert list(error.value.errors) == ["government_decision"]
    record(application, people["head"])
    assert (
        actions.application_approve(application=application, actor=people["head"]).status
        == "issued"
    )


def test_the_head_carries_out_the_governments_outcome_only(organisation, people):
    application = mark_refusal_ground(pending(organisation, people), people["case_manager"])
    record(application, people["head"], outcome="refused")

    with pytest.raises(TransitionGuardFailed, match="was: Refused"):
        actions.application_approve(application=application, actor=people["head"])
    refused = actions.application_refuse(
        application=application, actor=people["head"], grounds="Criterion 7."
    )

    assert refused.decision.authority == "government"
    assert refused.decision.authority_reference == f"GOV-BXL-2026-0042 ({date.today().isoformat()})"


def test_the_head_decides_a_military_import_alone(organisation, people):
    application = pending(organisation, people, kind="import", country_of_origin="US")

    with pytest.raises(TransitionConflict):
        record(application, people["head"])
    approved = actions.application_approve(application=application, actor=people["head"])

    assert approved.decision.authority == "head_of_unit"


def test_the_authority_is_configurable_per_family(organisation, people, settings):
    settings.DECISION_AUTHORITY = {"import:military": "government", "default": "head_of_unit"}
    export = pending(organisation, people)

    assert rules.decision_authority(export) == "head_of_unit"
    assert actions.application_approve(application=export, actor=people["head"]).status == "issued"


def test_recording_is_checked(organisation, people, case_manager):
    application = pending(organisation, people)

    with pytest.raises(TransitionForbidden):
        record(application, case_manager)
    with pytest.raises(TransitionGuardFailed) as error:
        record(
            application, people["head"], reference=" ", decided_on=date.today() + timedelta(days=1)
        )
    assert set(error.value.errors) == {"reference", "decided_on"}
    record(application, people["head"])
    with pytest.raises(TransitionGuardFailed):
        record(application, people["head"])
    assert application.history.filter(transition="government_decision_recorded").count() == 1


def test_the_licence_cites_the_governments_decision(organisation, people):
    application = pending(organisation, people)
    record(application, people["head"], reference="AGRBC-2026-117")
    approved = actions.application_approve(application=application, actor=people["head"])

    data = render_decision(approved.decision, signed=False)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)

    assert "Décision du Gouvernement de la Région de Bruxelles-Capitale : AGRBC-2026-117" in text


def test_the_head_records_it_from_the_case_page(organisation, people):
    application = pending(organisation, people)
    client = Client()
    client.force_login(people["head"])
    page = client.get(reverse("permits:application_detail", args=[application.url_key]))
    assert b"Record the Government" in page.content

    client.post(
        reverse("permits:government_decision", args=[application.url_key]),
        {
            "government-outcome": "granted",
            "government-decided_on": date.today().isoformat(),
            "government-reference": "AGRBC-2026-118",
        },
    )

    application.refresh_from_db()
    assert application.government_decision.reference == "AGRBC-2026-118"
