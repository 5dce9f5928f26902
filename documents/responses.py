"""A stored document as a download. Files are only ever served this way, after the caller's
permission check; there is no public media URL."""

from __future__ import annotations

import logging
import unicodedata
from urllib.parse import quote

from django.http import FileResponse, Http404

from .models import Document
from .validation import download_filename

logger = logging.getLogger(__name__)


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
    cached. Http404 if the stored file is missing."""
    try:
        handle = document.file.storage.open(document.file.name, "rb")
    except OSError as exc:
        logger.error("Stored file of document %s is missing: %s", document.public_id, exc)
        raise Http404("No such document.") from exc
    response = FileResponse(handle, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition(
        download_filename(document.original_name, document.content_type)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
