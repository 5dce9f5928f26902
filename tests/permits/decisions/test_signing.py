"""The signer (and its private key) is loaded once per process, yet a replaced certificate or
password is used by the next document (issue 14)."""

from __future__ import annotations

import io
import os

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.pdfgen import canvas

from permits.decisions.signing import create_self_signed_p12, sign_pdf


def a_pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(100, 700, "Licence")
    page.save()
    return buffer.getvalue()


def signer_name(signed: bytes) -> str:
    signature = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    return signature.signer_cert.subject.native["common_name"]


def test_a_certificate_file_replaced_in_place_signs_the_next_document(settings, tmp_path):
    path = tmp_path / "authority.p12"
    create_self_signed_p12(path, "s3cret", common_name="First authority")
    settings.DECISION_SIGNING_P12 = str(path)
    settings.DECISION_SIGNING_PASSWORD = "s3cret"
    assert signer_name(sign_pdf(a_pdf(), reason="first")) == "First authority"
    before = os.stat(path).st_mtime_ns

    create_self_signed_p12(path, "other", common_name="Second authority")
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))
    settings.DECISION_SIGNING_PASSWORD = "other"

    assert signer_name(sign_pdf(a_pdf(), reason="second")) == "Second authority"


@pytest.mark.parametrize("elliptic", [False, True], ids=["rsa", "ecdsa"])
def test_documents_signed_in_a_row_each_validate_their_own_bytes(settings, tmp_path, elliptic):
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    path = tmp_path / "authority.p12"
    certificate = create_self_signed_p12(
        path, "s3cret", common_name="Permits test authority", elliptic=elliptic
    )
    root = asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
    settings.DECISION_SIGNING_P12 = str(path)
    settings.DECISION_SIGNING_PASSWORD = "s3cret"

    for reason in ("one", "two", "three"):
        signed = sign_pdf(a_pdf(), reason=reason)
        status = validate_pdf_signature(
            PdfFileReader(io.BytesIO(signed)).embedded_signatures[0],
            ValidationContext(trust_roots=[root]),
        )
        assert status.intact and status.valid and status.trusted
