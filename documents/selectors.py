"""Reads of documents, always through the permission module's rules."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from permits.models import PermitApplication
from permits.rules import can_download_document, visible_applications

from . import conf
from .models import Document


def document_list(*, application: PermitApplication) -> QuerySet[Document]:
    """All documents of ``application``, oldest first, superseded ones included."""
    return Document.objects.filter(application=application).select_related(
        "uploaded_by", "supersedes", "superseded_by"
    )


def document_get_for_download(*, user: Any, public_id: Any) -> Document:
    """The document ``public_id`` if ``user`` may download it; Http404 otherwise, exactly as if
    it did not exist."""
    try:
        document = Document.objects.select_related("application").get(
            public_id=public_id,
            application__in=visible_applications(user, PermitApplication.objects.all()),
        )
    except (Document.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404("No such document.") from exc
    if not can_download_document(document, user):
        raise Http404("No such document.")
    return document


def missing_required_documents(application: PermitApplication) -> list[str]:
    """Kinds of document (``Document.Kind`` values) that ``application`` must still carry, by
    the ``DOCUMENTS_REQUIRED`` table. Only current (not superseded) documents count."""
    required = conf.required_documents().get((application.kind, application.regime), [])
    if not required:
        return []
    present = set(
        Document.objects.filter(
            application=application, kind__in=required, superseded_by__isnull=True
        ).values_list("kind", flat=True)
    )
    return [kind for kind in required if kind not in present]
