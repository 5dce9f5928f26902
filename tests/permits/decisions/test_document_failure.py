"""A decision whose document cannot be rendered stops retrying, alerts staff and says so."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from documents.models import Document
from outbox.models import OutboxMessage
from permits.decisions import generation, tasks
from permits.models import Decision
from tests.api.conftest import client_for
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


@pytest.fixture
def broken(organisation, people):
    """A decision whose data makes rendering fail every time (a language no letter exists in:
    a KeyError, not a database or disk error)."""
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "issued",
        **people,
    )
    Decision.objects.filter(application=application).update(language="de")
    return application


def test_a_permanent_failure_is_recorded_once_and_not_retried(broken):
    result = tasks.generate_decision_document.apply(args=[broken.decision.pk])

    decision = Decision.objects.get(application=broken)
    assert result.successful() and result.result == ""
    assert decision.document_failed_at is not None
    assert decision.document_failure.startswith("KeyError")
    assert not Document.objects.filter(decision=decision).exists()


def test_the_heads_of_unit_are_alerted_by_email(broken, head):
    tasks.generate_decision_document.apply(args=[broken.decision.pk])
    tasks.generate_decision_document.apply(args=[broken.decision.pk])

    alerts = OutboxMessage.objects.filter(key__startswith="decision_document_failed:")
    assert [m.recipient for m in alerts] == [head.email]
    assert broken.reference in alerts[0].subject


def test_the_sweep_skips_a_failed_document(broken):
    generation.decision_document_produce(decision_id=broken.decision.pk)

    assert not generation.decisions_without_document(older_than_minutes=0).exists()


def test_the_admins_render_again_clears_the_failure_for_the_sweep(broken):
    generation.decision_document_produce(decision_id=broken.decision.pk)

    assert generation.decision_document_retry(decision=broken.decision)
    assert generation.decisions_without_document(older_than_minutes=0).exists()


def test_the_case_page_says_document_failed_instead_of_being_prepared(broken, applicant):
    generation.decision_document_produce(decision_id=broken.decision.pk)
    client = Client()
    client.force_login(applicant)

    page = client.get(reverse("permits:application_detail", args=[broken.url_key])).content

    assert b'id="decision-document-failed"' in page
    assert b"data-poll" not in page


def test_the_api_says_document_failed(broken, applicant):
    generation.decision_document_produce(decision_id=broken.decision.pk)

    body = client_for(applicant).get(f"/api/v1/applications/{broken.reference}/decision/").json()

    assert (body["document_ready"], body["document_status"]) == (False, "failed")
