"""Layout 3 (issue 14): the QR code from segno's matrix as one path, streams at zlib level 1,
and the signature written without pyHanko's writer. Same meaning, a valid PAdES signature,
and layouts 1 and 2 unchanged for the documents issued with them."""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

import pytest
import segno
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from permits.decisions import generation, signing
from permits.decisions.qr import qr_matrix
from permits.decisions.rendering import LAYOUT_VERSION, ParsedOnce, render_from_inputs
from permits.decisions.signing import create_self_signed_p12, sign_pdf
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance

V1_INPUTS = Path(__file__).parent / "data" / "licence_inputs_layout_v1.json"
# Layout 2's rendering of the same inputs, as main drew it before layout 3 existed.
V2_UNSIGNED_SHA256 = "939abb1e1dd8faf5da8df97ba770c092f94727e3b261481b60abb4d92075b590"
QR_RUN = re.compile(rb"(?<![\d.])(\d+) (\d+) (\d+) 1 re")


def drawn_qr_matrix(pdf: bytes) -> list[list[int]]:
    """The QR code's modules as layout 3 writes them on the first page: one "x y w 1 re" per
    run of dark modules, in module units with a four-module quiet zone."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    content = page.get_contents().get_data()
    runs = [tuple(map(int, m.groups())) for m in QR_RUN.finditer(content)]
    size = max(y for _, y, _ in runs) - 4 + 1
    matrix = [[0] * size for _ in range(size)]
    for x, y, width in runs:
        for column in range(x - 4, x - 4 + width):
            matrix[y - 4][column] = 1
    return matrix


def test_layout_2_still_draws_what_it_drew_before_layout_3():
    assert generation.sha256_hex(render_from_inputs(V1_INPUTS.read_text(), "2")) == (
        V2_UNSIGNED_SHA256
    )


def test_layout_3_is_todays_and_deterministic():
    inputs = V1_INPUTS.read_text()
    assert LAYOUT_VERSION == "3"
    first = render_from_inputs(inputs)
    render_from_inputs(inputs, "2")  # another layout in between leaves no trace
    assert render_from_inputs(inputs) == first
    assert generation.sha256_hex(first) != V2_UNSIGNED_SHA256


def test_paragraphs_parsed_once_draw_what_a_fresh_parse_draws():
    inputs = V1_INPUTS.read_text()
    other = inputs.replace("BXL", "BRU")
    ParsedOnce._parsed.clear()
    fresh = render_from_inputs(inputs)
    assert ParsedOnce._parsed  # the texts were kept

    render_from_inputs(other)
    assert render_from_inputs(inputs) == fresh  # from the kept parses, after another letter
    ParsedOnce._parsed.clear()
    assert render_from_inputs(other) != fresh


def test_layout_3_streams_are_flate_at_level_1():
    pdf = render_from_inputs(V1_INPUTS.read_text())
    content = PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data()
    assert zlib.compress(content, 1) in pdf
    assert zlib.compress(content) not in pdf  # layout 2's level 6 would have given this


@pytest.mark.django_db
def test_layout_3_qr_code_is_segnos_matrix_of_the_verification_url(
    organisation, applicant, case_manager, head, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "issued",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )
    document = generation.decision_document_generate(decision_id=application.decision.pk)
    assert document.layout_version == "3"
    licence = application.licence
    url = (
        f"{settings.PUBLIC_BASE_URL.rstrip('/')}/verify/?licence={licence.number}"
        f"&code={licence.verification_code}"
    )
    pdf = render_from_inputs(document.render_inputs, "3")

    expected = segno.make_qr(url, error="L", boost_error=False).matrix
    assert drawn_qr_matrix(pdf) == [list(row) for row in expected]


@pytest.mark.parametrize("length", [10, 40, 70, 100, 130, 160, 250])
def test_the_bit_row_mask_choice_is_segnos_own(length):
    # Versions 1 to 10 (and version information from 7 on), many masks chosen.
    for seed in range(12):
        value = f"https://permits.example.be/verify/?licence=BXL-{seed:06d}&code=" + "".join(
            "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"[(seed * 7 + i * 13) % 34] for i in range(length)
        )
        assert qr_matrix(value) == segno.make_qr(value, error="L", boost_error=False).matrix


@pytest.fixture(params=[False, True], ids=["rsa", "ecdsa"])
def certificate(request, settings, tmp_path):
    path = tmp_path / "authority.p12"
    created = create_self_signed_p12(
        path, "s3cret", common_name="Permits test authority", elliptic=request.param
    )
    settings.DECISION_SIGNING_P12 = str(path)
    settings.DECISION_SIGNING_PASSWORD = "s3cret"
    settings.DECISION_TIMESTAMP_URL = ""
    return asn1_x509.Certificate.load(created.public_bytes(Encoding.DER))


def test_a_layout_3_licence_signed_directly_is_a_valid_pades_signature(certificate):
    unsigned = render_from_inputs(V1_INPUTS.read_text())

    for reason in ("Decision BXL-1", "Décision (BXL-2) \\ bis"):
        signed = sign_pdf(unsigned, reason=reason)

        assert signed.startswith(unsigned)  # an incremental update: the render is untouched
        embedded = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
        status = validate_pdf_signature(embedded, ValidationContext(trust_roots=[certificate]))
        assert status.intact and status.valid and status.trusted
        assert status.coverage.name == "ENTIRE_FILE"
        assert status.modification_level.name == "NONE"
        assert embedded.sig_object["/Reason"] == reason
        assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
        assert embedded.field_name == signing.FIELD_NAME


def test_the_cms_template_rebuilds_pyhankos_signature_so_the_direct_path_is_taken(certificate):
    key = signing._signer_key()
    signer = signing._signer(key)
    md_algorithm = signing.select_suitable_signing_md(signer.signing_cert.public_key)

    assert signing._make_template(signer, md_algorithm) is not None
    signed = sign_pdf(render_from_inputs(V1_INPUTS.read_text()), reason="x")
    # pyHanko's writer names itself in the document information; the direct update does not
    # rewrite it.
    assert b"pyHanko" not in signed


def test_a_pdf_of_another_shape_is_signed_by_pyhanko(certificate):
    key = signing._signer_key()
    signer = signing._signer(key)
    md_algorithm = signing.select_suitable_signing_md(signer.signing_cert.public_key)
    template = signing._cms_template(key, signer, md_algorithm)
    once = sign_pdf(render_from_inputs(V1_INPUTS.read_text()), reason="first")

    # An updated file (a /Prev in its trailer) is not the single revision the direct path
    # writes after: it declines, and sign_pdf hands such a file to pyHanko.
    assert (
        signing._sign_incremental(
            once, reason="second", signer=signer, template=template, reserved=8000
        )
        is None
    )
