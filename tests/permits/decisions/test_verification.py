from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from permits import actions
from permits.decisions import generation
from permits.decisions.rendering import verification_url
from permits.models import Licence
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


@pytest.fixture
def issued(organisation, people, media):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=people["applicant"]),
        "issued",
        **people,
    )
    document = generation.decision_document_generate(decision_id=application.decision.pk)
    return application, document


def lookup(number: str, code: str | None = None, **headers):
    """The public lookup with the code printed on the licence (unless ``code`` is given)."""
    if code is None:
        licence = Licence.objects.filter(number=number.upper()).first()
        code = licence.verification_code if licence else ""
    return Client().get("/verify/", {"licence": number, "code": code}, **headers)


def test_a_valid_licence_shows_status_holder_validity_and_hash(issued):
    application, document = issued

    response = lookup(application.licence.number)

    assert response.status_code == 200
    result = response.context["licence"]
    assert result.status == "valid"
    assert result.holder == application.organisation.legal_name
    assert result.valid_until == application.licence.valid_until
    assert document.sha256.encode() in response.content


def test_the_page_reveals_nothing_beyond_the_licence_facts(issued):
    application, _ = issued

    content = lookup(application.licence.number).content.decode()

    assert application.end_use_statement not in content
    assert application.organisation.enterprise_number_display not in content
    assert "Thermal imaging" not in content


def test_a_revoked_licence_says_revoked(issued, head):
    application, _ = issued
    actions.application_revoke(application=application, actor=head, reason="Breach")

    assert lookup(application.licence.number).context["licence"].status == "revoked"


def test_a_licence_past_its_end_says_expired_before_the_sweep_runs(issued):
    application, _ = issued
    Licence.objects.filter(pk=application.licence.pk).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )

    assert lookup(application.licence.number).context["licence"].status == "expired"


def test_an_unknown_number_is_reported_unknown():
    response = lookup("BXL-ML-EXP-2026-999999")

    assert response.status_code == 200
    assert response.context["licence"] is None
    assert b'data-status="unknown"' in response.content


def test_lookup_is_case_insensitive(issued):
    application, _ = issued

    assert lookup(application.licence.number.lower()).context["licence"] is not None


def test_the_issued_pdf_is_recognised(issued):
    application, document = issued
    upload = SimpleUploadedFile("licence.pdf", document.file.read(), "application/pdf")

    response = Client().post("/verify/", {"document": upload})

    assert response.status_code == 200
    assert response.context["match"].reference == application.reference


def test_an_altered_pdf_is_rejected(issued):
    _, document = issued
    data = bytearray(document.file.read())
    data[-200] ^= 0x01
    upload = SimpleUploadedFile("licence.pdf", bytes(data), "application/pdf")

    response = Client().post("/verify/", {"document": upload})

    assert response.context["match"] is None
    assert b'data-match="no"' in response.content


def test_a_post_without_a_file_names_the_field():
    response = Client().post("/verify/", {})

    assert response.status_code == 400
    assert response.context["check_form"].errors["document"]


def test_verification_is_rate_limited(settings):
    settings.VERIFY_RATE_LIMIT = "3/m"
    client = Client()

    codes = [client.get("/verify/", {"licence": "X"}).status_code for _ in range(5)]

    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]


def test_the_licence_qr_code_points_to_the_verify_page(issued, settings):
    application, _ = issued

    assert verification_url(application.licence.number) == (
        f"{settings.PUBLIC_BASE_URL}/verify/?licence={application.licence.number}"
    )


def upload(document, **headers):
    pdf = SimpleUploadedFile("licence.pdf", document.file.read(), "application/pdf")
    return Client().post("/verify/", {"document": pdf}, **headers)


def test_uploading_a_revoked_licences_pdf_says_revoked(issued, head):
    application, document = issued
    actions.application_revoke(application=application, actor=head, reason="Breach")

    response = upload(document)

    licence = response.context["match"].licence
    assert (licence.status, licence.holder) == ("revoked", application.organisation.legal_name)
    assert licence.valid_until == application.licence.valid_until
    assert b'data-status="revoked"' in response.content


def test_the_upload_answers_as_the_number_lookup_does(issued):
    application, document = issued

    by_upload = upload(document).context["match"].licence
    by_number = lookup(application.licence.number).context["licence"]

    assert by_upload == by_number


def test_the_number_lookup_answers_in_json(issued):
    application, document = issued

    response = Client().get(
        "/verify/",
        {"licence": application.licence.number, "code": application.licence.verification_code},
        HTTP_ACCEPT="application/json",
    )

    assert response["Content-Type"] == "application/json"
    assert response.json()["licence"] == {
        "number": application.licence.number,
        "status": "valid",
        "status_label": "Valid",
        "holder": application.organisation.legal_name,
        "valid_from": application.licence.valid_from.isoformat(),
        "valid_until": application.licence.valid_until.isoformat(),
        "document_sha256": document.sha256,
        "replaced_by": "",
    }


def test_an_unknown_number_in_json_is_a_404():
    response = Client().get(
        "/verify/", {"licence": "BXL-ML-EXP-2026-999999"}, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 404
    assert response.json()["licence"] is None


def test_the_upload_answers_in_json_with_the_licence_status(issued, head):
    application, document = issued
    actions.application_revoke(application=application, actor=head, reason="Breach")

    body = upload(document, HTTP_ACCEPT="application/json").json()

    assert body["match"] is True
    assert body["document"]["reference"] == application.reference
    assert body["document"]["licence"]["status"] == "revoked"


# --- Without the code: no enumeration of licences by their sequential numbers --------------


def test_the_bare_number_of_a_valid_licence_says_only_that_it_exists(issued):
    application, _ = issued

    response = lookup(application.licence.number, code="")

    page = response.content.decode()
    assert response.context["exists"].number == application.licence.number
    assert application.organisation.legal_name not in page
    assert "licence" not in response.context or response.context["licence"] is None


def test_the_bare_number_of_a_revoked_licence_reveals_nothing(issued, head):
    application, _ = issued
    actions.application_revoke(application=application, actor=head, reason="Breach.")

    bare = lookup(application.licence.number, code="")
    unknown = lookup("BXL-ML-EXP-2026-999999", code="")

    assert application.organisation.legal_name not in bare.content.decode()
    assert bare.context.get("exists") is None and bare.context.get("licence") is None
    # The same answer as for a number never issued.
    assert 'data-status="unknown"' in bare.content.decode()
    assert 'data-status="unknown"' in unknown.content.decode()


def test_a_wrong_code_is_a_bare_number(issued):
    application, _ = issued

    response = lookup(application.licence.number, code="AAAAAAAAAA")

    assert response.context.get("licence") is None
    assert application.organisation.legal_name not in response.content.decode()


def test_the_qr_code_and_the_licence_carry_the_verification_code(issued):
    application, document = issued
    licence = application.licence

    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(document.file.read())).pages)

    assert licence.verification_code in text
    assert verification_url(licence.number, licence.verification_code).endswith(
        f"&code={licence.verification_code}"
    )


def test_each_licence_has_its_own_code(issued):
    from permits.models import new_verification_code

    codes = {new_verification_code() for _ in range(200)}
    assert len(codes) == 200
    assert len(issued[0].licence.verification_code) == 10
