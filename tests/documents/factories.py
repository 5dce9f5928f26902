"""Files for the document tests, generated in memory: valid ones and crafted bad ones."""

from __future__ import annotations

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from reportlab.pdfgen import canvas

# The first bytes of real executables: enough for any signature check.
ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
PE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 46 + b"PE\x00\x00"
ZIP_BYTES = (
    b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    b"\x00\x00\x00\x00\x05\x00\x00\x00a.exe"
    b"PK\x01\x02\x14\x00\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    b"\x00\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00a.exe"
    b"PK\x05\x06\x00\x00\x00\x00\x01\x00\x01\x00\x33\x00\x00\x00\x23\x00\x00\x00\x00\x00"
)


def pdf_bytes(text: str = "End-user certificate") -> bytes:
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _write(writer: PdfWriter) -> bytes:
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def plain_pypdf_bytes() -> bytes:
    return _write(_writer())


def pdf_with_javascript() -> bytes:
    """Document-level JavaScript in the catalogue's /Names tree (pypdf's add_open_action)."""
    writer = _writer()
    writer.add_open_action(JavaScript("app.alert('hello');"))
    return _write(writer)


def pdf_with_page_javascript() -> bytes:
    """JavaScript run when the page opens, in the page's /AA dictionary."""
    writer = _writer()
    writer.pages[0][NameObject("/AA")] = DictionaryObject(
        {NameObject("/O"): writer._add_object(JavaScript("app.launchURL('x');"))}
    )
    return _write(writer)


def pdf_with_open_action_javascript() -> bytes:
    writer = _writer()
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    return _write(writer)


def pdf_with_launch_action() -> bytes:
    writer = _writer()
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("cmd.exe"),
        }
    )
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})
    return _write(writer)


def pdf_with_attachment() -> bytes:
    writer = _writer()
    writer.add_attachment("payload.exe", ELF_BYTES)
    return _write(writer)


def encrypted_pdf() -> bytes:
    writer = _writer()
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    return _write(writer)


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, (0, 60, 113)).save(buffer, format=image_format)
    return buffer.getvalue()


def png_bytes() -> bytes:
    return image_bytes("PNG")


def jpeg_bytes() -> bytes:
    return image_bytes("JPEG")


def upload(data: bytes, name: str = "document.pdf", content_type: str = "application/pdf"):
    """An uploaded file as a view would receive it (the browser's content type is not trusted)."""
    return SimpleUploadedFile(name, data, content_type=content_type)


def pdf_with_file_attachment_annotation() -> bytes:
    """A /FileAttachment annotation on the page (no /EmbeddedFiles name tree)."""
    writer = _writer()
    annotation = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/FileAttachment"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (10, 10, 30, 30)]),
            NameObject("/FS"): TextStringObject("payload.exe"),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _write(writer)


def jpeg_with_thumbnail() -> bytes:
    """A JPEG whose EXIF block carries a thumbnail JPEG, end marker included."""
    thumbnail = image_bytes("JPEG", (8, 8))
    exif = Image.Exif()
    exif[0x010F] = "Camera"
    buffer = BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(buffer, format="JPEG", exif=exif.tobytes())
    data = buffer.getvalue()
    # Put the thumbnail inside an APP segment so its own end marker precedes the real one.
    segment = b"\xff\xe2" + (len(thumbnail) + 2).to_bytes(2, "big") + thumbnail
    return data[:2] + segment + data[2:]
