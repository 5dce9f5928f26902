"""Upload checks on the bytes of a file, rule by rule."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from documents.validation import (
    download_filename,
    sanitise_filename,
    validate_document,
)
from tests.documents import factories as files


def refusal_code(data: bytes) -> str:
    with pytest.raises(ValidationError) as excinfo:
        validate_document(data)
    return excinfo.value.code


def test_a_pdf_is_accepted_as_application_pdf():
    assert validate_document(files.pdf_bytes()) == "application/pdf"


def test_a_pdf_written_by_pypdf_is_accepted():
    assert validate_document(files.plain_pypdf_bytes()) == "application/pdf"


def test_a_png_is_accepted_as_image_png():
    assert validate_document(files.png_bytes()) == "image/png"


def test_a_jpeg_is_accepted_as_image_jpeg():
    assert validate_document(files.jpeg_bytes()) == "image/jpeg"


def test_a_zero_byte_file_is_refused_as_empty():
    assert refusal_code(b"") == "empty"


def test_a_file_over_the_size_setting_is_refused_as_too_large(settings):
    data = files.png_bytes()
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = len(data) - 1

    assert refusal_code(data) == "too_large"


def test_a_file_at_the_size_setting_is_accepted(settings):
    data = files.png_bytes()
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = len(data)

    assert validate_document(data) == "image/png"


def test_an_elf_executable_is_refused_as_unsupported_type():
    assert refusal_code(files.ELF_BYTES) == "unsupported_type"


def test_a_windows_executable_is_refused_as_unsupported_type():
    assert refusal_code(files.PE_BYTES) == "unsupported_type"


def test_plain_text_is_refused_as_unsupported_type():
    assert refusal_code(b"just some text, not a document\n") == "unsupported_type"


def test_the_unsupported_type_message_names_what_the_bytes_are():
    with pytest.raises(ValidationError) as excinfo:
        validate_document(files.ELF_BYTES)

    assert "application/x-executable" in excinfo.value.messages[0]


def test_a_pdf_header_not_at_offset_zero_is_refused():
    assert refusal_code(b"\n\n  junk  \n" + files.pdf_bytes()) == "pdf_header_offset"


def test_a_pdf_with_a_zip_header_prepended_is_refused_as_polyglot():
    assert refusal_code(files.ZIP_BYTES[:30] + files.pdf_bytes()) == "polyglot"


def test_a_pdf_with_an_executable_header_prepended_is_refused_as_polyglot():
    assert refusal_code(files.PE_BYTES + files.pdf_bytes()) == "polyglot"


def test_a_jpeg_with_a_zip_appended_is_refused_as_polyglot():
    assert refusal_code(files.jpeg_bytes() + files.ZIP_BYTES) == "polyglot"


def test_a_png_with_a_pdf_appended_is_refused_as_polyglot():
    assert refusal_code(files.png_bytes() + files.pdf_bytes()) == "polyglot"


def test_a_pdf_with_a_zip_appended_is_refused_as_polyglot():
    assert refusal_code(files.pdf_bytes() + files.ZIP_BYTES) == "polyglot"


def test_a_pdf_with_a_zip_hidden_before_a_final_eof_marker_is_refused_as_polyglot():
    assert refusal_code(files.pdf_bytes() + files.ZIP_BYTES + b"\n%%EOF\n") == "polyglot"


def test_a_png_with_bytes_after_iend_is_refused_as_trailing_data():
    assert refusal_code(files.png_bytes() + b"MZ\x90\x00payload") == "trailing_data"


def test_a_jpeg_with_bytes_after_its_end_marker_is_refused_as_trailing_data():
    assert refusal_code(files.jpeg_bytes() + b"\x7fELF payload") == "trailing_data"


def test_a_pdf_with_data_after_its_last_eof_marker_is_refused_as_trailing_data():
    assert refusal_code(files.pdf_bytes() + b"<script>alert(1)</script>") == "trailing_data"


def test_whitespace_after_the_last_eof_marker_is_accepted():
    assert validate_document(files.pdf_bytes() + b"\r\n\n") == "application/pdf"


def test_a_pdf_that_does_not_parse_is_refused_as_unreadable():
    assert refusal_code(b"%PDF-1.7\nthis is not a PDF body at all\n%%EOF\n") == "pdf_unreadable"


def test_a_truncated_pdf_is_refused_as_unreadable():
    assert refusal_code(files.pdf_bytes()[:-100]) == "pdf_unreadable"


def test_an_encrypted_pdf_is_refused():
    assert refusal_code(files.encrypted_pdf()) == "pdf_encrypted"


def test_a_pdf_with_document_level_javascript_is_refused():
    assert refusal_code(files.pdf_with_javascript()) == "pdf_javascript"


def test_a_pdf_with_javascript_in_its_open_action_is_refused():
    assert refusal_code(files.pdf_with_open_action_javascript()) == "pdf_javascript"


def test_a_pdf_with_javascript_in_a_page_additional_action_is_refused():
    assert refusal_code(files.pdf_with_page_javascript()) == "pdf_javascript"


def test_a_pdf_with_a_launch_action_is_refused():
    assert refusal_code(files.pdf_with_launch_action()) == "pdf_launch"


def test_a_pdf_with_an_embedded_file_is_refused():
    assert refusal_code(files.pdf_with_attachment()) == "pdf_embedded_file"


def test_a_pdf_with_a_file_attachment_annotation_is_refused():
    assert refusal_code(files.pdf_with_file_attachment_annotation()) == "pdf_embedded_file"


def test_a_truncated_jpeg_is_refused_as_invalid_image():
    assert refusal_code(files.jpeg_bytes()[:-40]) == "image_invalid"


def test_a_png_with_a_corrupt_chunk_is_refused_as_invalid_image():
    data = bytearray(files.png_bytes())
    data[40] ^= 0xFF  # inside IDAT: its CRC no longer matches

    assert refusal_code(bytes(data)) == "image_invalid"


def test_an_image_with_too_many_pixels_is_refused(monkeypatch):
    monkeypatch.setattr("documents.validation.MAX_IMAGE_PIXELS", 100)

    assert refusal_code(files.png_bytes()) == "image_too_large"


def test_a_jpeg_with_an_exif_thumbnail_is_accepted():
    assert validate_document(files.jpeg_with_thumbnail()) == "image/jpeg"


# --- File names -----------------------------------------------------------------------------


def test_sanitise_filename_strips_path_parts():
    assert sanitise_filename("../../etc/passwd") == "passwd"
    assert sanitise_filename("C:\\Users\\x\\scan.pdf") == "scan.pdf"


def test_sanitise_filename_strips_fullwidth_path_separators():
    assert sanitise_filename("..／..／evil.pdf") == "evil.pdf"


def test_sanitise_filename_removes_control_and_bidi_characters():
    assert sanitise_filename("invoice\x00\x1b\u202egpj.exe") == "invoicegpj.exe"


def test_sanitise_filename_normalises_unicode():
    assert sanitise_filename("Ze\u0301bre.pdf") == "Zébre.pdf"


def test_sanitise_filename_replaces_dangerous_characters():
    assert sanitise_filename('a<b>c:"d|e?*;$`.pdf') == "a_b_c__d_e_____.pdf"


def test_sanitise_filename_caps_the_length_and_keeps_the_extension():
    name = sanitise_filename("x" * 500 + ".pdf")

    assert len(name) == 150 and name.endswith(".pdf")


def test_sanitise_filename_never_returns_an_empty_or_hidden_name():
    assert sanitise_filename("") == "document"
    assert sanitise_filename("...") == "document"
    assert sanitise_filename(".htaccess") == "htaccess"


def test_sanitise_filename_defuses_windows_device_names():
    assert sanitise_filename("CON.pdf") == "_CON.pdf"


def test_download_filename_takes_the_extension_of_the_stored_type():
    assert download_filename("scan.pdf", "image/png") == "scan.png"
    assert download_filename("photo.JPEG", "image/jpeg") == "photo.JPEG"
    assert download_filename("certificate", "application/pdf") == "certificate.pdf"
