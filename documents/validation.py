"""Checks on an uploaded supporting document, as pure functions over its bytes.

``validate_document(data)`` returns the content type detected from the bytes (PDF, PNG or
JPEG — whatever the file name says) or raises ``ValidationError`` with one code per rule:

``empty``, ``too_large``, ``unsupported_type``, ``pdf_header_offset``, ``polyglot``,
``trailing_data``, ``pdf_unreadable``, ``pdf_encrypted``, ``pdf_javascript``, ``pdf_launch``,
``pdf_embedded_file``, ``image_invalid``, ``image_too_large``.

``sanitise_filename`` and ``download_filename`` clean the name a user gave a file; the stored
file gets a random name anyway (``documents.models.document_path``).
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from io import BytesIO
from pathlib import PurePosixPath

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from . import conf

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg"}
ALLOWED_CONTENT_TYPES = frozenset(EXTENSIONS)

# Larger images are refused before they are decoded (a 600 dpi A4 scan is about 35 Mpx).
MAX_IMAGE_PIXELS = 40_000_000
# A PDF with more objects than this is refused rather than walked.
MAX_PDF_OBJECTS = 200_000
# PDF readers accept the header anywhere in the first 1024 bytes; we accept it only at 0.
PDF_HEADER_WINDOW = 1024
# A ZIP reader looks for the end-of-central-directory record in the last 64 KiB + 22 bytes.
ZIP_EOCD_WINDOW = 65_535 + 22
ZIP_EOCD = b"PK\x05\x06"

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"

# Signatures of archives and executables: a file starting with one of these and also
# carrying a PDF header is a polyglot.
FOREIGN_SIGNATURES = (
    b"PK\x03\x04",  # ZIP (also docx, jar, apk…)
    b"PK\x05\x06",
    b"PK\x07\x08",
    b"MZ",  # Windows PE / DOS executable
    b"\x7fELF",  # ELF
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # script
    b"Rar!",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",  # gzip
)

PDF_WHITESPACE = b"\x00\t\n\x0c\r "
JS_KEYS = frozenset({"/JS", "/JavaScript", "/XFA"})
EMBEDDED_KEYS = frozenset({"/EmbeddedFiles", "/EF", "/RichMedia"})
EMBEDDED_NAMES = frozenset({"/FileAttachment", "/EmbeddedFile", "/GoToE", "/RichMedia"})


def _error(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


# --- Entry point ----------------------------------------------------------------------------


def validate_size(size: int) -> None:
    if size <= 0:
        raise _error(_("The file is empty."), "empty")
    limit = conf.max_upload_bytes()
    if size > limit:
        raise _error(
            _("The file is too large: %(size)s; the maximum is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            "too_large",
        )


def validate_document(data: bytes) -> str:
    """Every check on ``data``; returns its content type (one of ``ALLOWED_CONTENT_TYPES``)."""
    validate_size(len(data))
    content_type = detect_content_type(data)
    if data.rfind(ZIP_EOCD, max(0, len(data) - ZIP_EOCD_WINDOW)) != -1:
        raise _polyglot()
    if content_type == PDF:
        validate_pdf(data)
    elif content_type == PNG:
        validate_png(data)
    else:
        validate_jpeg(data)
    return content_type


def _polyglot() -> ValidationError:
    return _error(
        _(
            "The file is also readable as another kind of file (for example an archive or a "
            "program hidden inside it). Save it again as a plain PDF, PNG or JPEG file."
        ),
        "polyglot",
    )


def _trailing_data() -> ValidationError:
    return _error(
        _(
            "The file has extra data after its end (something appended to it). Save it "
            "again as a plain PDF, PNG or JPEG file."
        ),
        "trailing_data",
    )


# --- Type detection -------------------------------------------------------------------------


def detect_content_type(data: bytes) -> str:
    """The type the bytes say, which must be PDF, PNG or JPEG and start at offset 0."""
    if data.startswith(PDF_MAGIC):
        claimed = PDF
    elif data.startswith(PNG_MAGIC):
        claimed = PNG
    elif data.startswith(JPEG_MAGIC):
        claimed = JPEG
    else:
        claimed = None

    if claimed is None:
        if PDF_MAGIC in data[:PDF_HEADER_WINDOW]:
            if data.startswith(FOREIGN_SIGNATURES):
                raise _polyglot()
            raise _error(
                _("The file's PDF header (%(header)s) must be at its very start.")
                % {"header": PDF_MAGIC.decode()},
                "pdf_header_offset",
            )
        detected = filetype.guess_mime(data[:8192])
        raise _error(
            _(
                "Only PDF, PNG and JPEG files are accepted; the content of this file is "
                "%(detected)s, whatever its name says."
            )
            % {"detected": detected or _("not recognised")},
            "unsupported_type",
        )

    # A second opinion from the filetype library's signatures.
    detected = filetype.guess_mime(data[:8192])
    if detected != claimed:
        raise _error(
            _("The file's content could not be identified as PDF, PNG or JPEG."),
            "unsupported_type",
        )
    if claimed != PDF and PDF_MAGIC in data:
        # PDF readers find a header that is not at offset 0: an image carrying a PDF.
        raise _polyglot()
    return claimed


# --- PDF ------------------------------------------------------------------------------------


def validate_pdf(data: bytes) -> None:
    eof = data.rfind(b"%%EOF")
    if eof == -1:
        raise _error(
            _("The PDF file is incomplete (it has no end-of-file marker)."), "pdf_unreadable"
        )
    if data[eof + len(b"%%EOF") :].strip(PDF_WHITESPACE):
        raise _trailing_data()

    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _error(
                _("The PDF file is encrypted or password-protected; upload it unprotected."),
                "pdf_encrypted",
            )
        if len(reader.pages) == 0:
            raise _error(_("The PDF file has no pages."), "pdf_unreadable")
        findings = _pdf_active_content(reader)
    except ValidationError:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on malformed input
        raise _error(
            _("The PDF file could not be read; it may be damaged."), "pdf_unreadable"
        ) from exc

    if "javascript" in findings:
        raise _error(
            _("The PDF file contains JavaScript, which is not accepted."), "pdf_javascript"
        )
    if "launch" in findings:
        raise _error(
            _("The PDF file contains an action that launches a program, which is not accepted."),
            "pdf_launch",
        )
    if "embedded" in findings:
        raise _error(
            _("The PDF file contains embedded files or attachments, which are not accepted."),
            "pdf_embedded_file",
        )


def _pdf_active_content(reader: PdfReader) -> set[str]:
    """Walk every object of the PDF (reachable from the trailer or listed in its
    cross-reference tables) and report JavaScript, launch actions and embedded files."""
    findings: set[str] = set()
    stack: list = [reader.trailer]
    for generation, entries in reader.xref.items():
        stack.extend(IndirectObject(number, generation, reader) for number in entries)
    stack.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)
    seen: set[tuple[int, int]] = set()

    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_PDF_OBJECTS:
                raise _error(_("The PDF file is too complex to check."), "pdf_unreadable")
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for name, value in dict.items(obj):
                if name in JS_KEYS:
                    findings.add("javascript")
                elif name in EMBEDDED_KEYS:
                    findings.add("embedded")
                if name in ("/S", "/Type", "/Subtype") and isinstance(value, NameObject):
                    if value == "/JavaScript":
                        findings.add("javascript")
                    elif value == "/Launch":
                        findings.add("launch")
                    elif value in EMBEDDED_NAMES:
                        findings.add("embedded")
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return findings


# --- Images ---------------------------------------------------------------------------------


def validate_png(data: bytes) -> None:
    _decode_image(data, "PNG")
    position = len(PNG_MAGIC)
    while True:
        if position + 8 > len(data):
            raise _image_invalid()
        length = int.from_bytes(data[position : position + 4], "big")
        chunk_type = data[position + 4 : position + 8]
        position += 12 + length  # length, type, data, CRC
        if position > len(data):
            raise _image_invalid()
        if chunk_type == b"IEND":
            break
    if position != len(data):
        raise _trailing_data()


def validate_jpeg(data: bytes) -> None:
    _decode_image(data, "JPEG")
    if _jpeg_end(data) != len(data):
        raise _trailing_data()


def _jpeg_end(data: bytes) -> int:
    """The offset just after the JPEG's end-of-image marker, following its segment lengths
    (so an EXIF thumbnail's own end marker is skipped) and entropy-coded scans."""
    size = len(data)
    position = 2  # after SOI
    while position < size:
        if data[position] != 0xFF:
            raise _image_invalid()
        while position < size and data[position] == 0xFF:  # fill bytes
            position += 1
        if position >= size:
            break
        marker = data[position]
        position += 1
        if marker == 0xD9:  # EOI
            return position
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # no length
            continue
        if position + 2 > size:
            break
        length = int.from_bytes(data[position : position + 2], "big")
        if length < 2:
            raise _image_invalid()
        position += length
        if marker == 0xDA:  # start of scan: skip entropy-coded data up to the next marker
            while True:
                found = data.find(b"\xff", position)
                if found == -1 or found + 1 >= size:
                    raise _image_invalid()
                following = data[found + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    position = found + 2
                    continue
                if following == 0xFF:
                    position = found + 1
                    continue
                position = found
                break
    raise _image_invalid()


def _image_invalid() -> ValidationError:
    return _error(_("The image file is damaged or incomplete."), "image_invalid")


def _decode_image(data: bytes, image_format: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=[image_format]) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _error(
                        _("The image is too large (%(width)s × %(height)s pixels).")
                        % {"width": width, "height": height},
                        "image_too_large",
                    )
                image.verify()
            with Image.open(BytesIO(data), formats=[image_format]) as image:
                image.load()
    except ValidationError:
        raise
    except Exception as exc:  # Pillow raises many kinds of errors on malformed input
        raise _image_invalid() from exc


# --- File names -----------------------------------------------------------------------------

_UNSAFE_CHARACTERS = re.compile(r"[<>:\"|?*;&$`'%\\/\x00-\x1f\x7f]")
_WINDOWS_DEVICE = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
MAX_FILENAME_LENGTH = 150


def sanitise_filename(name: str, *, max_length: int = MAX_FILENAME_LENGTH) -> str:
    """A harmless display name for the file a user called ``name``."""
    name = unicodedata.normalize("NFKC", name or "")
    # Path parts, whichever separator the client used (after NFKC, fullwidth ones too).
    name = re.split(r"[/\\]", name)[-1]
    # Control, format (e.g. right-to-left override), private-use and unassigned characters.
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = _UNSAFE_CHARACTERS.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        name = "document"
    if _WINDOWS_DEVICE.match(name):
        name = f"_{name}"
    stem, suffix = _split_suffix(name)
    return stem[: max(1, max_length - len(suffix))] + suffix


def _split_suffix(name: str) -> tuple[str, str]:
    suffix = PurePosixPath(name).suffix
    if not suffix or len(suffix) > 10 or suffix == name:
        return name, ""
    return name[: -len(suffix)], suffix


def download_filename(original_name: str, content_type: str) -> str:
    """The sanitised name with the extension of the stored content type."""
    stem, suffix = _split_suffix(sanitise_filename(original_name))
    extension = EXTENSIONS.get(content_type, "")
    if suffix.lower() in ({extension, ".jpeg"} if content_type == JPEG else {extension}):
        return stem + suffix
    return stem + extension
