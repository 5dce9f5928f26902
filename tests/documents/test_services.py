"""The file store: what it stores, and what it refuses to store."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from documents import selectors
from documents.models import Document
from documents.services import document_store, file_check, uncommitted_file_remove
from tests.documents import factories as files
from tests.documents.conftest import stored_files
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def store(application, uploaded_by, data=None, name="certificate.pdf", kind="contract", **kw):
    return document_store(
        application=application,
        kind=kind,
        file=file_check(files.upload(files.pdf_bytes() if data is None else data, name)),
        uploaded_by=uploaded_by,
        **kw,
    )


# --- What a stored file becomes -------------------------------------------------------------


def test_a_stored_file_becomes_a_document_with_its_metadata(draft, applicant):
    document = store(draft, applicant)

    document.refresh_from_db()
    assert document.application == draft
    assert document.kind == "contract"
    assert document.original_name == "certificate.pdf"
    assert document.content_type == "application/pdf"
    assert document.uploaded_by == applicant


def test_stored_bytes_are_the_uploaded_bytes(draft, applicant):
    data = files.pdf_bytes("Contract 2026/17")

    document = store(draft, applicant, data)

    with document.file.open("rb") as handle:
        assert handle.read() == data
    assert document.size == len(data)


def test_sha256_is_computed_over_the_bytes(draft, applicant):
    data = files.jpeg_bytes()

    document = store(draft, applicant, data, name="photo.jpg")

    assert document.sha256 == hashlib.sha256(data).hexdigest()


def test_file_is_stored_under_media_root_with_a_random_name(draft, applicant, media_root):
    document = store(draft, applicant, name="certificate.pdf")

    [path] = stored_files(media_root)
    assert path.name != "certificate.pdf"
    assert path.suffix == ".pdf"
    assert document.file.name == path.relative_to(media_root).as_posix()


def test_content_type_comes_from_the_bytes_when_the_extension_lies(draft, applicant):
    document = store(draft, applicant, files.png_bytes(), name="scan.pdf")

    assert document.content_type == "image/png"
    assert document.file.name.endswith(".png")
    assert document.original_name == "scan.pdf"


def test_original_name_is_sanitised(draft, applicant):
    document = store(draft, applicant, name="../../etc/\u202ecertificate.pdf")

    assert document.original_name == "certificate.pdf"


def test_two_files_of_the_same_name_are_two_files(draft, applicant, media_root):
    first = store(draft, applicant)
    second = store(draft, applicant)

    assert first.file.name != second.file.name
    assert len(stored_files(media_root)) == 2


def test_a_system_generated_document_has_no_uploader(draft):
    assert store(draft, None).uploaded_by is None


# --- Refusals store nothing -----------------------------------------------------------------

BAD_FILES = {
    "elf_named_pdf": (files.ELF_BYTES, "certificate.pdf", "unsupported_type"),
    "pe_named_pdf": (files.PE_BYTES, "certificate.pdf", "unsupported_type"),
    "pdf_with_javascript": (files.pdf_with_javascript(), "a.pdf", "pdf_javascript"),
    "pdf_with_embedded_file": (files.pdf_with_attachment(), "a.pdf", "pdf_embedded_file"),
    "pdf_with_launch_action": (files.pdf_with_launch_action(), "a.pdf", "pdf_launch"),
    "encrypted_pdf": (files.encrypted_pdf(), "a.pdf", "pdf_encrypted"),
    "zero_bytes": (b"", "a.pdf", "empty"),
    "jpeg_plus_zip": (files.jpeg_bytes() + files.ZIP_BYTES, "a.jpg", "polyglot"),
    "png_plus_pdf": (files.png_bytes() + files.pdf_bytes(), "a.png", "polyglot"),
    "zip_header_plus_pdf": (files.ZIP_BYTES[:30] + files.pdf_bytes(), "a.pdf", "polyglot"),
    "unparseable_pdf": (b"%PDF-1.7\nnot a pdf\n%%EOF\n", "a.pdf", "pdf_unreadable"),
}


@pytest.mark.parametrize("case", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_refused_file_is_reported_on_the_file_field_and_nothing_is_stored(
    case, draft, applicant, media_root
):
    data, name, code = case

    with pytest.raises(ValidationError) as excinfo:
        store(draft, applicant, data, name=name)

    assert [error.code for error in excinfo.value.error_dict["file"]] == [code]
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_oversize_file_is_refused_and_nothing_is_stored(draft, applicant, media_root, settings):
    data = files.pdf_bytes()
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = len(data) - 1

    with pytest.raises(ValidationError) as excinfo:
        store(draft, applicant, data)

    assert excinfo.value.error_dict["file"][0].code == "too_large"
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_refusal_message_says_what_is_wrong(draft, applicant):
    with pytest.raises(ValidationError) as excinfo:
        store(draft, applicant, files.encrypted_pdf())

    assert excinfo.value.message_dict["file"] == [
        "The PDF file is encrypted or password-protected; upload it unprotected."
    ]


def test_an_unknown_kind_is_refused_on_the_kind_field(draft, applicant, media_root):
    with pytest.raises(ValidationError) as excinfo:
        store(draft, applicant, kind="passport")

    assert "kind" in excinfo.value.error_dict
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_a_failing_row_write_removes_the_stored_file(draft, applicant, media_root, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("database write failed")

    monkeypatch.setattr(Document, "save", fail)

    with pytest.raises(RuntimeError):
        store(draft, applicant)

    assert stored_files(media_root) == []


def test_the_caller_removes_the_file_of_a_document_its_transaction_rolled_back(
    draft, applicant, media_root
):
    with pytest.raises(RuntimeError), transaction.atomic():
        document = store(draft, applicant)
        raise RuntimeError("the caller's next write failed")

    uncommitted_file_remove(document)

    assert not Document.objects.exists()
    assert stored_files(media_root) == []


# --- Superseding ----------------------------------------------------------------------------


def test_superseding_keeps_both_documents_and_links_them(draft, applicant, media_root):
    old = store(draft, applicant, name="euc-v1.pdf")

    new = store(draft, applicant, name="euc-v2.pdf", supersedes=old)

    old.refresh_from_db()
    assert list(selectors.document_list(application_id=draft.pk)) == [old, new]
    assert new.supersedes == old
    assert not old.is_current and new.is_current
    assert len(stored_files(media_root)) == 2


def test_superseding_a_document_of_another_application_is_refused(
    draft, organisation, applicant, media_root
):
    elsewhere = store(
        ApplicationFactory(organisation=organisation, created_by=applicant, documents=False),
        applicant,
    )

    with pytest.raises(ValidationError) as excinfo:
        store(draft, applicant, supersedes=elsewhere)

    assert excinfo.value.error_dict["supersedes"][0].code == "other_application"
    assert not draft.documents.exists()
    assert len(stored_files(media_root)) == 1


def test_a_document_can_be_superseded_only_once(draft, applicant, media_root):
    old = store(draft, applicant)
    store(draft, applicant, supersedes=old)

    with pytest.raises(ValidationError) as excinfo:
        store(draft, applicant, supersedes=old)

    assert excinfo.value.error_dict["supersedes"][0].code == "already_superseded"
    assert draft.documents.count() == 2
    assert len(stored_files(media_root)) == 2


def test_a_decision_document_cannot_be_superseded(draft, applicant, media_root):
    decision_document = store(draft, None, kind="decision")

    with pytest.raises(ValidationError) as excinfo:
        store(draft, applicant, supersedes=decision_document)

    assert excinfo.value.error_dict["supersedes"][0].code == "decision"
    assert len(stored_files(media_root)) == 1


# --- Selectors ------------------------------------------------------------------------------


def test_document_list_holds_only_that_applications_documents(draft, organisation, applicant):
    mine = store(draft, applicant)
    store(ApplicationFactory(organisation=organisation, created_by=applicant), applicant)

    assert list(selectors.document_list(application_id=draft.pk)) == [mine]


def test_current_kinds_leave_out_superseded_documents(draft, applicant):
    old = store(draft, applicant, kind="end_user_certificate")
    store(draft, applicant, kind="contract")
    store(draft, applicant, kind="other", supersedes=old)

    assert selectors.current_document_kinds(
        application_id=draft.pk, kinds=["end_user_certificate", "contract"]
    ) == {"contract"}
