"""Producing the document of a decision: exactly once, whatever the workers and broker do."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from documents.integrity import STORE_UNAVAILABLE_ERRORS
from documents.models import Document
from permits import events, notifications
from permits.models import Decision
from permits.selectors import head_of_unit_addresses

from .rendering import LAYOUT_VERSION, decision_render_inputs, render_from_inputs
from .signing import sign_pdf, signing_configured

logger = logging.getLogger(__name__)

# Failures a later attempt may not meet: the database, the disk or the object store, briefly
# away. Anything else (a ValueError from reportlab's paragraph parser, a LayoutError, a bad
# certificate) fails the same way every time: retrying would only loop, so the decision is
# marked failed instead.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    OSError,
    *STORE_UNAVAILABLE_ERRORS,
)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decision_document_generate(*, decision_id: int) -> Document:
    """Render, sign and store the decision's document; return the stored one if it exists.

    The decision row is locked while rendering, so two workers handed the same task (a
    redelivery after a crash, or the beat sweep racing the first enqueue) store one document.
    The file is written under one name per decision (``document_path``), and removed again if
    the transaction does not commit: an attempt that dies leaves at most that one file, which
    the next attempt replaces and the stored-files sweep removes after its grace period.
    """
    stored_name = ""
    try:
        with transaction.atomic():
            decision = decision_locked(decision_id)
            existing = Document.objects.filter(decision=decision).first()
            if existing is not None:
                return existing
            application = decision.application
            signed = signing_configured()
            inputs = decision_render_inputs(decision, signed=signed)
            unsigned = render_from_inputs(inputs)
            data = (
                sign_pdf(unsigned, reason=f"Decision {application.reference}")
                if signed
                else unsigned
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
                render_inputs=inputs,
                layout_version=LAYOUT_VERSION,
            )
            _stale_attempt_remove(document, f"{number}.pdf")
            document.file.save(f"{number}.pdf", ContentFile(data), save=False)
            stored_name = document.file.name
            document.save()
            record = events.decision_document_stored(application=application, document=document)
            notifications.applicant_notification_enqueue(
                application=application, event="decision_ready", occurrence=record.pk
            )
    except BaseException:
        # Nothing committed (a failure, or the commit itself failed): no row points at the file.
        if stored_name:
            document.file.storage.delete(stored_name)
        raise
    return document


def decision_locked(decision_id: int) -> Decision:
    """The decision, its row locked for the render, with what the render reads joined or
    prefetched.

    Only the decision row is locked (``of=("self",)``): it alone serialises two attempts at
    this decision. Without ``of`` PostgreSQL also locks every joined row, the application, its
    organisation and the deciding head's user, for the whole render and sign, and any action
    writing a row that refers to them (the same head approving another file, a new draft of
    the organisation) waits for this task. The application row is locked only at the end, by
    the history event (``transition_record_create``), once the slow render is done.
    """
    return (
        Decision.objects.select_for_update(of=("self",))
        # What the document prints, read with the decision (the licence) or once for all (the
        # parties, which the layout names by role, one role after the other).
        .select_related("application__organisation", "application__licence", "decided_by")
        .prefetch_related("application__parties")
        .get(pk=decision_id)
    )


def _stale_attempt_remove(document: Document, filename: str) -> None:
    """Remove the file an earlier attempt for this decision wrote but never committed. Safe
    under the decision's row lock: no document of this decision exists, so no row points at
    it, and no other attempt is writing it."""
    name = document.file.field.generate_filename(document, filename)
    storage = document.file.storage
    if storage.exists(name) and not Document.objects.filter(file=name).exists():
        logger.warning("Removing %s, left by an earlier attempt that did not commit", name)
        storage.delete(name)


def decision_rerender_compare(*, document: Document) -> RerenderComparison:
    """Render ``document``'s stored inputs again and compare the unsigned bytes' SHA-256
    with the one stored when it was issued. Reads only."""
    if not document.render_inputs:
        return RerenderComparison(
            document=document, stored_sha256=document.unsigned_sha256, rendered_sha256=""
        )
    # The layout the document was issued with: today's layout may draw the same inputs
    # differently (another LAYOUT_VERSION), the stored hash is of the one it was made with.
    rendered = sha256_hex(
        render_from_inputs(document.render_inputs, document.layout_version or "1")
    )
    return RerenderComparison(
        document=document,
        stored_sha256=document.unsigned_sha256,
        rendered_sha256=rendered,
        layout_changed=document.layout_version != LAYOUT_VERSION,
    )


@dataclass(frozen=True)
class RerenderComparison:
    document: Document
    stored_sha256: str
    rendered_sha256: str  # "" when the document has no stored inputs (issued before them)
    layout_changed: bool = False  # stored with another LAYOUT_VERSION than today's

    @property
    def matches(self) -> bool:
        return bool(self.rendered_sha256) and self.rendered_sha256 == self.stored_sha256


def decision_document_produce(*, decision_id: int) -> Document | None:
    """Generate the decision's document; on a failure retrying cannot fix, record it on the
    decision and alert the heads of unit (returns None). Transient failures propagate, for
    the task to retry."""
    try:
        return decision_document_generate(decision_id=decision_id)
    except TRANSIENT_ERRORS:
        raise
    except Exception as error:
        decision_document_fail(decision_id=decision_id, error=error)
        return None


def decision_document_fail(*, decision_id: int, error: BaseException) -> Decision:
    """Mark the decision's document failed, once: an error log and an e-mail to each head of
    unit (outbox, same transaction). Pages and the API then say "document failed"."""
    logger.error(
        "The document of decision %s cannot be rendered: %s: %s",
        decision_id,
        type(error).__name__,
        error,
        exc_info=error,
    )
    with transaction.atomic():
        # The decision row alone serialises marking it failed; the application is only read.
        decision = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("application")
            .get(pk=decision_id)
        )
        if decision.document_failed_at or Document.objects.filter(decision=decision).exists():
            return decision
        decision.document_failed_at = timezone.now()
        decision.document_failure = f"{type(error).__name__}: {error}"[:2000]
        decision.save(update_fields=["document_failed_at", "document_failure"])
        notifications.decision_document_failed_enqueue(
            decision=decision, recipients=head_of_unit_addresses()
        )
    return decision


def decision_document_retry(*, decision: Decision) -> bool:
    """Clear the failure once its cause is fixed (the admin's action): the beat sweep renders
    the document again. False if the decision had not failed."""
    with transaction.atomic():
        locked = Decision.objects.select_for_update().get(pk=decision.pk)
        if locked.document_failed_at is None:
            return False
        locked.document_failed_at = None
        locked.document_failure = ""
        locked.save(update_fields=["document_failed_at", "document_failure"])
    return True


def decisions_without_document(*, older_than_minutes: int | None = None) -> QuerySet[Decision]:
    minutes = (
        settings.DECISION_DOCUMENT_GRACE_MINUTES
        if older_than_minutes is None
        else older_than_minutes
    )
    # A failed document waits for staff (it would fail again): the sweep leaves it alone.
    return Decision.objects.filter(
        document__isnull=True,
        document_failed_at__isnull=True,
        decided_at__lte=timezone.now() - timedelta(minutes=minutes),
    )
