"""The signature carries an RFC 3161 timestamp from the configured authority, here a real
one on loopback: pyHanko's DummyTimeStamper answering RFC 3161 requests over HTTP."""

from __future__ import annotations

import datetime
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from permits.decisions import generation
from permits.decisions.rendering import render_decision
from permits.decisions.signing import create_self_signed_p12
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db


def _tsa_certificate():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test timestamp authority")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    return (
        asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER)),
        asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        ),
    )


@pytest.fixture
def tsa(settings):
    certificate, key = _tsa_certificate()
    stamper = DummyTimeStamper(tsa_cert=certificate, tsa_key=key)
    requests_seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            requests_seen.append(self.headers["Content-Type"])
            answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.DECISION_TIMESTAMP_URL = f"http://127.0.0.1:{server.server_address[1]}/"
    yield certificate, requests_seen
    server.shutdown()
    server.server_close()


@pytest.fixture
def signing(settings, tmp_path):
    path = tmp_path / "authority.p12"
    certificate = create_self_signed_p12(path, "s3cret", common_name="Permits test authority")
    settings.DECISION_SIGNING_P12 = str(path)
    settings.DECISION_SIGNING_PASSWORD = "s3cret"
    return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))


def test_the_signed_licence_carries_a_valid_rfc3161_timestamp(
    organisation, applicant, case_manager, head, signing, tsa
):
    tsa_certificate, requests_seen = tsa
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "issued",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )

    document = generation.decision_document_generate(decision_id=application.decision.pk)
    signature = PdfFileReader(io.BytesIO(document.file.read())).embedded_signatures[0]
    status = validate_pdf_signature(
        signature,
        ValidationContext(trust_roots=[signing]),
        ts_validation_context=ValidationContext(trust_roots=[tsa_certificate]),
    )

    # pyHanko asks once to size the signature, once to sign: both went to the TSA.
    assert requests_seen and set(requests_seen) == {"application/timestamp-query"}
    assert status.intact and status.valid and status.trusted
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.trusted


def test_the_unsigned_rendering_is_unchanged_by_the_timestamp(
    organisation, applicant, case_manager, head, signing, tsa
):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "issued",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )
    document = generation.decision_document_generate(decision_id=application.decision.pk)

    assert document.unsigned_sha256 == generation.sha256_hex(
        render_decision(application.decision, signed=True)
    )
