"""Who reads what: internal notes, worksheet notes, staff documents and the head's approval
comment never reach the applicant — not on a page, through the API, in an e-mail or a PDF."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from outbox.models import OutboxMessage
from permits import actions
from permits.decisions.rendering import render_decision
from permits.forms import ApproveForm, CaseNoteForm
from tests.api.conftest import client_for
from tests.factories import ApplicationFactory, small_pdf
from tests.workflow_helpers import (
    advance,
    assess_all_criteria,
    mark_refusal_ground,
    record_government_decision,
)
from workflow.exceptions import TransitionForbidden

pytestmark = pytest.mark.django_db

NOTE = "Internal: the end user looks like a front company."
WORKSHEET_NOTE = "Risk of diversion to an unauthorised end user."
APPROVAL_COMMENT = "Approved reluctantly; watch the next shipment."


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


def reviewed(organisation, people, state="under_review"):
    application = ApplicationFactory(organisation=organisation, created_by=people["applicant"])
    application = advance(application, "under_review", **people)
    actions.case_note_add(application=application, actor=people["case_manager"], text=NOTE)
    if state == "pending_approval":
        assess_all_criteria(application, people["case_manager"])
        application = actions.application_propose_decision(
            application=application,
            actor=people["case_manager"],
            recommendation="grant",
            reasons="In order.",
        )
    return application


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def applicant_sees(application, applicant) -> str:
    """Everything the applicant can read of the file: the page, the API's file and history."""
    client = Client()
    client.force_login(applicant)
    page = client.get(reverse("permits:application_detail", args=[application.url_key]))
    api = client_for(applicant)
    base = f"/api/v1/applications/{application.url_key}/"
    return "\n".join(
        [
            page.content.decode(),
            api.get(base).content.decode(),
            api.get(base + "history/").content.decode(),
        ]
    )


def mails_text() -> str:
    return "\n".join(f"{m.subject}\n{m.body}" for m in mail.outbox) + "\n".join(
        f"{m.subject}\n{m.body}" for m in OutboxMessage.objects.all()
    )


# --- Internal notes ---------------------------------------------------------------------------


def test_staff_read_internal_notes_on_the_case_page(organisation, people, auditor):
    application = reviewed(organisation, people)
    client = Client()
    client.force_login(auditor)

    page = client.get(reverse("permits:application_detail", args=[application.url_key]))

    assert NOTE in page.content.decode()


def test_a_case_manager_adds_a_note_from_the_case_page(organisation, people):
    application = reviewed(organisation, people)
    client = Client()
    client.force_login(people["case_manager"])

    response = client.post(
        reverse("permits:case_note_add", args=[application.url_key]), {"note-text": "Call back."}
    )

    assert response.status_code == 302
    assert application.case_notes.filter(text="Call back.").exists()


def test_an_applicant_cannot_write_a_note(organisation, people):
    application = reviewed(organisation, people)

    with pytest.raises(TransitionForbidden):
        actions.case_note_add(application=application, actor=people["applicant"], text="Hi")
    client = Client()
    client.force_login(people["applicant"])
    response = client.post(
        reverse("permits:case_note_add", args=[application.url_key]), {"note-text": "Hi"}
    )
    assert response.status_code == 404


def test_internal_notes_never_reach_the_applicants_pages_or_api(organisation, people):
    application = reviewed(organisation, people)

    assert NOTE not in applicant_sees(application, people["applicant"])


