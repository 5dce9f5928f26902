"""Files that cannot be swapped: a stored document or decision PDF whose bytes are no longer
the ones recorded is refused on every download path and by /verify/, recorded on the file's
history (staff only) and reported to the auditors once."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from documents.models import Document
from outbox.models import OutboxMessage
from permits import events
from permits.decisions.generation import decision_document_generate
from tests.api.conftest import client_for as api_client_for
from tests.api.conftest import url as api_url
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db

FORGED = b"%PDF-1.4\n% a forged licence\n"


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()


@pytest.fixture
def make(organisation, applicant, case_manager, head):
    def make(state: str):
        return advance(
            ApplicationFactory(organisation=organisation, created_by=applicant),
            state,
            applicant=applicant,
            case_manager=case_manager,
            head=head,
        )

    return make


@pytest.fixture
def issued(make):
    application = make("issued")
    document = decision_document_generate(decision_id=application.decision.pk)
    return application, document


@pytest.fixture
def supporting(make):
    application = make("under_review")
    return application, application.documents.exclude(kind=Document.Kind.DECISION).first()


def swap(document: Document, data: bytes = FORGED) -> None:
    with open(document.file.path, "wb") as handle:
        handle.write(data)


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def download_url(document: Document) -> str:
    return reverse("documents:download", args=[document.application.url_key, document.public_id])


def integrity_events(application):
    return TransitionRecord.objects.filter(
        application=application, transition="file_integrity_failed"
    )


def auditor_emails(auditor):
    return OutboxMessage.objects.filter(recipient=auditor.email, key__contains="file_integrity")


# --- Decision PDFs --------------------------------------------------------------------------


def test_an_intact_decision_pdf_is_served(issued, applicant):
    _application, document = issued

    response = web(applicant).get(download_url(document))

    assert response.status_code == 200
    with document.file.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()


def test_a_swapped_decision_pdf_is_refused_on_the_web_and_flagged(issued, applicant, auditor):
    application, document = issued
    swap(document)

    response = web(applicant).get(download_url(document))

    assert response.status_code == 409
    assert FORGED not in response.content
    assert "cannot be served" in response.content.decode()
    (record,) = integrity_events(application)
    assert record.actor is None
    assert record.payload["document"] == str(document.public_id)
    assert record.payload["expected_sha256"] == document.sha256
    assert record.payload["found_sha256"] not in ("", document.sha256)
    assert record.payload["detected_by"] == "download"
    (email,) = auditor_emails(auditor)
    assert application.reference in email.subject
    assert document.sha256 in email.body


@pytest.mark.parametrize("path", ["decision/pdf/", "licence/pdf/"])
def test_a_swapped_decision_pdf_is_refused_by_the_api_and_flagged(issued, applicant, auditor, path):
    application, document = issued
    swap(document)

    response = api_client_for(applicant).get(api_url(application, path))

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"].endswith("/file-integrity-failed")
    assert integrity_events(application).get().payload["detected_by"] == "api_download"
    assert auditor_emails(auditor).count() == 1


def test_a_missing_decision_pdf_is_gone_not_a_server_error(issued, applicant, auditor):
    application, document = issued
    os.remove(document.file.path)

    assert web(applicant).get(download_url(document)).status_code == 410
    assert api_client_for(applicant).get(api_url(application, "decision/pdf/")).status_code == 410
    assert integrity_events(application).get().payload["reason"] == "missing"


def test_the_same_broken_file_is_recorded_and_reported_once(issued, applicant, head, auditor):
    application, document = issued
    swap(document)

    web(applicant).get(download_url(document))
    web(head).get(download_url(document))
    api_client_for(applicant).get(api_url(application, "decision/pdf/"))

    assert integrity_events(application).count() == 1
    assert auditor_emails(auditor).count() == 1


def test_another_swap_of_the_same_file_is_a_new_failure(issued, applicant, auditor):
    application, document = issued
    swap(document)
    web(applicant).get(download_url(document))
    swap(document, FORGED + b"% second forgery\n")

    web(applicant).get(download_url(document))

    assert integrity_events(application).count() == 2
    assert auditor_emails(auditor).count() == 2


def test_the_failure_is_staff_only(issued, applicant):
    application, document = issued
    swap(document)
    web(applicant).get(download_url(document))

    assert "file_integrity_failed" not in events.APPLICANT_HISTORY
    history = api_client_for(applicant).get(api_url(application, "history/")).json()
    names = {item["transition"] for item in history["results"]}
    assert "approve" in names
    assert "file_integrity_failed" not in names


# --- Supporting documents -------------------------------------------------------------------


def test_a_swapped_supporting_document_is_refused_on_the_web_and_flagged(
    supporting, case_manager, auditor
):
    application, document = supporting
    swap(document)

    response = web(case_manager).get(download_url(document))

    assert response.status_code == 409
    record = integrity_events(application).get()
    assert record.payload["kind"] == document.kind
    assert auditor_emails(auditor).count() == 1


def test_a_swapped_supporting_document_is_refused_by_the_api_and_flagged(
    supporting, applicant, auditor
):
    application, document = supporting
    swap(document)

    response = api_client_for(applicant).get(
        api_url(application, f"documents/{document.public_id}/download/")
    )

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert integrity_events(application).get().payload["document"] == str(document.public_id)
    assert auditor_emails(auditor).count() == 1


# --- The public verification page ------------------------------------------------------------


def test_verify_no_longer_says_valid_for_a_swapped_licence(issued, auditor):
    application, document = issued
    licence = application.licence
    swap(document)

    response = Client().get(
        "/verify/", {"licence": licence.number, "code": licence.verification_code}
    )

    body = response.content.decode()
    assert 'data-status="unverifiable"' in body
    assert 'data-status="valid"' not in body
    assert document.sha256 not in body
    assert application.organisation.legal_name not in body
    assert integrity_events(application).get().payload["detected_by"] == "verify"
    assert auditor_emails(auditor).count() == 1


def test_verify_by_number_alone_no_longer_says_valid(issued):
    application, document = issued
    swap(document)

    response = Client().get(
        "/verify/", {"licence": application.licence.number}, HTTP_ACCEPT="application/json"
    )

    assert response.json()["licence"] == {
        "number": application.licence.number,
        "status": "unverifiable",
    }


def test_verify_a_genuine_copy_while_the_stored_one_is_swapped_says_unverifiable(issued):
    _application, document = issued
    with document.file.open("rb") as handle:
        genuine = handle.read()
    swap(document)

    response = Client().post(
        "/verify/",
        {"document": SimpleUploadedFile("licence.pdf", genuine)},
        HTTP_ACCEPT="application/json",
    )

    assert response.json() == {"match": False, "unverifiable": True, "document": None}


# --- Auditors read, they write nothing --------------------------------------------------------


def test_an_auditors_download_of_an_intact_file_writes_nothing(issued, supporting, auditor):
    records, messages = TransitionRecord.objects.count(), OutboxMessage.objects.count()

    for document in (issued[1], supporting[1]):
        assert web(auditor).get(download_url(document)).status_code == 200
        assert web(auditor).post(download_url(document)).status_code == 405

    assert (TransitionRecord.objects.count(), OutboxMessage.objects.count()) == (
        records,
        messages,
    )


def test_a_failure_an_auditor_finds_is_recorded_by_the_system_not_the_auditor(issued, auditor):
    application, document = issued
    swap(document)

    assert web(auditor).get(download_url(document)).status_code == 409

    assert integrity_events(application).get().actor is None
