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

Without a timestamp authority, the signature is then written without pyHanko's PDF writer and
CMS assembly (``_sign_incremental``): pyHanko builds the same CMS structure for every document
with asn1crypto (≈ 13 ms), and only two values in it change, the digest of the signed bytes
and the signature over the signed attributes. pyHanko signs once per certificate to give the
template (``_cms_template``), which is checked to reassemble into pyHanko's exact bytes before
it is used; each document then gets its incremental update (signature field, widget, page and
catalog) written directly, the same objects pyHanko writes. A PDF of another shape than
reportlab's (an xref stream, an earlier update, a page that already has annotations) goes to
pyHanko, as does every signature with a timestamp.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import io
import os
import re
import threading
from dataclasses import dataclass
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
# (signer key, digest algorithm) -> the CMS template, or None where pyHanko's CMS cannot be
# reassembled from one (then pyHanko signs every document).
_templates: dict[tuple, _CmsTemplate | None] = {}
FIELD_NAME = "BrusselsInternational"
LOCATION = "Brussels"


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
            _templates.clear()
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
    reserved = _bytes_reserved(key, signer, md_algorithm, timestamper)
    if timestamper is None:
        template = _cms_template(key, signer, md_algorithm)
        if template is not None:
            signed = _sign_incremental(
                data, reason=reason, signer=signer, template=template, reserved=reserved
            )
            if signed is not None:
                return signed
    return _sign_with_pyhanko(
        data,
        reason=reason,
        signer=signer,
        md_algorithm=md_algorithm,
        timestamper=timestamper,
        reserved=reserved,
    )


def _sign_with_pyhanko(
    data: bytes,
    *,
    reason: str,
    signer: signers.Signer,
    md_algorithm: str,
    timestamper: RequestsHTTPTimeStamper | None,
    reserved: int,
) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=reason,
        location=LOCATION,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm=md_algorithm,
    )
    output = signers.sign_pdf(
        writer, metadata, signer=signer, timestamper=timestamper, bytes_reserved=reserved
    )
    return output.getvalue()


# --- The signature without pyHanko's writer: a CMS template and a direct incremental update ---


def _der(tag: int, content: bytes) -> bytes:
    """One DER element: tag, definite length, content."""
    size = len(content)
    if size < 0x80:
        return bytes((tag, size)) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(length))) + length + content


_OID_SIGNED_DATA = bytes.fromhex("06092a864886f70d010702")  # 1.2.840.113549.1.7.2
# What pyHanko puts in a PAdES signature's signed attributes without a timestamp; anything
# else (a signing time, a policy) and the template is not used.
_TEMPLATE_ATTRIBUTES = {
    "content_type",
    "message_digest",
    "signing_certificate_v2",
    "signing_certificate",
    "cms_algorithm_protection",
}


@dataclass(frozen=True)
class _CmsTemplate:
    """pyHanko's CMS SignedData for one signer and digest algorithm, as the constant DER
    around the two values that change per document."""

    md_algorithm: str
    signed_data_head: bytes  # version, digest algorithms, encapsulated content, certificates
    signer_info_head: bytes  # version, signer identifier, digest algorithm
    signed_attrs: bytes  # the attributes' DER, the message digest at digest_at
    digest_at: int
    signature_algorithm: bytes

    def build(self, digest: bytes, sign_raw) -> bytes:
        at = self.digest_at
        attrs = self.signed_attrs[:at] + digest + self.signed_attrs[at + len(digest) :]
        # The signature covers the attributes as a SET (RFC 5652, 5.4); they are stored [0].
        signature = sign_raw(_der(0x31, attrs), self.md_algorithm)
        signer_info = _der(
            0x30,
            self.signer_info_head
            + _der(0xA0, attrs)
            + self.signature_algorithm
            + _der(0x04, signature),
        )
        signed_data = _der(0x30, self.signed_data_head + _der(0x31, signer_info))
        return _der(0x30, _OID_SIGNED_DATA + _der(0xA0, signed_data))


def _cms_template(key: tuple, signer: signers.Signer, md_algorithm: str) -> _CmsTemplate | None:
    cache_key = (key, md_algorithm)
    with _lock:
        if cache_key in _templates:
            return _templates[cache_key]
    template = _make_template(signer, md_algorithm)
    with _lock:
        _templates[cache_key] = template
    return template


