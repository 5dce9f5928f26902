"""The applicant's reply to an information request through the API, with its documents in
the same request: all stored, or nothing (as on the web page)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Document
from permits.models import PermitApplication
from tests.api.conftest import url
from tests.factories import small_pdf
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(make_application):
    return make_application("information_requested")


def _pdf(name: str = "euc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, small_pdf(), content_type="application/pdf")


def test_the_reply_and_its_documents_are_one_request(applicant_client, waiting):
    response = applicant_client.post(
        url(waiting, "transitions/provide_information/"),
        {"reply": "Attached.", "documents": [_pdf("euc.pdf"), _pdf("contract.pdf")]},
        format="multipart",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "under_review"
    stored = Document.objects.filter(application=waiting, kind="information_reply")
    assert sorted(d.original_name for d in stored) == ["contract.pdf", "euc.pdf"]
    records = TransitionRecord.objects.filter(application=waiting)
    assert records.filter(transition="document_uploaded").count() == 2
    assert records.filter(transition="provide_information").count() == 1


def test_one_refused_file_refuses_the_whole_reply(applicant_client, waiting):
    not_a_pdf = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", content_type="application/pdf")
    response = applicant_client.post(
        url(waiting, "transitions/provide_information/"),
        {"reply": "Attached.", "documents": [_pdf(), not_a_pdf]},
        format="multipart",
    )
    assert response.status_code == 422
    assert "documents" in response.json()["errors"]
    assert not Document.objects.filter(application=waiting, kind="information_reply").exists()
    assert PermitApplication.objects.get(pk=waiting.pk).status == "information_requested"
    assert not TransitionRecord.objects.filter(
        application=waiting, transition__in=["document_uploaded", "provide_information"]
    ).exists()


def test_a_json_reply_without_documents_still_works(applicant_client, waiting):
    response = applicant_client.post(
        url(waiting, "transitions/provide_information/"), {"reply": "Done."}, format="json"
    )
    assert response.status_code == 200


def test_another_organisation_cannot_reply(other_applicant_client, waiting):
    response = other_applicant_client.post(
        url(waiting, "transitions/provide_information/"),
        {"reply": "Mine.", "documents": [_pdf()]},
        format="multipart",
    )
    assert response.status_code == 404
    assert not Document.objects.filter(application=waiting, kind="information_reply").exists()
