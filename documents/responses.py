"""A stored document as a download. Files are only ever served this way, after the caller's
permission check; there is no public media URL."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from django.http import FileResponse

from .integrity import verified_open
from .models import Document
from .validation import download_filename


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII ``filename`` and, for other names, RFC 6266 ``filename*``."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = fallback.replace("\\", "_").replace('"', "_").strip(" .")
    if not fallback or fallback.startswith("."):
        fallback = f"document{fallback}"
    header = f'attachment; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def document_file_response(document: Document) -> FileResponse:
    """The stored file as an attachment with its detected content type, ``nosniff`` and never
    cached, served only once its bytes were found to hash to the recorded SHA-256.

    Raises ``integrity.FileIntegrityError`` when the stored file is missing or not the one
    recorded: the caller refuses the download and reports it.
    """
    handle = verified_open(document)
    response = FileResponse(handle, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition(
        download_filename(document.original_name, document.content_type)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