def _make_template(signer: signers.Signer, md_algorithm: str) -> _CmsTemplate | None:
    """pyHanko signs a known digest once; the template is its CMS cut around that digest and
    the signature value. It is used only if it rebuilds pyHanko's CMS byte for byte (with
    pyHanko's own signature value), so a pyHanko that assembles differently falls back."""
    digest = hashlib.new(md_algorithm, b"Brussels International CMS template").digest()
    cms = asyncio.run(signer.async_sign(digest, md_algorithm, use_pades=True))
    signed_data = cms["content"]
    if len(signed_data["signer_infos"]) != 1 or signed_data["crls"].native:
        return None
    info = signed_data["signer_infos"][0]
    if info["unsigned_attrs"].native:
        return None
    attributes = info["signed_attrs"]
    if {attribute["type"].native for attribute in attributes} - _TEMPLATE_ATTRIBUTES:
        return None
    content = attributes.contents
    if content.count(digest) != 1:
        return None
    template = _CmsTemplate(
        md_algorithm=md_algorithm,
        signed_data_head=b"".join(
            signed_data[name].dump()
            for name in ("version", "digest_algorithms", "encap_content_info", "certificates")
        ),
        signer_info_head=b"".join(
            info[name].dump() for name in ("version", "sid", "digest_algorithm")
        ),
        signed_attrs=content,
        digest_at=content.index(digest),
        signature_algorithm=info["signature_algorithm"].dump(),
    )
    pyhanko_signature = info["signature"].native
    rebuilt = template.build(digest, lambda data, algorithm: pyhanko_signature)
    return template if rebuilt == cms.dump() else None


_TRAILER = re.compile(
    rb"\nxref\n0 (\d+)\n((?:\d{10} \d{5} [fn] ?\r?\n)+)trailer\s*<<(.*?)>>\s*"
    rb"startxref\s*(\d+)\s*%%EOF\s*$",
    re.S,
)
_OBJECT = re.compile(rb"(\d+) 0 obj\s*(<<.*>>)\s*endobj", re.S)


def _reference(dictionary: bytes, name: bytes) -> int | None:
    found = re.search(rb"/" + name + rb"\s+(\d+)\s+0\s+R", dictionary)
    return int(found.group(1)) if found else None


def _pdf_text(value: str) -> bytes:
    """A PDF text string: literal if printable ASCII, else UTF-16BE with its mark."""
    if value.isascii() and value.isprintable():
        escaped = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("ascii") + b")"
    return b"<feff" + value.encode("utf-16-be").hex().encode("ascii") + b">"


