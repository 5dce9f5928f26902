"""The upload action: who may add a document when, what it records, and that a refusal leaves
nothing behind. What the file store itself checks is tested in tests/documents/."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from documents.models import Document
from permits.actions.documents import document_upload
from permits.rules import can_upload_document
from tests.documents import factories as files
from tests.documents.conftest import stored_files
from tests.factories import UserFactory
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


# --- What an accepted upload stores and records ------------------------------------------------


def test_upload_stores_the_document_for_its_uploader(draft, applicant, media_root):
    document = upload(draft, applicant)

    document.refresh_from_db()
    assert document.application == draft
    assert document.kind == "end_user_certificate"
    assert document.uploaded_by == applicant
    assert len(stored_files(media_root)) == 1


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


def test_superseding_is_recorded_in_the_history(draft, applicant):
    old = upload(draft, applicant)

    new = upload(draft, applicant, supersedes=old)

    record = TransitionRecord.objects.get(payload__document=str(new.public_id))
    assert record.payload["supersedes"] == str(old.public_id)


# --- Refusals leave nothing behind --------------------------------------------------------------


def test_a_refused_file_stores_nothing_and_writes_no_history(draft, applicant, media_root):
    with pytest.raises(ValidationError) as excinfo:
        upload(draft, applicant, files.pdf_with_javascript(), name="a.pdf")

    assert [error.code for error in excinfo.value.error_dict["file"]] == ["pdf_javascript"]
    assert not Document.objects.exists()
    assert stored_files(media_root) == []
    assert not TransitionRecord.objects.filter(transition="document_uploaded").exists()


def test_a_refused_replacement_stores_nothing_and_writes_no_history(draft, applicant, media_root):
    old = upload(draft, applicant)
    upload(draft, applicant, supersedes=old)

    with pytest.raises(ValidationError):
        upload(draft, applicant, supersedes=old)

    assert draft.documents.count() == 2
    assert len(stored_files(media_root)) == 2
    assert TransitionRecord.objects.filter(transition="document_uploaded").count() == 2


def test_a_failing_history_write_removes_the_stored_file(draft, applicant, media_root, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("database write failed")

    monkeypatch.setattr("permits.events.workflow_services.transition_record_create", fail)

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
    assert not TransitionRecord.objects.filter(transition="document_uploaded").exists()


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
    assert can_upload_document(draft, AnonymousUser()) is False


def test_a_user_who_is_both_applicant_member_and_auditor_may_not_upload(draft, organisation):
    user = UserFactory(roles=["applicant", "auditor"])
    organisation.members.add(user)

    assert can_upload_document(draft, user) is False
