"""Reads of supporting documents for a user, through ``permits.rules``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from audit.services import What as ReadWhat
from documents.models import Document
from documents.selectors import document_list
from workflow.roles import is_staff_member

from .rules import can_download_document, can_see_decisions
from .selectors import applications_visible_to


def documents_for(*, user: Any, application: Any) -> QuerySet[Document]:
    """The documents of ``application`` that ``user`` reads: staff all of them, the applicant
    only theirs, decisions and what staff shared with them."""
    documents = document_list(application_id=application.pk, shared_only=not is_staff_member(user))
    if not can_see_decisions(application, user):
        documents = documents.exclude(kind=Document.Kind.DECISION)
    return documents


def supersedable_documents(*, user: Any, application: Any) -> QuerySet[Document]:
    """Current documents ``user`` may replace with a new version (``rules.can_supersede``)."""
    current = Document.objects.filter(application=application, superseded_by__isnull=True).exclude(
        kind=Document.Kind.DECISION
    )
    if is_staff_member(user):
        return current
    return current.filter(uploaded_by__in=application.organisation.members.all())


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


def document_read(document: Document) -> str:
    """How the staff read log names the download of ``document``."""
    return ReadWhat.DECISION_PDF if document.kind == Document.Kind.DECISION else ReadWhat.DOCUMENT
