"""Reads of stored documents by application id. No permission checks here: callers that
serve documents to a user check first which applications that user may see."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from .models import Document


def document_list(*, application_id: int, shared_only: bool = False) -> QuerySet[Document]:
    """All documents of the application, oldest first, superseded ones included; with
    ``shared_only``, only those the applicant reads."""
    documents = Document.objects.filter(application_id=application_id)
    if shared_only:
        documents = documents.filter(shared_with_applicant=True)
    return documents.select_related("uploaded_by", "supersedes", "superseded_by")


def current_document_kinds(*, application_id: int, kinds: Iterable[str]) -> set[str]:
    """Which of ``kinds`` the application carries as a current (not superseded) document."""
    return set(
        Document.objects.filter(
            application_id=application_id, kind__in=list(kinds), superseded_by__isnull=True
        ).values_list("kind", flat=True)
    )
