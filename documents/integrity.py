"""Stored files checked against the SHA-256 recorded when they were written.

A file is served only after its bytes were hashed and found equal to the recorded hash, and
the bytes served are the very bytes hashed: the stored file is copied while hashing into a
spooled temporary file (in memory up to ``SPOOL_MEMORY_BYTES``, on disk beyond), which is then
served. A file swapped on disk between the check and the download cannot slip through, and a
20 MB file is read once and never held in memory whole.

This module knows files and hashes only; what a mismatch means for an application (its
history, the alert) is the caller's.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO

from botocore.exceptions import BotoCoreError, ClientError
from django.utils import timezone

from .models import Document

CHUNK_BYTES = 64 * 1024
SPOOL_MEMORY_BYTES = 1024 * 1024
# Every stored file lives under this folder of the storage (see models.document_path).
STORAGE_ROOT = "applications"

MISSING = "missing"
MISMATCH = "mismatch"


# What an object store that cannot be reached (or refuses us) raises; a missing object is a
# FileNotFoundError like a missing file on disk (django-storages turns the 404 into one).
STORE_UNAVAILABLE_ERRORS = (BotoCoreError, ClientError)


class StorageUnavailable(Exception):
    """The file storage could not be read: an outage, not a file that changed. Nothing about
    the document is concluded (no integrity failure is recorded); the reader may try again."""


class FileIntegrityError(Exception):
    """The stored file of ``document`` is missing or its bytes are not the ones recorded."""

    def __init__(self, document: Document, *, found_sha256: str) -> None:
        self.document = document
        self.expected_sha256 = document.sha256
        self.found_sha256 = found_sha256  # "" when the file is missing
        self.reason = MISMATCH if found_sha256 else MISSING
        super().__init__(
            f"Stored file {document.file.name!r} of document {document.public_id}: "
            + (f"SHA-256 {found_sha256}, recorded {document.sha256}" if found_sha256 else "missing")
        )


def _open(document: Document) -> IO[bytes]:
    try:
        return document.file.storage.open(document.file.name, "rb")
    except STORE_UNAVAILABLE_ERRORS as exc:
        raise StorageUnavailable(str(document.public_id)) from exc
    except (OSError, ValueError) as exc:  # ValueError: a row with no file name at all
        raise FileIntegrityError(document, found_sha256="") from exc


def stored_sha256(document: Document) -> str:
    """The SHA-256 of the stored file as it is now, read in chunks; "" when it is missing.
    Raises ``StorageUnavailable`` when the storage cannot be read."""
    try:
        handle = _open(document)
    except FileIntegrityError:
        return ""
    digest = hashlib.sha256()
    try:
        with handle:
            for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
                digest.update(chunk)
    except STORE_UNAVAILABLE_ERRORS as exc:
        raise StorageUnavailable(str(document.public_id)) from exc
    return digest.hexdigest()


def document_check(document: Document) -> None:
    """Raise ``FileIntegrityError`` unless the stored file is there with its recorded hash."""
    found = stored_sha256(document)
    if found != document.sha256:
        raise FileIntegrityError(document, found_sha256=found)


def verified_open(document: Document) -> IO[bytes]:
    """A handle on a private copy of the stored bytes, positioned at the start, made only if
    they hash to the recorded SHA-256; ``FileIntegrityError`` otherwise (nothing returned),
    ``StorageUnavailable`` when the storage cannot be read."""
    handle = _open(document)
    # Returned open to the response, which closes it: no context manager here.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115
    digest = hashlib.sha256()
    try:
        with handle:
            for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
                digest.update(chunk)
                spool.write(chunk)
        found = digest.hexdigest()
        if found != document.sha256:
            raise FileIntegrityError(document, found_sha256=found)
    except STORE_UNAVAILABLE_ERRORS as exc:
        spool.close()
        raise StorageUnavailable(str(document.public_id)) from exc
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


# --- The sweep's view of the storage ----------------------------------------------------------


@dataclass(frozen=True)
class StoredFile:
    name: str  # the storage name, as Document.file holds it
    modified_at: datetime | None


def stored_files(storage=None) -> Iterator[StoredFile]:
    """Every file in the storage under ``STORAGE_ROOT``, walked folder by folder."""
    storage = storage or Document._meta.get_field("file").storage
    pending = [STORAGE_ROOT]
    while pending:
        folder = pending.pop()
        try:
            folders, files = storage.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        except STORE_UNAVAILABLE_ERRORS as exc:
            raise StorageUnavailable(folder) from exc
        # Storage names use "/" on every store (disk or bucket), never the OS separator.
        pending.extend(f"{folder}/{name}" for name in sorted(folders, reverse=True))
        for name in sorted(files):
            path = f"{folder}/{name}"
            try:
                modified = storage.get_modified_time(path)
            except (OSError, NotImplementedError):
                modified = None
            except STORE_UNAVAILABLE_ERRORS as exc:
                raise StorageUnavailable(path) from exc
            yield StoredFile(name=path, modified_at=modified)


@dataclass(frozen=True)
class Orphan:
    name: str
    modified_at: datetime | None
    old_enough: bool  # past the grace period: no task still writing it


def orphan_files(*, grace: timedelta, batch_size: int = 500) -> Iterator[Orphan]:
    """Files in the storage that no document row points at. A file younger than ``grace`` may
    be a render or an upload whose transaction has not committed yet: it is reported as not
    old enough, and left alone."""
    storage = Document._meta.get_field("file").storage
    cutoff = timezone.now() - grace
    batch: list[StoredFile] = []

    def unknown(files: list[StoredFile]) -> Iterator[Orphan]:
        known = set(
            Document.objects.filter(file__in=[f.name for f in files]).values_list("file", flat=True)
        )
        for stored in files:
            if stored.name not in known:
                old = stored.modified_at is not None and stored.modified_at <= cutoff
                yield Orphan(name=stored.name, modified_at=stored.modified_at, old_enough=old)

    for stored in stored_files(storage):
        batch.append(stored)
        if len(batch) >= batch_size:
            yield from unknown(batch)
            batch = []
    if batch:
        yield from unknown(batch)


def orphan_remove(name: str) -> None:
    """Delete an orphan file, after checking once more that no row points at it."""
    if Document.objects.filter(file=name).exists():
        return
    Document._meta.get_field("file").storage.delete(name)