def test_internal_notes_never_reach_an_e_mail(
    organisation, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = reviewed(organisation, people)
        actions.application_request_information(
            application=application, actor=people["case_manager"], message="Send the EUC."
        )

    assert OutboxMessage.objects.exists()
    assert NOTE not in mails_text()


def test_neither_internal_nor_worksheet_notes_reach_the_refusal_letter(organisation, people):
    application = reviewed(organisation, people)
    mark_refusal_ground(application, people["case_manager"])
    application = actions.application_propose_decision(
        application=application,
        actor=people["case_manager"],
        recommendation="refuse",
        reasons="Diversion.",
        grounds="Criterion 7.",
    )
    application = actions.application_refuse(
        application=record_government_decision(application, people["head"], "refused"),
        actor=people["head"],
        grounds="The goods risk being diverted (criterion 7).",
    )

    text = pdf_text(render_decision(application.decision, signed=False))

    assert "diverted (criterion 7)" in text
    assert NOTE not in text and WORKSHEET_NOTE not in text


def test_internal_notes_and_the_approval_comment_never_reach_the_licence(organisation, people):
    application = reviewed(organisation, people, "pending_approval")
    application = actions.application_approve(
        application=record_government_decision(application, people["head"], "granted"),
        actor=people["head"],
        comment=APPROVAL_COMMENT,
    )

    text = pdf_text(render_decision(application.decision, signed=False))

    assert application.licence.number in text
    assert NOTE not in text and APPROVAL_COMMENT not in text


# --- The head's approval comment: staff only, and the form says so --------------------------


def test_the_approval_comment_is_staff_only_and_the_form_says_so(organisation, people):
    application = reviewed(organisation, people, "pending_approval")
    actions.application_approve(
        application=record_government_decision(application, people["head"], "granted"),
        actor=people["head"],
        comment=APPROVAL_COMMENT,
    )

    assert APPROVAL_COMMENT not in applicant_sees(application, people["applicant"])
    assert "Staff only" in str(ApproveForm().fields["comment"].help_text)
    assert "Staff only" in str(CaseNoteForm().fields["text"].help_text)


# --- Staff documents ----------------------------------------------------------------------------


def staff_upload(application, actor, name, *, shared=False):
    return actions.documents.document_upload(
        application=application,
        actor=actor,
        kind="other",
        uploaded_file=SimpleUploadedFile(name, small_pdf(name), content_type="application/pdf"),
        shared_with_applicant=shared,
    )


def test_a_staff_document_is_not_listed_to_the_applicant_unless_shared(organisation, people):
    application = reviewed(organisation, people)
    hidden = staff_upload(application, people["case_manager"], "internal-memo.pdf")
    shared = staff_upload(application, people["case_manager"], "shared-note.pdf", shared=True)

    seen = applicant_sees(application, people["applicant"])
    api = client_for(people["applicant"])
    listed = api.get(f"/api/v1/applications/{application.url_key}/documents/").json()
    download = api.get(
        f"/api/v1/applications/{application.url_key}/documents/{hidden.public_id}/download/"
    )

    assert "internal-memo.pdf" not in seen and "shared-note.pdf" in seen
    assert {d["original_name"] for d in listed["results"]} >= {"shared-note.pdf"}
    assert "internal-memo.pdf" not in {d["original_name"] for d in listed["results"]}
    assert download.status_code == 404
    assert not hidden.shared_with_applicant and shared.shared_with_applicant


def test_staff_still_list_their_staff_documents(organisation, people):
    application = reviewed(organisation, people)
    staff_upload(application, people["case_manager"], "internal-memo.pdf")

    listed = client_for(people["head"]).get(
        f"/api/v1/applications/{application.url_key}/documents/"
    )

    assert "internal-memo.pdf" in listed.content.decode()


def test_an_applicant_can_never_supersede_a_staff_document(organisation, people, settings):
    application = reviewed(organisation, people)
    staff_document = staff_upload(application, people["case_manager"], "memo.pdf", shared=True)

    with pytest.raises(ValidationError) as error:
        actions.documents.document_upload(
            application=application,
            actor=people["applicant"],
            kind="other",
            uploaded_file=SimpleUploadedFile("x.pdf", small_pdf(), content_type="application/pdf"),
            supersedes=staff_document,
        )

    assert "supersedes" in error.value.message_dict
    staff_document.refresh_from_db()
    assert staff_document.is_current


def test_what_an_applicant_uploads_is_always_theirs_to_read(organisation, people):
    application = reviewed(organisation, people)

    document = actions.documents.document_upload(
        application=application,
        actor=people["applicant"],
        kind="other",
        uploaded_file=SimpleUploadedFile("x.pdf", small_pdf(), content_type="application/pdf"),
        shared_with_applicant=False,
    )

    assert document.shared_with_applicant


def test_only_staff_choose_to_share_a_document_on_the_upload_page(organisation, people):
    application = reviewed(organisation, people)
    pages = {}
    for role in ("case_manager", "applicant"):
        client = Client()
        client.force_login(people[role])
        pages[role] = client.get(
            reverse("documents:upload", args=[application.url_key])
        ).content.decode()

    assert "Share with the applicant" in pages["case_manager"]
    assert "Share with the applicant" not in pages["applicant"]


def test_a_staff_upload_from_the_web_is_staff_only_unless_ticked(organisation, people):
    application = reviewed(organisation, people)
    client = Client()
    client.force_login(people["case_manager"])

    for name, ticked in (("memo.pdf", False), ("letter.pdf", True)):
        data = {
            "kind": "other",
            "file": SimpleUploadedFile(name, small_pdf(name), content_type="application/pdf"),
        }
        if ticked:
            data["shared_with_applicant"] = "on"
        client.post(reverse("documents:upload", args=[application.url_key]), data)

    shared = dict(application.documents.values_list("original_name", "shared_with_applicant"))
    assert shared["memo.pdf"] is False and shared["letter.pdf"] is True


def test_the_api_refuses_an_applicant_superseding_a_staff_document(organisation, people):
    application = reviewed(organisation, people)
    staff_document = staff_upload(application, people["case_manager"], "memo.pdf", shared=True)

    response = client_for(people["applicant"]).post(
        f"/api/v1/applications/{application.url_key}/documents/",
        {
            "kind": "other",
            "file": SimpleUploadedFile("x.pdf", small_pdf(), content_type="application/pdf"),
            "supersedes": str(staff_document.public_id),
        },
        format="multipart",
    )

    assert response.status_code == 422
    assert "supersedes" in response.json()["errors"]
