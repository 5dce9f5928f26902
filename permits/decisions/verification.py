"""What the public verification page may reveal about a licence or a decision document."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from documents.models import Document
from permits.models import Licence


@dataclass(frozen=True)
class LicenceStatus:
    number: str
    status: str  # valid, expired, suspended, exhausted, revoked, replaced
    holder: str
    valid_from: date
    valid_until: date
    document_sha256: str
    replaced_by: str = ""  # the successor's number when the status is "replaced"


@dataclass(frozen=True)
class DocumentMatch:
    reference: str
    kind: str  # licence or refusal
    sha256: str


def licence_status(number: str, *, today: date | None = None) -> LicenceStatus | None:
    today = today or timezone.localdate()
    licence = (
        Licence.objects.select_related("holder", "application", "replaced_by")
        .filter(number=number.strip().upper())
        .first()
    )
    if licence is None:
        return None
    status = licence.status
    # A licence past its end is expired even before the nightly sweep has run.
    if status == Licence.Status.VALID and licence.valid_until < today:
        status = Licence.Status.EXPIRED
    document = Document.objects.filter(decision__application=licence.application).first()
    return LicenceStatus(
        number=licence.number,
        status=status,
        holder=licence.holder.legal_name,
        valid_from=licence.valid_from,
        valid_until=licence.valid_until,
        document_sha256=document.sha256 if document else "",
        replaced_by=licence.replaced_by.number if licence.replaced_by else "",
    )


def match_document(data: bytes) -> DocumentMatch | None:
    """The decision document these bytes are exactly, if the Region issued them."""
    digest = hashlib.sha256(data).hexdigest()
    document = (
        Document.objects.select_related("decision__application")
        .filter(kind=Document.Kind.DECISION, sha256=digest)
        .first()
    )
    if document is None:
        return None
    decision = document.decision
    return DocumentMatch(
        reference=decision.application.reference,
        kind="licence" if decision.outcome == "granted" else "refusal",
        sha256=digest,
    )
