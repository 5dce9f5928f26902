"""Reads of supporting documents for a user, through ``permits.rules``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

from documents.models import Document

from .rules import can_download_document
from .selectors import applications_visible_to


def document_get_for_download(*, user: Any, public_id: Any) -> Document:
    """The document ``public_id`` if ``user`` may download it; Http404 otherwise, exactly as if
    it did not exist."""
    try:
        document = Document.objects.select_related("application").get(
            public_id=public_id, application__in=applications_visible_to(user)
        )
    except (Document.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404("No such document.") from exc
    if not can_download_document(document, user):
        raise Http404("No such document.")
    return document
