"""Files in an S3-compatible bucket (a real server on loopback, s3rver): uploads and decision
documents are written to the bucket, nowhere on disk, and served back through the application
only after their bytes hash to the recorded SHA-256; a swapped or missing object is refused as
on disk, and the sweeps see the bucket's objects."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from documents import integrity
from documents.models import Document
from permits.decisions.generation import decision_document_generate
from tests.api.conftest import client_for, url
from tests.conftest import wait_for
from tests.documents.conftest import stored_files
from tests.factories import ApplicationFactory, small_pdf
from tests.workflow_helpers import advance
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db

FORGED = b"%PDF-1.4\n% a forged licence\n"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def web_download_url(document: Document) -> str:
    return reverse("documents:download", args=[document.application.url_key, document.public_id])


@pytest.fixture
def issued(organisation, applicant, case_manager, head, s3_storage):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "issued",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )
    return application, decision_document_generate(decision_id=application.decision.pk)


def test_an_upload_is_stored_in_the_bucket_and_downloaded_through_the_app(
    s3_storage,
    media_root,
    draft,
    applicant,
):
    data = small_pdf("Contract stored in the bucket")
    client = client_for(applicant)

    created = client.post(
        url(draft, "documents/"),
        {"kind": "contract", "file": SimpleUploadedFile("contract.pdf", data)},
    )

    assert created.status_code == 201, created.content
    document = Document.objects.get(public_id=created.json()["id"])
    assert s3_storage.object_keys() == [document.file.name]
    assert sha256(s3_storage.read(document.file.name)) == document.sha256 == sha256(data)
    assert stored_files(media_root) == []
    download = client.get(url(draft, f"documents/{document.public_id}/download/"))
    assert download.status_code == 200
    assert sha256(b"".join(download.streaming_content)) == document.sha256


def test_a_decision_pdf_is_stored_in_the_bucket_and_downloaded_through_the_app(
    issued,
    applicant,
    s3_storage,
    media_root,
):
    application, document = issued

    assert document.file.name in s3_storage.object_keys()
    assert sha256(s3_storage.read(document.file.name)) == document.sha256
    assert stored_files(media_root) == []
    page = web(applicant).get(web_download_url(document))
    assert page.status_code == 200
    assert sha256(b"".join(page.streaming_content)) == document.sha256
    api = client_for(applicant).get(url(application, "decision/pdf/"))
    assert api.status_code == 200
    assert sha256(b"".join(api.streaming_content)) == document.sha256


def test_a_swapped_object_is_refused_on_the_web_and_by_the_api(issued, applicant, s3_storage):
    application, document = issued
    s3_storage.write(document.file.name, FORGED)

    page = web(applicant).get(web_download_url(document))
    api = client_for(applicant).get(url(application, "decision/pdf/"))

    assert page.status_code == 409
    assert FORGED not in page.content
    assert api.status_code == 409
    assert api.json()["type"].endswith("/file-integrity-failed")


def test_a_missing_object_is_gone_not_a_server_error(issued, applicant, s3_storage):
    _application, document = issued
    s3_storage.delete(document.file.name)

    assert web(applicant).get(web_download_url(document)).status_code == 410


def test_the_integrity_check_rehashes_the_object_in_the_bucket(issued, s3_storage):
    _application, document = issued
    integrity.document_check(document)
    s3_storage.write(document.file.name, FORGED)

    with pytest.raises(integrity.FileIntegrityError) as failure:
        integrity.document_check(document)

    assert failure.value.found_sha256 == sha256(FORGED)


def test_the_orphan_sweep_finds_and_removes_an_object_no_row_points_at(issued, s3_storage):
    application, document = issued
    stray = f"applications/{application.public_id}/stray.pdf"
    s3_storage.write(stray, FORGED)

    orphans = list(integrity.orphan_files(grace=timedelta(0)))

    assert [(orphan.name, orphan.old_enough) for orphan in orphans] == [(stray, True)]
    integrity.orphan_remove(stray)
    assert stray not in s3_storage.object_keys()
    assert document.file.name in s3_storage.object_keys()


def test_a_bucket_out_of_reach_is_503_and_no_integrity_failure(settings, issued, applicant):
    application, document = issued
    settings.STORAGES["default"]["OPTIONS"]["endpoint_url"] = "http://127.0.0.1:1"
    settings.STORAGES = dict(settings.STORAGES)  # tell Django the storage changed

    page = web(applicant).get(web_download_url(document))
    api = client_for(applicant).get(url(application, "decision/pdf/"))

    assert (page.status_code, api.status_code) == (503, 503)
    assert page["Retry-After"] and api["Retry-After"]
    assert api.json()["type"].endswith("/storage-unavailable")
    assert not TransitionRecord.objects.filter(
        application=application, transition="file_integrity_failed"
    ).exists()


def test_the_integrity_sweep_concludes_nothing_while_the_bucket_is_out_of_reach(settings, issued):
    from permits.actions.integrity import stored_files_verify

    application, _document = issued
    settings.STORAGES["default"]["OPTIONS"]["endpoint_url"] = "http://127.0.0.1:1"
    settings.STORAGES = dict(settings.STORAGES)

    with pytest.raises(integrity.StorageUnavailable):
        stored_files_verify()

    assert not TransitionRecord.objects.filter(
        application=application, transition="file_integrity_failed"
    ).exists()


def test_a_decision_document_waits_while_the_bucket_is_out_of_reach(
    settings, s3_storage, organisation, applicant, case_manager, head
):
    from permits.decisions.generation import TRANSIENT_ERRORS, decision_document_produce

    application = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "issued",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )
    settings.STORAGES["default"]["OPTIONS"]["endpoint_url"] = "http://127.0.0.1:1"
    settings.STORAGES = dict(settings.STORAGES)

    # Raised for the task to retry, not recorded as a failed document.
    with pytest.raises(TRANSIENT_ERRORS):
        decision_document_produce(decision_id=application.decision.pk)

    application.decision.refresh_from_db()
    assert application.decision.document_failed_at is None
    assert not Document.objects.filter(decision=application.decision).exists()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_approved_decision_into_the_bucket(
    s3_storage, celery_worker_on_redis, organisation, applicant, case_manager, head
):
    from tests.workflow_helpers import record_government_decision

    pending = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "pending_approval",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )
    record_government_decision(pending, head, "granted")

    response = client_for(head).post(
        url(pending, "transitions/approve/"), {}, format="json", HTTP_X_REQUEST_ID="approve-7"
    )

    assert response.status_code == 200, response.content
    assert wait_for(lambda: Document.objects.filter(kind=Document.Kind.DECISION).exists())
    document = Document.objects.get(kind=Document.Kind.DECISION)
    assert sha256(s3_storage.read(document.file.name)) == document.sha256
    download = client_for(applicant).get(url(pending, "decision/pdf/"))
    assert sha256(b"".join(download.streaming_content)) == document.sha256
