"""PAdES signature of decision documents with the authority's certificate (pyHanko).

The certificate is a PKCS#12 file named by DECISION_SIGNING_P12 with its password in
DECISION_SIGNING_PASSWORD. Without one, documents are produced unsigned (and say so).

With DECISION_TIMESTAMP_URL set, the signature also carries an RFC 3161 timestamp from that
timestamp authority (PAdES B-T): proof of when it was signed that outlives the certificate.
A TSA that does not answer raises an ``OSError`` (pyHanko's ``TimestampRequestError``), which
the document task retries.

Signing is most of a document's CPU time when done naively (issue 14): unpacking the PKCS#12
and sizing the signature placeholder with a dummy signature, for every document. Both are done
once per process instead (``_signer``, ``_bytes_reserved``), keyed by what they depend on, so a
replaced certificate file or a changed setting is picked up by the next document.
"""

from __future__ import annotations

import asyncio
import datetime
import io
import os
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes, select_suitable_signing_md
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko_certvalidator.util import get_pyca_cryptography_hash


def signing_configured() -> bool:
    path = settings.DECISION_SIGNING_P12
    return bool(path) and Path(path).is_file()


_lock = threading.Lock()
# (file, modification time, size, password) -> the loaded signer: one entry per certificate a
# process has used, which is one in production (a few in the tests).
_signers: dict[tuple, KeyLoadedSigner] = {}
# (signer key, digest algorithm, timestamp URL) -> bytes reserved for the signature container.
_reserved: dict[tuple, int] = {}


class KeyLoadedSigner(signers.SimpleSigner):
    """pyHanko's ``SimpleSigner`` with the private key parsed once. The stock ``sign_raw``
    turns the stored key back into DER and parses it (checking the RSA key) for every
    signature, about half the CPU of signing a licence; the key does not change between
    documents. Mechanisms other than PKCS#1 v1.5 and ECDSA go to pyHanko unchanged."""

    def __init__(self, loaded: signers.SimpleSigner) -> None:
        super().__init__(
            signing_cert=loaded.signing_cert,
            signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
            signature_mechanism=loaded.signature_mechanism,
        )
        self._private_key = serialization.load_der_private_key(
            loaded.signing_key.dump(), password=None
        )

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algorithm = mechanism.signature_algo
        except ValueError:
            algorithm = mechanism["algorithm"].native
        key = self._private_key
        if algorithm == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if algorithm == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        return super().sign_raw(data, digest_algorithm)


def _signer_key() -> tuple:
    path = settings.DECISION_SIGNING_P12
    stat = os.stat(path)
    return (str(path), stat.st_mtime_ns, stat.st_size, settings.DECISION_SIGNING_PASSWORD)


def _signer(key: tuple | None = None) -> KeyLoadedSigner:
    key = key or _signer_key()
    with _lock:
        signer = _signers.get(key)
        if signer is None:
            password = key[3]
            loaded = signers.SimpleSigner.load_pkcs12(
                pfx_file=key[0], passphrase=password.encode() if password else None
            )
            if loaded is None:
                raise RuntimeError(
                    "The signing certificate could not be loaded: check its password."
                )
            signer = KeyLoadedSigner(loaded)
            _signers.clear()  # a replaced file or password: the old signer is not used again
            _reserved.clear()
            _signers[key] = signer
    return signer


def _bytes_reserved(
    key: tuple,
    signer: signers.SimpleSigner,
    md_algorithm: str,
    timestamper: RequestsHTTPTimeStamper | None,
) -> int:
    """The room for the signature container, as pyHanko's own estimate computes it (a dry-run
    signature, plus half again as margin for a TSA's answer), made once for the signer, digest
    algorithm and TSA instead of before every signature. The dry run's size does not depend on
    the document: its digest, reason and signing time have a fixed length."""
    cache_key = (key, md_algorithm, settings.DECISION_TIMESTAMP_URL)
    with _lock:
        reserved = _reserved.get(cache_key)
    if reserved is not None:
        return reserved
    digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm)).finalize()
    dummy = asyncio.run(
        signer.async_sign(
            digest,
            md_algorithm,
            dry_run=True,
            use_pades=True,
            timestamper=timestamper,
            signed_attr_settings=PdfCMSSignedAttributes(
                signing_time=datetime.datetime.now(datetime.UTC)
            ),
        )
    )
    length = len(dummy.dump()) * 2  # embedded as a hexadecimal string
    reserved = length + 2 * (length // 4)
    with _lock:
        _reserved[cache_key] = reserved
    return reserved


def _timestamper() -> RequestsHTTPTimeStamper | None:
    url = settings.DECISION_TIMESTAMP_URL
    if not url:
        return None
    return RequestsHTTPTimeStamper(url, timeout=settings.DECISION_TIMESTAMP_TIMEOUT_SECONDS)


def sign_pdf(data: bytes, *, reason: str) -> bytes:
    key = _signer_key()
    signer = _signer(key)
    timestamper = _timestamper()
    # The digest pyHanko would choose for this key anyway, named so the size estimate uses it.
    md_algorithm = select_suitable_signing_md(signer.signing_cert.public_key)
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    metadata = signers.PdfSignatureMetadata(
        field_name="BrusselsInternational",
        reason=reason,
        location="Brussels",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm=md_algorithm,
    )
    output = signers.sign_pdf(
        writer,
        metadata,
        signer=signer,
        timestamper=timestamper,
        bytes_reserved=_bytes_reserved(key, signer, md_algorithm, timestamper),
    )
    return output.getvalue()


def create_self_signed_p12(
    path: Path, password: str, *, common_name: str, elliptic: bool = False
) -> x509.Certificate:
    """A self-signed certificate for the demo and the tests; never for production. RSA 2048,
    or P-256 with ``elliptic``."""
    key = (
        ec.generate_private_key(ec.SECP256R1())
        if elliptic
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
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
