"""What the public verification page may reveal about a licence or a decision document.

Both lookups (a licence number, an uploaded PDF) answer the same facts about a licence: its
current status, holder and validity, and the hash of its issued document.

Neither says "valid" for a licence whose stored document no longer has the bytes recorded
when it was issued (swapped or missing on disk): both then answer ``DocumentUnverifiable``,
which tells the public only that the document could not be verified, while the failure is
recorded on the file's history and reported to the auditors.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from documents import integrity
from documents.models import Document
from permits.actions.integrity import file_integrity_failure_record
from permits.models import Licence


@dataclass(frozen=True)
class DocumentUnverifiable:
    """The licence or decision exists, but its stored document failed its integrity check:
    nothing else is said (no hash, no holder, no status) until the unit has restored it."""

    number: str

    def as_json(self) -> dict[str, Any]:
        return {"number": self.number, "status": "unverifiable"}


def _stored_document_intact(document: Document | None) -> bool:
    """Whether the stored decision document still hashes to its record; a failure is recorded
    and reported (once) before answering no."""
    if document is None:
        return True  # not rendered yet: nothing stored to vouch for or against
    try:
        integrity.document_check(document)
    except integrity.FileIntegrityError as failure:
        file_integrity_failure_record(failure=failure, detected_by="verify")
        return False
    return True


def _decision_document(licence: Licence) -> Document | None:
    return (
        Document.objects.select_related("application")
        .filter(decision__application=licence.application)
        .first()
    )


@dataclass(frozen=True)
class LicenceStatus:
    number: str
    status: str  # a Licence.Status value: valid, expired, suspended, revoked, exhausted, …
    status_label: str
    holder: str
    valid_from: date
    valid_until: date
    document_sha256: str
    replaced_by: str = ""  # the successor's number when the status is "replaced"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["valid_from"] = self.valid_from.isoformat()
        data["valid_until"] = self.valid_until.isoformat()
        return data


@dataclass(frozen=True)
class DocumentMatch:
    reference: str
    kind: str  # licence or refusal
    sha256: str
    licence: LicenceStatus | None  # the licence this document is, as it stands today

    def as_json(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "kind": self.kind,
            "sha256": self.sha256,
            "licence": self.licence.as_json() if self.licence else None,
        }


def _status_of(licence: Licence, today: date) -> LicenceStatus:
    # A licence past its end is expired even before the nightly sweep has run.
    if licence.status == Licence.Status.VALID and licence.valid_until < today:
        licence.status = Licence.Status.EXPIRED
    document = Document.objects.filter(decision__application=licence.application).first()
    return LicenceStatus(
        number=licence.number,
        status=licence.status,
        # Whatever statuses the model knows (a replaced licence too), in the reader's language.
        status_label=str(licence.get_status_display()),
        holder=licence.holder.legal_name,
        valid_from=licence.valid_from,
        valid_until=licence.valid_until,
        document_sha256=document.sha256 if document else "",
        replaced_by=licence.replaced_by.number if licence.replaced_by else "",
    )


def _licence_by_number(number: str) -> Licence | None:
    return (
        Licence.objects.select_related("holder", "application", "replaced_by")
        .filter(number=number.strip().upper())
        .first()
    )


def licence_status(number: str, *, today: date | None = None) -> LicenceStatus | None:
    licence = _licence_by_number(number)
    if licence is None:
        return None
    return _status_of(licence, today or timezone.localdate())


@dataclass(frozen=True)
class LicenceExists:
    """All the bare number tells: a valid licence has this number. Numbers are sequential, so
    the holder, validity and any other status are shown only with the verification code."""

    number: str

    def as_json(self) -> dict[str, Any]:
        return {"number": self.number, "status": "valid"}


def public_lookup(
    number: str, code: str = "", *, today: date | None = None
) -> LicenceStatus | LicenceExists | DocumentUnverifiable | None:
    """What the public verification page answers for ``number``: everything with the right
    code (what the QR code holds); without it, only that a valid licence has this number; and
    for a licence that is not valid, the same as for a number never issued."""
    licence = _licence_by_number(number)
    if licence is None:
        return None
    status = _status_of(licence, today or timezone.localdate())
    given = (code or "").strip().upper()
    if given and hmac.compare_digest(given, licence.verification_code):
        if not _stored_document_intact(_decision_document(licence)):
            return DocumentUnverifiable(number=licence.number)
        return status
    if status.status != Licence.Status.VALID:
        return None
    if not _stored_document_intact(_decision_document(licence)):
        return DocumentUnverifiable(number=licence.number)
    return LicenceExists(number=licence.number)


def match_document(
    data: bytes, *, today: date | None = None
) -> DocumentMatch | DocumentUnverifiable | None:
    """The decision document these bytes are exactly, if the Region issued them, with the
    current status of its licence: a genuine PDF of a revoked licence says revoked. While the
    stored copy fails its integrity check, the record cannot vouch for anything: unverifiable."""
    digest = hashlib.sha256(data).hexdigest()
    document = (
        Document.objects.select_related("decision__application")
        .filter(kind=Document.Kind.DECISION, sha256=digest)
        .first()
    )
    if document is None:
        return None
    decision = document.decision
    if not _stored_document_intact(document):
        return DocumentUnverifiable(number=decision.application.reference)
    granted = decision.outcome == "granted"
    licence = (
        Licence.objects.select_related("holder", "application", "replaced_by")
        .filter(application=decision.application)
        .first()
        if granted
        else None
    )
    return DocumentMatch(
        reference=decision.application.reference,
        kind="licence" if granted else "refusal",
        sha256=digest,
        licence=_status_of(licence, today or timezone.localdate()) if licence else None,
    )
