"""Producing the document of a decision: exactly once, whatever the workers and broker do."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from documents.models import Document
from permits import events, notifications
from permits.models import Decision

from .rendering import render_decision
from .signing import sign_pdf, signing_configured

logger = logging.getLogger(__name__)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decision_document_generate(*, decision_id: int) -> Document:
    """Render, sign and store the decision's document; return the stored one if it exists.

    The decision row is locked while rendering, so two workers handed the same task (a
    redelivery after a crash, or the beat sweep racing the first enqueue) store one document.
    """
    with transaction.atomic():
        decision = (
            Decision.objects.select_for_update()
            .select_related("application__organisation", "decided_by")
            .get(pk=decision_id)
        )
        existing = Document.objects.filter(decision=decision).first()
        if existing is not None:
            return existing
        application = decision.application
        signed = signing_configured()
        unsigned = render_decision(decision, signed=signed)
        data = (
            sign_pdf(unsigned, reason=f"Decision {application.reference}") if signed else unsigned
        )
        number = application.reference
        document = Document(
            application=application,
            kind=Document.Kind.DECISION,
            original_name=f"{number}.pdf",
            content_type="application/pdf",
            size=len(data),
            sha256=sha256_hex(data),
            unsigned_sha256=sha256_hex(unsigned),
            signed=signed,
            decision=decision,
        )
        document.file.save(f"{number}.pdf", ContentFile(data), save=False)
        try:
            document.save()
            record = events.decision_document_stored(application=application, document=document)
            notifications.applicant_notification_enqueue(
                application=application, event="decision_ready", occurrence=record.pk
            )
        except Exception:
            document.file.delete(save=False)
            raise
    return document


def decisions_without_document(*, older_than_minutes: int | None = None) -> QuerySet[Decision]:
    minutes = (
        settings.DECISION_DOCUMENT_GRACE_MINUTES
        if older_than_minutes is None
        else older_than_minutes
    )
    return Decision.objects.filter(
        document__isnull=True, decided_at__lte=timezone.now() - timedelta(minutes=minutes)
    )
