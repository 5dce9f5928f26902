"""The upload service: what it stores, what it records, and what it refuses to store."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from documents import selectors
from documents.models import Document
from documents.services import document_upload
from permits.rules import can_upload_document
from tests.documents import factories as files
from tests.documents.conftest import stored_files
from tests.factories import ApplicationFactory, UserFactory
from workflow.exceptions import TransitionForbidden
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db


def upload(
    application, actor, data=None, name="certificate.pdf", kind="end_user_certificate", **kw
):
    return document_upload(
        application=application,
        actor=actor,
        kind=kind,
        uploaded_file=files.upload(files.pdf_bytes() if data is None else data, name),
        **kw,
    )


# --- What an accepted upload stores ---------------------------------------------------------


def test_upload_stores_the_document_with_its_metadata(draft, applicant):
    document = upload(draft, applicant)

    document.refresh_from_db()
    assert document.application == draft
    assert document.kind == "end_user_certificate"
    assert document.original_name == "certificate.pdf"
    assert document.content_type == "application/pdf"
    assert document.uploaded_by == applicant


def test_stored_bytes_are_the_uploaded_bytes(draft, applicant):
    data = files.pdf_bytes("Contract 2026/17")

    document = upload(draft, applicant, data)

    with document.file.open("rb") as handle:
        assert handle.read() == data
    assert document.size == len(data)


def test_sha256_is_computed_over_the_bytes(draft, applicant):
    data = files.jpeg_bytes()

    document = upload(draft, applicant, data, name="photo.jpg")

    assert document.sha256 == hashlib.sha256(data).hexdigest()


def test_file_is_stored_under_media_root_with_a_random_name(draft, applicant, media_root):
    document = upload(draft, applicant, name="certificate.pdf")

    [path] = stored_files(media_root)
    assert path.name != "certificate.pdf"
    assert path.suffix == ".pdf"
    assert document.file.name == path.relative_to(media_root).as_posix()


def test_content_type_comes_from_the_bytes_when_the_extension_lies(draft, applicant, media_root):
    document = upload(draft, applicant, files.png_bytes(), name="scan.pdf")

    assert document.content_type == "image/png"
    assert document.file.name.endswith(".png")
    assert document.original_name == "scan.pdf"


def test_original_name_is_sanitised(draft, applicant):
    document = upload(draft, applicant, name="../../etc/\u202ecertificate.pdf")

    assert document.original_name == "certificate.pdf"


def test_upload_writes_a_history_record(draft, applicant):
    document = upload(draft, applicant)

    record = TransitionRecord.objects.get(application=draft, transition="document_uploaded")
    assert record.source_state == record.target_state == "draft"
    assert record.actor == applicant
    assert record.payload == {
        "document": str(document.public_id),
        "kind": "end_user_certificate",
        "sha256": document.sha256,
        "name": "certificate.pdf",
    }


def test_two_uploads_of_the_same_name_are_two_files(draft, applicant, media_root):
    first = upload(draft, applicant)
    second = upload(draft, applicant)

    assert first.file.name != second.file.name
    assert len(stored_files(media_root)) == 2


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
        upload(draft, applicant, data, name=name)

    assert [error.code for error in excinfo.value.error_dict["file"]] == [code]
    assert not Document.objects.exists()
    assert stored_files(media_root) == []
    assert not TransitionRecord.objects.filter(transition="document_uploaded").exists()


def test_oversize_file_is_refused_and_nothing_is_stored(draft, applicant, media_root, settings):
    data = files.pdf_bytes()
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = len(data) - 1

    with pytest.raises(ValidationError) as excinfo:
        upload(draft, applicant, data)

    assert excinfo.value.error_dict["file"][0].code == "too_large"
    assert not Document.objects.exists()
    assert stored_files(media_root) == []


def test_refusal_message_says_what_is_wrong(draft, applicant):
    with pytest.raises(ValidationError) as excinfo:
        upload(draft, applicant, files.encrypted_pdf())

    assert excinfo.value.message_dict["file"] == [
        "The PDF file is encrypted or password-protected; upload it unprotected."
    ]


def test_a_failing_database_write_removes_the_stored_file(
    draft, applicant, media_root, monkeypatch
):
    def fail(**kwargs):
        raise RuntimeError("database write failed")

    monkeypatch.setattr("documents.services.workflow_services.transition_record_create", fail)

    with pytest.raises(RuntimeError):
        upload(draft, applicant)

    assert not Document.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize("role", ["applicant", "head"])
def test_nobody_may_upload_a_decision_document(role, application_in, applicant, head, media_root):
    application = application_in("pending_approval")
    before = len(stored_files(media_root))

    with pytest.raises(TransitionForbidden):
        upload(application, {"applicant": applicant, "head": head}[role], kind="decision")

    assert not application.documents.filter(kind="decision").exists()
    assert len(stored_files(media_root)) == before


def test_an_unknown_kind_is_refused_on_the_kind_field(draft, applicant, media_root):
    with pytest.raises(ValidationError) as excinfo:
        upload(draft, applicant, kind="passport")

    assert "kind" in excinfo.value.error_dict
    assert stored_files(media_root) == []


# --- Superseding ----------------------------------------------------------------------------


def test_superseding_keeps_both_documents_and_links_them(draft, applicant, media_root):
    old = upload(draft, applicant, name="euc-v1.pdf")

    new = upload(draft, applicant, name="euc-v2.pdf", supersedes=old)

    old.refresh_from_db()
    assert list(selectors.document_list(application=draft)) == [old, new]
    assert new.supersedes == old
    assert not old.is_current and new.is_current
    assert len(stored_files(media_root)) == 2


def test_superseding_is_recorded_in_the_history(draft, applicant):
    old = upload(draft, applicant)

    new = upload(draft, applicant, supersedes=old)

    record = TransitionRecord.objects.get(payload__document=str(new.public_id))
    assert record.payload["supersedes"] == str(old.public_id)


def test_superseding_a_document_of_another_application_is_refused(
    draft, organisation, applicant, media_root
):
    elsewhere = upload(
        ApplicationFactory(organisation=organisation, created_by=applicant, documents=False),
        applicant,
    )

    with pytest.raises(ValidationError) as excinfo:
        upload(draft, applicant, supersedes=elsewhere)

    assert excinfo.value.error_dict["supersedes"][0].code == "other_application"
    assert not draft.documents.exists()
    assert len(stored_files(media_root)) == 1


def test_a_document_can_be_superseded_only_once(draft, applicant, media_root):
    old = upload(draft, applicant)
    upload(draft, applicant, supersedes=old)

    with pytest.raises(ValidationError) as excinfo:
        upload(draft, applicant, supersedes=old)

    assert excinfo.value.error_dict["supersedes"][0].code == "already_superseded"
    assert draft.documents.count() == 2
    assert len(stored_files(media_root)) == 2


# --- Who may upload when ----------------------------------------------------------------------

STATES = [
    "draft",
    "submitted",
    "under_review",
    "information_requested",
    "pending_approval",
    "issued",
    "refused",
    "withdrawn",
]
ALLOWED = {
    "applicant": {"draft", "submitted", "under_review", "information_requested"},
    "case_manager": {"under_review", "information_requested", "pending_approval"},
    "head": {"under_review", "information_requested", "pending_approval"},
    "second_case_manager": set(),
    "auditor": set(),
    "other_applicant": set(),
}
MATRIX = [(role, state, state in allowed) for role, allowed in ALLOWED.items() for state in STATES]


@pytest.mark.parametrize(("role", "state", "allowed"), MATRIX)
def test_upload_permission_by_role_and_state(role, state, allowed, application_in, request):
    application = application_in(state)
    user = request.getfixturevalue(role)

    assert can_upload_document(application, user) is allowed


@pytest.mark.parametrize(
    ("role", "state"),
    [
        ("auditor", "under_review"),
        ("other_applicant", "draft"),
        ("second_case_manager", "under_review"),
        ("applicant", "pending_approval"),
        ("case_manager", "submitted"),
        ("head", "issued"),
    ],
)
def test_refused_uploader_gets_forbidden_and_nothing_is_stored(
    role, state, application_in, request, media_root
):
    application = application_in(state)
    before = (Document.objects.count(), len(stored_files(media_root)))

    with pytest.raises(TransitionForbidden):
        upload(application, request.getfixturevalue(role))

    assert (Document.objects.count(), len(stored_files(media_root))) == before


def test_an_anonymous_user_may_not_upload(draft):
    from django.contrib.auth.models import AnonymousUser

    assert can_upload_document(draft, AnonymousUser()) is False


def test_a_user_who_is_both_applicant_member_and_auditor_may_not_upload(draft, organisation):
    user = UserFactory(roles=["applicant", "auditor"])
    organisation.members.add(user)

    assert can_upload_document(draft, user) is False


# --- Selectors ----------------------------------------------------------------------------------


def test_an_export_of_military_goods_needs_an_end_user_certificate(draft):
    assert selectors.missing_required_documents(draft) == ["end_user_certificate"]


def test_an_uploaded_end_user_certificate_satisfies_the_requirement(draft, applicant):
    upload(draft, applicant, kind="end_user_certificate")

    assert selectors.missing_required_documents(draft) == []


def test_a_superseded_certificate_no_longer_counts(draft, applicant):
    old = upload(draft, applicant, kind="end_user_certificate")
    upload(draft, applicant, kind="other", supersedes=old)

    assert selectors.missing_required_documents(draft) == ["end_user_certificate"]


def test_an_import_needs_no_document_by_default(organisation, applicant):
    application = ApplicationFactory(organisation=organisation, created_by=applicant, kind="import")

    assert selectors.missing_required_documents(application) == []


def test_required_documents_come_from_the_setting(draft, settings):
    settings.DOCUMENTS_REQUIRED = {("export", "military"): ["contract", "end_user_certificate"]}

    assert selectors.missing_required_documents(draft) == ["contract", "end_user_certificate"]


def test_download_lookup_of_another_organisations_document_is_404(
    draft, applicant, other_applicant
):
    document = upload(draft, applicant)

    with pytest.raises(Http404):
        selectors.document_get_for_download(user=other_applicant, public_id=document.public_id)


def test_download_lookup_of_a_malformed_id_is_404(applicant):
    with pytest.raises(Http404):
        selectors.document_get_for_download(user=applicant, public_id="not-a-uuid")