def _sign_incremental(
    data: bytes,
    *,
    reason: str,
    signer: signers.Signer,
    template: _CmsTemplate,
    reserved: int,
) -> bytes | None:
    """``data`` (a PDF as reportlab writes it: one revision, a classic xref table) with an
    incremental update adding the signature, or None for any other shape of file.

    The update holds what pyHanko's writer adds for an invisible PAdES signature: the first
    page again with the widget in /Annots, the catalog again with /AcroForm and the ESIC
    extension, the form, the field (merged with its widget) and the signature dictionary,
    whose /Contents is hexadecimal padded with zeros to ``reserved`` digits and whose
    /ByteRange covers the whole file but /Contents."""
    trailer = _TRAILER.search(data, max(0, len(data) - 1_000_000))
    if trailer is None or int(trailer.group(4)) != trailer.start() + 1:
        return None
    size = int(trailer.group(1))
    table = trailer.group(2)
    if len(table) != 20 * size:
        return None
    dictionary = trailer.group(3)
    root, info = _reference(dictionary, b"Root"), _reference(dictionary, b"Info")
    identifier = re.search(rb"/ID\s*\[\s*<([0-9a-fA-F]+)>", dictionary)
    if (
        root is None
        or re.search(rb"/Size\s+(\d+)", dictionary)[1] != str(size).encode()
        or b"/Prev" in dictionary
        or b"/Encrypt" in dictionary
    ):
        return None

    def body(number: int) -> bytes | None:
        if not 0 < number < size or table[20 * number + 17 : 20 * number + 18] != b"n":
            return None
        offset = int(table[20 * number : 20 * number + 10])
        end = data.find(b"endobj", offset)
        found = _OBJECT.fullmatch(data, offset, end + 6) if end > 0 else None
        if found is None or int(found.group(1)) != number:
            return None
        return found.group(2)

    catalog = body(root)
    pages_number = _reference(catalog, b"Pages") if catalog else None
    pages = body(pages_number) if pages_number else None
    kids = re.search(rb"/Kids\s*\[\s*(\d+)\s+0\s+R", pages) if pages else None
    page_number = int(kids.group(1)) if kids else 0
    page = body(page_number) if page_number else None
    if (
        page is None
        or not re.search(rb"/Type\s*/Page(?![A-Za-z])", page)
        or b"/Annots" in page
        or re.search(rb"/(AcroForm|Extensions|Version|Perms|DSS)\b", catalog)
    ):
        return None

    form, field, signature = size, size + 1, size + 2
    now = datetime.datetime.now(datetime.UTC).strftime("D:%Y%m%d%H%M%S+00'00'")
    objects = {
        page_number: page[:-2] + b"/Annots [ %d 0 R ]\n>>" % field,
        root: catalog[:-2]
        + b"/AcroForm %d 0 R\n/Extensions <<\n/ESIC <<\n/Type /DeveloperExtensions\n"
        b"/BaseVersion /1.7\n/ExtensionLevel 1\n>>\n>>\n/Version /1.7\n>>" % form,
        form: b"<<\n/Fields [ %d 0 R ]\n/SigFlags 3\n>>" % field,
        field: b"<<\n/FT /Sig\n/T %s\n/Type /Annot\n/Subtype /Widget\n/F 132\n"
        b"/Rect [ 0 0 0 0 ]\n/P %d 0 R\n/V %d 0 R\n>>"
        % (_pdf_text(FIELD_NAME), page_number, signature),
    }
    placeholder = b"[0 0000000000 0000000000 0000000000]"
    signature_head = (
        b"<<\n/Type /Sig\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.CAdES.detached\n"
        b"/M %s\n/Location %s\n/Reason %s\n/ByteRange %s\n/Contents <"
        % (_pdf_text(now), _pdf_text(LOCATION), _pdf_text(reason), placeholder)
    )
    parts = [data]
    position = len(data)
    offsets = {}
    for number in sorted(objects):
        offsets[number] = position
        chunk = b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
        parts.append(chunk)
        position += len(chunk)
    offsets[signature] = position
    head = b"%d 0 obj\n" % signature + signature_head
    contents_at = position + len(head) - 1  # the "<"
    contents_end = contents_at + reserved + 2  # after the ">"
    tail = b">\n>>\nendobj\n"
    xref_at = contents_end + len(tail) - 1
    xref = [b"xref\n0 1\n0000000000 65535 f \n"]
    for number in sorted(offsets):
        xref.append(b"%d 1\n%010d 00000 n \n" % (number, offsets[number]))
    old_id = identifier.group(1) if identifier else os.urandom(16).hex().encode()
    trailer_text = b"trailer\n<<\n/Size %d\n/Root %d 0 R\n%s/ID [ <%s> <%s> ]\n/Prev %d\n>>\n" % (
        size + 3,
        root,
        b"/Info %d 0 R\n" % info if info is not None else b"",
        old_id,
        os.urandom(16).hex().encode(),
        int(trailer.group(4)),
    )
    end = b"".join(xref) + trailer_text + b"startxref\n%d\n%%%%EOF\n" % xref_at
    total = contents_end + len(tail) - 1 + len(end)
    byte_range = b"[0 %d %d %d]" % (contents_at, contents_end, total - contents_end)
    head = head.replace(placeholder, byte_range.ljust(len(placeholder)))
    # Signed: everything but /Contents' hexadecimal string, its delimiters included.
    before = b"".join(parts) + head[:-1]
    after = tail[1:] + end
    if len(before) != contents_at or contents_end + len(after) != total:
        return None
    digest = hashlib.new(template.md_algorithm, before)
    digest.update(after)
    cms = template.build(digest.digest(), signer.sign_raw).hex().encode()
    if len(cms) > reserved:
        return None
    return b"".join((before, b"<", cms, b"0" * (reserved - len(cms)), b">", after))


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
