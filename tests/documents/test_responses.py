"""A stored document as a download: attachment, detected content type, nosniff, no-store."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from documents.integrity import MISSING, FileIntegrityError
from documents.responses import content_disposition, document_file_response
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def test_the_response_streams_the_stored_bytes(draft):
    document = DocumentFactory(application=draft)
    with document.file.open("rb") as handle:
        stored = handle.read()

    response = document_file_response(document)

    assert b"".join(response.streaming_content) == stored


def test_the_response_is_an_uncached_attachment_that_may_not_be_sniffed(draft):
    document = DocumentFactory(
        application=draft, content_type="image/png", original_name="scan.pdf"
    )

    response = document_file_response(document)

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="scan.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_a_missing_stored_file_is_refused_as_missing(draft):
    document = DocumentFactory(application=draft)
    document.file.storage.delete(document.file.name)

    with pytest.raises(FileIntegrityError) as refused:
        document_file_response(document)

    assert refused.value.reason == MISSING


def test_a_non_ascii_name_carries_rfc_6266_filename_star():
    name = "Zertifikat Endverbleib – Zürich.pdf"

    assert content_disposition(name) == (
        'attachment; filename="Zertifikat Endverbleib  Zurich.pdf"; '
        "filename*=UTF-8''" + quote(name, safe="")
    )
