"""PAdES signature of decision documents with the authority's certificate (pyHanko).

The certificate is a PKCS#12 file named by DECISION_SIGNING_P12 with its password in
DECISION_SIGNING_PASSWORD. Without one, documents are produced unsigned (and say so).

With DECISION_TIMESTAMP_URL set, the signature also carries an RFC 3161 timestamp from that
timestamp authority (PAdES B-T): proof of when it was signed that outlives the certificate.
A TSA that does not answer raises an ``OSError`` (pyHanko's ``TimestampRequestError``), which
the document task retries.
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper


def signing_configured() -> bool:
    path = settings.DECISION_SIGNING_P12
    return bool(path) and Path(path).is_file()


def _signer() -> signers.SimpleSigner:
    password = settings.DECISION_SIGNING_PASSWORD
    signer = signers.SimpleSigner.load_pkcs12(
        pfx_file=settings.DECISION_SIGNING_P12,
        passphrase=password.encode() if password else None,
    )
    if signer is None:
        raise RuntimeError("The signing certificate could not be loaded: check its password.")
    return signer


def _timestamper() -> RequestsHTTPTimeStamper | None:
    url = settings.DECISION_TIMESTAMP_URL
    if not url:
        return None
    return RequestsHTTPTimeStamper(url, timeout=settings.DECISION_TIMESTAMP_TIMEOUT_SECONDS)


def sign_pdf(data: bytes, *, reason: str) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    metadata = signers.PdfSignatureMetadata(
        field_name="BrusselsInternational",
        reason=reason,
        location="Brussels",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    output = signers.sign_pdf(writer, metadata, signer=_signer(), timestamper=_timestamper())
    return output.getvalue()


def create_self_signed_p12(path: Path, password: str, *, common_name: str) -> x509.Certificate:
    """A self-signed certificate for the demo and the tests; never for production."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Brussels International (demo)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name=common_name.encode(),
            key=key,
            cert=certificate,
            cas=None,
            encryption_algorithm=serialization.BestAvailableEncryption(password.encode()),
        )
    )
    return certificate
