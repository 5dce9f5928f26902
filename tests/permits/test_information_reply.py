"""An information reply and its documents are one action: all stored, or nothing at all (no
document row, no file on disk, no history)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from documents.models import Document
from permits import actions
from tests.factories import ApplicationFactory, small_pdf
from tests.workflow_helpers import advance
from workflow.exceptions import TransitionConflict, TransitionGuardFailed
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(organisation, applicant, case_manager, head):
    application = ApplicationFactory(organisation=organisation, created_by=applicant)
    return advance(
        application,
        "information_requested",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )


def good(name="good.pdf"):
    return SimpleUploadedFile(name, small_pdf("A"), content_type="application/pdf")


def bad(name="bad.pdf"):
    return SimpleUploadedFile(name, b"MZ not a pdf", content_type="application/pdf")


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def snapshot(application, settings):
    """Rows, history and files on disk: what a refused reply must leave as it was."""
    return (
        Document.objects.filter(application=application).count(),
        TransitionRecord.objects.filter(application=application).count(),
        sorted(map(str, stored_files(settings))),
    )


def test_a_two_file_reply_with_one_refused_file_stores_nothing(waiting, applicant, settings):
    before = snapshot(waiting, settings)

    with pytest.raises(TransitionGuardFailed) as error:
        actions.application_provide_information(
            application=waiting, actor=applicant, reply="Here.", documents=[good(), bad()]
        )

    assert "bad.pdf" in error.value.errors["documents"][0]
    assert snapshot(waiting, settings) == before
    waiting.refresh_from_db()
    assert waiting.status == "information_requested"


def test_files_stored_before_a_refusal_are_removed_from_disk(waiting, applicant, settings):
    before = snapshot(waiting, settings)

    with pytest.raises(TransitionGuardFailed):
        actions.application_provide_information(
            application=waiting, actor=applicant, reply="  ", documents=[good(), good("b.pdf")]
        )

    assert snapshot(waiting, settings) == before


def test_files_of_a_reply_that_fails_after_storing_them_are_removed(
    waiting, applicant, settings, monkeypatch
):
    """A failure late in the transaction (here: the clock) rolls the rows back; the files
    written to disk before it go too."""
    before = snapshot(waiting, settings)

    def broken(**kwargs):
        raise RuntimeError("clock unavailable")

    monkeypatch.setattr("permits.actions.review.clock_resume", broken)

    with pytest.raises(RuntimeError):
        actions.application_provide_information(
            application=waiting, actor=applicant, reply="Here.", documents=[good(), good("b")]
        )

    assert snapshot(waiting, settings) == before


def test_a_reply_from_someone_else_stores_nothing(waiting, other_applicant, settings):
    before = snapshot(waiting, settings)

    with pytest.raises(Exception):  # noqa: B017 — forbidden, whatever its exact class
        actions.application_provide_information(
            application=waiting, actor=other_applicant, reply="Here.", documents=[good()]
        )

    assert snapshot(waiting, settings) == before


def test_a_retried_reply_after_success_stores_nothing_twice(waiting, applicant, settings):
    actions.application_provide_information(
        application=waiting, actor=applicant, reply="Here.", documents=[good()]
    )
    after = snapshot(waiting, settings)

    with pytest.raises(TransitionConflict):
        actions.application_provide_information(
            application=waiting, actor=applicant, reply="Here.", documents=[good()]
        )

    assert snapshot(waiting, settings) == after


def test_a_good_reply_stores_its_files_with_the_reply(waiting, applicant):
    actions.application_provide_information(
        application=waiting, actor=applicant, reply="Here.", documents=[good(), good("b.pdf")]
    )

    events = list(
        TransitionRecord.objects.filter(application=waiting)
        .order_by("-id")
        .values_list("transition", flat=True)[:3]
    )
    assert events == ["provide_information", "document_uploaded", "document_uploaded"]


def test_the_web_form_refusing_one_of_two_files_stores_nothing(waiting, applicant, settings):
    before = snapshot(waiting, settings)
    client = Client()
    client.force_login(applicant)

    response = client.post(
        reverse("permits:application_transition", args=[waiting.url_key, "provide_information"]),
        {"reply": "Here.", "documents": [good(), bad()]},
    )

    assert response.status_code == 400
    assert "bad.pdf" in str(response.context["actions"][0]["form"].errors["documents"])
    assert snapshot(waiting, settings) == before
