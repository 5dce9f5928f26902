from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from pypdf import PdfReader

from documents.models import Document
from permits import actions
from permits.decisions import generation, tasks
from permits.decisions.rendering import render_decision
from permits.decisions.signing import create_self_signed_p12
from permits.models import Decision
from tests.conftest import broker_down, wait_for
from tests.factories import ApplicationFactory, GoodsItemFactory, PartyFactory
from tests.workflow_helpers import advance, record_government_decision
from workflow.models import TransitionRecord


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def signing(settings, tmp_path):
    path = tmp_path / "authority.p12"
    certificate = create_self_signed_p12(path, "s3cret", common_name="Permits test authority")
    settings.DECISION_SIGNING_P12 = str(path)
    settings.DECISION_SIGNING_PASSWORD = "s3cret"
    return certificate


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


@pytest.fixture
def granted(organisation, people, media):
    application = ApplicationFactory(organisation=organisation, created_by=people["applicant"])
    GoodsItemFactory(
        application=application, description="Night-vision goggles", control_entry="ML15.a"
    )
    PartyFactory(application=application, role="consignor", name="Завод Оптика ООО")
    return advance(application, "issued", **people)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.django_db
def test_approval_records_a_granted_decision_in_the_applicants_language(granted, head):
    decision = Decision.objects.get(application=granted)

    assert (decision.outcome, decision.decided_by, decision.language) == ("granted", head, "fr")


@pytest.mark.django_db
def test_refusal_records_its_grounds(organisation, people, media):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "refused",
        **people,
    )

    decision = Decision.objects.get(application=application)
    assert decision.outcome == "refused"
    assert decision.grounds == "Criterion 7: risk of diversion."


@pytest.mark.django_db
def test_generating_twice_stores_one_document(granted):
    decision = granted.decision
    first = generation.decision_document_generate(decision_id=decision.pk)
    second = generation.decision_document_generate(decision_id=decision.pk)

    assert first.pk == second.pk
    assert Document.objects.filter(decision=decision).count() == 1
    record = TransitionRecord.objects.get(
        application=granted, transition="decision_document_stored"
    )
    assert record.payload["sha256"] == first.sha256


@pytest.mark.django_db
def test_licence_pdf_shows_number_holder_goods_and_validity(granted):
    document = generation.decision_document_generate(decision_id=granted.decision.pk)
    licence = granted.licence

    text = pdf_text(document.file.read())

    assert licence.number in text
    assert granted.organisation.legal_name in text
    assert granted.organisation.enterprise_number_display in text
    for item in granted.goods.all():
        assert item.description in text and item.control_entry in text
    assert licence.valid_from.strftime("%d/%m/%Y") in text
    assert licence.valid_until.strftime("%d/%m/%Y") in text
    assert "Page 1 sur 2" in text and "Page 2 sur 2" in text  # the holder writes in French


@pytest.mark.django_db
def test_cyrillic_names_render_with_the_embedded_font(granted):
    data = render_decision(granted.decision, signed=False)

    assert "Завод Оптика ООО" in pdf_text(data)
    assert b"DejaVuSans" in data


@pytest.mark.django_db
def test_rendering_twice_gives_identical_bytes(granted):
    decision = Decision.objects.get(pk=granted.decision.pk)

    assert render_decision(decision, signed=False) == render_decision(decision, signed=False)


@pytest.mark.django_db
def test_stored_unsigned_hash_matches_a_regenerated_rendering(granted, signing):
    document = generation.decision_document_generate(decision_id=granted.decision.pk)
    regenerated = render_decision(Decision.objects.get(pk=granted.decision.pk), signed=True)

    assert document.signed
    assert generation.sha256_hex(regenerated) == document.unsigned_sha256
    assert document.sha256 == generation.sha256_hex(document.file.read())


@pytest.mark.django_db
def test_signed_licence_validates_with_pyhanko(granted, signing):
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    document = generation.decision_document_generate(decision_id=granted.decision.pk)
    reader = PdfFileReader(io.BytesIO(document.file.read()))
    root = asn1_x509.Certificate.load(signing.public_bytes(Encoding.DER))

    status = validate_pdf_signature(
        reader.embedded_signatures[0], ValidationContext(trust_roots=[root])
    )

    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"


@pytest.mark.django_db
def test_without_a_certificate_the_document_is_unsigned_and_says_so(granted):
    document = generation.decision_document_generate(decision_id=granted.decision.pk)

    assert not document.signed
    assert "PAS signé électroniquement" in pdf_text(document.file.read())


@pytest.mark.django_db
def test_refusal_letter_states_grounds_and_appeal_in_dutch(people, media):
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(members=[people["applicant"]], language="nl")
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "refused",
        **people,
    )

    text = pdf_text(render_decision(application.decision, signed=False))

    assert "Criterion 7: risk of diversion." in text
    assert "Criterium 7 —" in text
    # The worksheet's note is the case manager's internal assessment: never in the letter.
    assert "Risk of diversion to an unauthorised end user." not in text
    assert "Raad van State" in text and "60 dagen" in text
    assert application.reference in text


@pytest.mark.django_db
def test_approval_after_commit_stores_the_document_and_mails_the_applicant(
    organisation, people, media, django_capture_on_commit_callbacks
):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "pending_approval",
        **people,
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        actions.application_approve(
            application=record_government_decision(application, people["head"], "granted"),
            actor=people["head"],
        )

    assert Document.objects.filter(decision__application=application).count() == 1
    assert [m.to for m in mail.outbox] == [[people["applicant"].email]]
    assert mail.outbox[0].subject == f"Décision sur la demande {application.reference}"


@pytest.mark.django_db
def test_submission_acknowledgement_quotes_the_reference(
    organisation, people, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(organisation=organisation, created_by=people["applicant"])

    with django_capture_on_commit_callbacks(execute=True):
        application = actions.application_submit(application=application, actor=people["applicant"])

    assert mail.outbox[-1].subject == f"Demande {application.reference} reçue"


@pytest.mark.django_db
def test_a_dead_broker_does_not_fail_the_decision_and_the_sweep_catches_up(
    organisation, people, media, django_capture_on_commit_callbacks
):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "pending_approval",
        **people,
    )
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        approved = actions.application_approve(
            application=record_government_decision(application, people["head"], "granted"),
            actor=people["head"],
        )

    assert approved.status == "issued"
    assert not Document.objects.filter(decision__application=application).exists()
    Decision.objects.filter(application=application).update(
        decided_at=approved.decided_at - timedelta(hours=1)
    )

    assert tasks.generate_missing_decision_documents() == 1
    assert Document.objects.filter(decision__application=application).count() == 1
    assert tasks.generate_missing_decision_documents() == 0


def test_a_real_worker_on_redis_stores_a_signed_licence(
    celery_worker_on_redis, organisation, people, media, signing
):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "pending_approval",
        **people,
    )

    actions.application_approve(
        application=record_government_decision(application, people["head"], "granted"),
        actor=people["head"],
    )

    assert wait_for(lambda: Document.objects.filter(decision__application=application).exists())
    document = Document.objects.get(decision__application=application)
    assert document.signed and document.content_type == "application/pdf"
    assert application.reference in pdf_text(document.file.read())
