"""The file store: a checked file becomes a document of an application.

Two steps, so that the bytes are read and checked before the caller takes any lock:
``file_check`` reads an uploaded file and checks it by its bytes, ``document_store`` stores it
as a new ``Document``. Stored files are never overwritten or deleted: every file gets a fresh
random storage name, and a corrected document is a new one that ``supersedes`` the old (both
remain). A refused file stores nothing.

Who may add a document, and when, is not decided here: callers check that first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from . import conf, validation
from .models import Document


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check, ready to be stored."""

    name: str  # the sanitised name its sender gave it
    data: bytes
    content_type: str  # detected from the bytes, whatever the name says
    sha256: str


def file_check(uploaded_file: Any) -> CheckedFile:
    """Read ``uploaded_file`` and check it by its bytes.

    Raises ``ValidationError`` keyed ``file`` (one code per rule, see ``validation``) when the
    file is refused.
    """
    name = validation.sanitise_filename(getattr(uploaded_file, "name", "") or "")
    try:
        data = _read(uploaded_file)
        content_type = validation.validate_document(data)
    except ValidationError as exc:
        raise ValidationError({"file": exc.error_list}) from exc
    return CheckedFile(
        name=name, data=data, content_type=content_type, sha256=hashlib.sha256(data).hexdigest()
    )


def _read(uploaded_file: Any) -> bytes:
    """The file's bytes, refusing an oversize one before and while reading it."""
    limit = conf.max_upload_bytes()
    size = getattr(uploaded_file, "size", None)
    if size is not None:
        validation.validate_size(size)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    chunks = []
    total = 0
    for chunk in uploaded_file.chunks():
        total += len(chunk)
        if total > limit:
            validation.validate_size(total)
        chunks.append(chunk)
    return b"".join(chunks)


def document_store(
    *,
    application: Any,
    kind: str,
    file: CheckedFile,
    uploaded_by: Any,
    supersedes: Document | None = None,
    shared_with_applicant: bool = True,
) -> Document:
    """Store ``file`` as a new document of ``application`` and return it.

    Raises ``ValidationError`` keyed ``kind`` or ``supersedes`` when refused, and stores nothing
    then. Call it inside the caller's transaction; should that transaction fail after this
    returns, the caller removes the file with ``uncommitted_file_remove``.
    """
    if kind not in Document.Kind.values:
        raise ValidationError(
            {"kind": [ValidationError(_("Choose a kind of document."), code="invalid_choice")]}
        )
    document = Document(
        application=application,
        kind=kind,
        original_name=file.name,
        content_type=file.content_type,
        size=len(file.data),
        sha256=file.sha256,
        uploaded_by=uploaded_by,
        shared_with_applicant=shared_with_applicant,
    )
    stored_name = ""
    try:
        with transaction.atomic():
            if supersedes is not None:
                document.supersedes = _supersedable(application, supersedes)
            # The storage name is random (document_path); its extension is the detected type's.
            document.file.save(
                f"document{validation.EXTENSIONS[file.content_type]}",
                ContentFile(file.data),
                save=False,
            )
            stored_name = document.file.name
            document.save()
    except BaseException:
        # The row was not written: the file this call stored must not outlive it.
        if stored_name:
            document.file.storage.delete(stored_name)
        raise
    return document


def uncommitted_file_remove(document: Document) -> None:
    """Remove the stored file of a document whose row was rolled back with its transaction.

    Only for that case: the file of a committed document is never removed.
    """
    if document.file.name:
        document.file.storage.delete(document.file.name)


def _supersedable(application: Any, supersedes: Document) -> Document:
    previous = (
        Document.objects.select_for_update()
        .filter(pk=supersedes.pk, application=application)
        .first()
    )
    if previous is None:
        raise ValidationError(
            {
                "supersedes": [
                    ValidationError(
                        _("Only a document of this application can be replaced."),
                        code="other_application",
                    )
                ]
            }
        )
    if previous.kind == Document.Kind.DECISION:
        raise ValidationError(
            {
                "supersedes": [
                    ValidationError(
                        _("A decision document cannot be replaced by an upload."),
                        code="decision",
                    )
                ]
            }
        )
    if Document.objects.filter(supersedes=previous).exists():
        raise ValidationError(
            {
                "supersedes": [
                    ValidationError(
                        _("This document has already been replaced by a newer one."),
                        code="already_superseded",
                    )
                ]
            }
        )
    return previous
