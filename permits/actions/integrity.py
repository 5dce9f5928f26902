"""Stored files that fail their integrity check: recorded on the file's history and reported
to the auditors, once per broken state; and the sweep that re-verifies every stored file.

The file store (``documents.integrity``) says whether a file still has its recorded bytes;
what that means for an application is decided here.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from documents import integrity
from documents.models import Document
from workflow.models import TransitionRecord

from .. import alerts, events
from ._base import application_locked

logger = logging.getLogger(__name__)

DETECTED_BY = ("download", "api_download", "verify", "sweep")


def file_integrity_failure_record(
    *, failure: integrity.FileIntegrityError, detected_by: str
) -> bool:
    """Record ``failure`` on its application's history and alert the auditors, unless this
    very failure (the same document found with the same bytes, or missing) was recorded
    before. True when recorded now.

    Written by the system, whoever's read found it: a download or the public verification
    page refuses the file whatever happens here, and finding the same broken file again
    (another download, the next sweep) neither repeats the history event nor the e-mail.
    """
    if detected_by not in DETECTED_BY:
        raise ValueError(f"Unknown detector {detected_by!r}.")
    document = failure.document
    logger.error("%s (found by %s)", failure, detected_by)
    with transaction.atomic():
        application = application_locked(document.application)
        already = TransitionRecord.objects.filter(
            application=application,
            transition="file_integrity_failed",
            payload__document=str(document.public_id),
            payload__found_sha256=failure.found_sha256,
        ).exists()
        if already:
            return False
        record = events.file_integrity_failed(
            application=application, failure=failure, detected_by=detected_by
        )
        with override(settings.LANGUAGE_CODE):
            subject = _("Stored file failed its integrity check: %(reference)s") % {
                "reference": application.reference or application.url_key
            }
            body = _(
                "Document %(document)s (%(kind)s) of %(reference)s is %(state)s. Recorded "
                "SHA-256: %(expected)s. Found: %(found)s. It is no longer served. Found by: "
                "%(detected_by)s. History record %(record)s."
            ) % {
                "document": document.public_id,
                "kind": document.get_kind_display(),
                "reference": application.reference or application.url_key,
                "state": _("missing from the storage")
                if failure.reason == integrity.MISSING
                else _("not the file that was stored"),
                "expected": failure.expected_sha256,
                "found": failure.found_sha256 or "—",
                "detected_by": detected_by,
                "record": record.pk,
            }
        alerts.auditors_alert(
            subject=subject,
            body=body,
            # Short enough for the outbox's "concerns" column (100): the document's row id and
            # enough of the found hash to tell one forgery of it from the next.
            key=f"file_integrity:{document.pk}:{failure.found_sha256[:16] or 'missing'}",
        )
    return True


def orphan_file_report(*, name: str, removed: bool) -> None:
    """Tell the auditors of a stored file no document row points at, once per file."""
    with override(settings.LANGUAGE_CODE):
        subject = _("Orphan file in the document storage")
        body = (
            _("%(name)s had no document record and was removed.")
            if removed
            else _("%(name)s has no document record.")
        ) % {"name": name}
    # The name's hash, not the name: any length of storage name gives a key the outbox keeps.
    key = f"orphan_file:{hashlib.sha256(name.encode()).hexdigest()[:32]}"
    alerts.auditors_alert(subject=subject, body=body, key=key)


@dataclass
class SweepReport:
    checked: int = 0
    broken: list[integrity.FileIntegrityError] = field(default_factory=list)
    orphans_removed: list[str] = field(default_factory=list)
    orphans_left: list[str] = field(default_factory=list)  # past the grace period, dry run
    orphans_young: list[str] = field(default_factory=list)  # maybe still being written

    @property
    def clean(self) -> bool:
        """No broken file and no orphan past its grace period."""
        return not self.broken and not self.orphans_removed and not self.orphans_left


def orphan_grace() -> timedelta:
    return timedelta(minutes=settings.DOCUMENTS_ORPHAN_GRACE_MINUTES)


def stored_files_verify(*, dry_run: bool = False, batch_size: int | None = None) -> SweepReport:
    """Re-hash every stored file (supporting documents and decision PDFs), in batches of
    ``batch_size`` rows, and look for files no row points at.

    A broken file is recorded and reported once (``file_integrity_failure_record``); an orphan
    older than ``DOCUMENTS_ORPHAN_GRACE_MINUTES`` is removed and reported, a younger one (a
    render or upload still in flight) is left alone. With ``dry_run`` nothing is written,
    removed or sent: the report only says what was found. Idempotent: a second run finds the
    same broken files and records nothing new.
    """
    size = batch_size or settings.DOCUMENTS_VERIFY_BATCH_SIZE
    report = SweepReport()
    last_pk = 0
    while True:
        batch = list(
            Document.objects.filter(pk__gt=last_pk)
            .select_related("application")
            .order_by("pk")[:size]
        )
        if not batch:
            break
        for document in batch:
            report.checked += 1
            try:
                integrity.document_check(document)
            except integrity.FileIntegrityError as failure:
                report.broken.append(failure)
                if not dry_run:
                    file_integrity_failure_record(failure=failure, detected_by="sweep")
        last_pk = batch[-1].pk

    for orphan in integrity.orphan_files(grace=orphan_grace(), batch_size=size):
        if not orphan.old_enough:
            report.orphans_young.append(orphan.name)
            continue
        if dry_run:
            report.orphans_left.append(orphan.name)
            continue
        logger.error("Orphan file %s removed from the document storage", orphan.name)
        integrity.orphan_remove(orphan.name)
        report.orphans_removed.append(orphan.name)
        orphan_file_report(name=orphan.name, removed=True)
    return report
