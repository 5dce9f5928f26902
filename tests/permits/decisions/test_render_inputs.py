"""The decision's render inputs kept beside its document, so that the same bytes can be
produced again; and a render that dies leaves no file behind for long."""

from __future__ import annotations

import json
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from documents.models import Document
from permits import events
from permits.decisions import generation
from permits.decisions.rendering import LAYOUT_VERSION, render_decision, render_from_inputs
from permits.decisions.signing import create_self_signed_p12
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


@pytest.fixture
def make(organisation, people, media):
    def make(state: str):
        application = ApplicationFactory(organisation=organisation, created_by=people["applicant"])
        return advance(application, state, **people)

    return make


@pytest.fixture
def signing(settings, tmp_path):
    path = tmp_path / "authority.p12"
    create_self_signed_p12(path, "s3cret", common_name="Permits test authority")
    settings.DECISION_SIGNING_P12 = str(path)
    settings.DECISION_SIGNING_PASSWORD = "s3cret"


def files_of(application, media) -> list[str]:
    folder = media / "applications" / str(application.public_id)
    return sorted(os.listdir(folder)) if folder.exists() else []


@pytest.mark.parametrize("state", ["issued", "refused"])
def test_the_document_keeps_its_render_inputs_and_layout_version(make, state):
    application = make(state)

    document = generation.decision_document_generate(decision_id=application.decision.pk)

    assert document.layout_version == LAYOUT_VERSION
    inputs = json.loads(document.render_inputs)
    assert inputs["document"]["subject"] == application.reference
    assert application.organisation.legal_name in document.render_inputs


@pytest.mark.parametrize("state", ["issued", "refused"])
def test_a_rerender_from_the_stored_inputs_reproduces_the_stored_unsigned_hash(make, state):
    application = make(state)
    document = generation.decision_document_generate(decision_id=application.decision.pk)

    result = generation.decision_rerender_compare(document=Document.objects.get(pk=document.pk))

    assert result.matches
    assert result.rendered_sha256 == document.unsigned_sha256


def test_a_signed_document_is_reproduced_from_its_inputs_too(make, signing):
    application = make("issued")
    document = generation.decision_document_generate(decision_id=application.decision.pk)
    assert document.signed and document.sha256 != document.unsigned_sha256

    assert generation.decision_rerender_compare(document=document).matches


def test_the_stored_inputs_not_todays_data_are_rendered(make):
    application = make("issued")
    document = generation.decision_document_generate(decision_id=application.decision.pk)
    organisation = application.organisation
    organisation.legal_name = "Renamed Later SA"
    organisation.save()

    assert generation.decision_rerender_compare(document=document).matches
    fresh = render_decision(application.decision, signed=False)
    assert generation.sha256_hex(fresh) != document.unsigned_sha256


def test_the_command_says_same_and_succeeds(make):
    application = make("issued")
    generation.decision_document_generate(decision_id=application.decision.pk)
    out = StringIO()

    call_command("decision_rerender_compare", application.reference, stdout=out)

    assert f"SAME      {application.reference}" in out.getvalue()


def test_the_command_fails_when_the_inputs_no_longer_give_the_stored_bytes(make):
    application = make("issued")
    document = generation.decision_document_generate(decision_id=application.decision.pk)
    altered = document.render_inputs.replace(application.reference, "BXL-FORGED", 1)
    Document.objects.filter(pk=document.pk).update(render_inputs=altered)
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("decision_rerender_compare", stdout=out)

    assert f"DIFFERENT {application.reference}" in out.getvalue()


# --- Layout versions: an old document keeps its layout -----------------------------------------

# Render inputs of a licence issued under layout "1", and the SHA-256 of its unsigned PDF as
# layout "1" drew it when it was issued (before layout "2" existed).
V1_INPUTS = Path(__file__).parent / "data" / "licence_inputs_layout_v1.json"
V1_UNSIGNED_SHA256 = "ab458024fedcb5341c067ba759bdfe41a2c9a7930bdb0935b3839843815ea78e"


def test_layout_1_still_draws_what_it_drew_when_it_was_issued():
    assert generation.sha256_hex(render_from_inputs(V1_INPUTS.read_text(), "1")) == (
        V1_UNSIGNED_SHA256
    )


def test_todays_layout_draws_the_same_inputs_differently():
    assert LAYOUT_VERSION != "1"
    rendered = render_from_inputs(V1_INPUTS.read_text())
    assert generation.sha256_hex(rendered) != V1_UNSIGNED_SHA256
    assert rendered.startswith(b"%PDF")


def test_an_unknown_layout_version_is_refused_not_drawn_with_todays():
    with pytest.raises(ValueError, match="layout version"):
        render_from_inputs(V1_INPUTS.read_text(), "0")


def test_a_layout_1_document_is_compared_with_layout_1(make):
    application = make("issued")
    document = generation.decision_document_generate(decision_id=application.decision.pk)
    assert document.layout_version == LAYOUT_VERSION
    # What the document would be had it been issued before layout 2: same inputs, stored
    # with layout "1" and the hash of layout 1's rendering.
    v1_hash = generation.sha256_hex(render_from_inputs(document.render_inputs, "1"))
    assert v1_hash != document.unsigned_sha256
    Document.objects.filter(pk=document.pk).update(layout_version="1", unsigned_sha256=v1_hash)

    result = generation.decision_rerender_compare(document=Document.objects.get(pk=document.pk))

    assert result.matches and result.layout_changed


# --- No orphan left by a render that dies -------------------------------------------------------


def test_a_render_that_fails_after_writing_its_file_removes_it(make, media, monkeypatch):
    application = make("issued")
    before = files_of(application, media)

    def history_down(**kwargs):
        raise RuntimeError("history write failed")

    monkeypatch.setattr(events, "decision_document_stored", history_down)
    with pytest.raises(RuntimeError):
        generation.decision_document_generate(decision_id=application.decision.pk)

    assert not Document.objects.filter(decision=application.decision).exists()
    assert files_of(application, media) == before


def test_a_file_left_by_a_crashed_attempt_is_replaced_by_the_next(make, media):
    application = make("issued")
    decision = application.decision
    folder = media / "applications" / str(application.public_id)
    folder.mkdir(parents=True, exist_ok=True)
    # What a worker killed between writing the file and committing leaves behind.
    (folder / f"decision-{decision.pk}.pdf").write_bytes(b"%PDF-1.4 half-written")
    before = files_of(application, media)

    document = generation.decision_document_generate(decision_id=decision.pk)

    assert document.file.name.endswith(f"/decision-{decision.pk}.pdf")
    assert files_of(application, media) == before  # replaced in place, nothing added
    with document.file.open("rb") as handle:
        assert generation.sha256_hex(handle.read()) == document.sha256
