"""Documents, decisions and licences through the API, with the documents services."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Document
from permits.decisions.generation import decision_document_generate
from tests.api.conftest import url
from tests.factories import small_pdf

pytestmark = pytest.mark.django_db


def upload(client, application, kind="contract", data=None, name="contract.pdf"):
    file = SimpleUploadedFile(name, data if data is not None else small_pdf("Contract"))
    return client.post(url(application, "documents/"), {"kind": kind, "file": file})


def test_applicant_uploads_lists_and_downloads_a_document(applicant_client, draft):
    created = upload(applicant_client, draft)
    assert created.status_code == 201
    document_id = created.json()["id"]
    listed = applicant_client.get(url(draft, "documents/")).json()["results"]
    assert document_id in {item["id"] for item in listed}
    detail = applicant_client.get(url(draft, f"documents/{document_id}/"))
    assert detail.json()["sha256"] == created.json()["sha256"]
    download = applicant_client.get(url(draft, f"documents/{document_id}/download/"))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_an_invalid_file_is_400_and_nothing_is_stored(applicant_client, draft):
    before = Document.objects.count()
    response = upload(applicant_client, draft, data=b"MZ\x90\x00 not a pdf", name="x.pdf")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert Document.objects.count() == before


def test_a_decision_cannot_be_uploaded(applicant_client, draft):
    assert upload(applicant_client, draft, kind="decision").status_code == 400


def test_upload_needs_multipart(applicant_client, draft):
    response = applicant_client.post(url(draft, "documents/"), {"kind": "contract"}, format="json")
    assert response.status_code == 415


def test_auditor_cannot_upload(auditor_client, make_application):
    assert upload(auditor_client, make_application("under_review")).status_code == 403


def test_case_manager_cannot_upload_to_a_file_not_theirs_in_submission(
    case_manager_client, make_application
):
    assert upload(case_manager_client, make_application("submitted")).status_code == 403


def test_another_organisation_cannot_list_or_download(
    applicant_client, other_applicant_client, draft
):
    document_id = upload(applicant_client, draft).json()["id"]
    assert other_applicant_client.get(url(draft, "documents/")).status_code == 404
    response = other_applicant_client.get(url(draft, f"documents/{document_id}/download/"))
    assert response.status_code == 404


def test_document_of_another_application_is_404(applicant_client, draft, make_application):
    document_id = upload(applicant_client, draft).json()["id"]
    other = make_application("draft")
    assert applicant_client.get(url(other, f"documents/{document_id}/")).status_code == 404


def test_no_decision_before_one_is_taken(applicant_client, make_application):
    application = make_application("under_review")
    assert applicant_client.get(url(application, "decision/")).status_code == 404
    assert applicant_client.get(url(application, "decision/pdf/")).status_code == 404


@pytest.mark.parametrize("client", ["applicant_client", "head_client", "auditor_client"])
def test_decision_and_licence_with_their_pdf(client, request, make_application):
    application = make_application("issued")
    decision_document_generate(decision_id=application.decision.pk)
    api = request.getfixturevalue(client)
    decision = api.get(url(application, "decision/"))
    assert decision.json()["outcome"] == "granted"
    assert decision.json()["document_ready"] is True
    assert api.get(url(application, "licence/")).json()["number"] == application.reference
    for path in ("decision/pdf/", "licence/pdf/"):
        response = api.get(url(application, path))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"


def test_pdf_not_yet_rendered_is_404(applicant_client, make_application):
    application = make_application("issued")
    Document.objects.filter(decision__application=application).delete()
    response = applicant_client.get(url(application, "decision/pdf/"))
    assert response.status_code == 404


def test_refusal_has_a_decision_but_no_licence(applicant_client, make_application):
    application = make_application("refused")
    assert applicant_client.get(url(application, "decision/")).json()["outcome"] == "refused"
    assert applicant_client.get(url(application, "licence/")).status_code == 404


def test_other_organisation_cannot_see_the_decision(other_applicant_client, make_application):
    application = make_application("issued")
    assert other_applicant_client.get(url(application, "decision/")).status_code == 404
