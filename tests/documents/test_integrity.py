"""The file store's integrity checks: a file is handed out only with the bytes recorded."""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile

from documents import integrity
from tests.factories import DocumentFactory, small_pdf

pytestmark = pytest.mark.django_db


def swap(document, data: bytes = b"%PDF-1.4 forged") -> None:
    with open(document.file.path, "wb") as handle:
        handle.write(data)


def test_an_intact_file_is_handed_out_with_its_stored_bytes(draft):
    document = DocumentFactory(application=draft)
    with document.file.open("rb") as handle:
        stored = handle.read()

    with integrity.verified_open(document) as handle:
        assert handle.read() == stored


def test_a_swapped_file_is_refused_with_both_hashes(draft):
    document = DocumentFactory(application=draft)
    swap(document)

    with pytest.raises(integrity.FileIntegrityError) as refused:
        integrity.verified_open(document)

    assert refused.value.reason == integrity.MISMATCH
    assert refused.value.expected_sha256 == document.sha256
    assert refused.value.found_sha256 == integrity.stored_sha256(document)
    assert refused.value.found_sha256 not in ("", document.sha256)


def test_a_missing_file_is_refused_as_missing(draft):
    document = DocumentFactory(application=draft)
    os.remove(document.file.path)

    with pytest.raises(integrity.FileIntegrityError) as refused:
        integrity.document_check(document)

    assert refused.value.reason == integrity.MISSING
    assert refused.value.found_sha256 == ""


def test_a_large_file_is_spooled_to_disk_not_held_in_memory(draft):
    data = small_pdf() + b"\0" * (3 * integrity.SPOOL_MEMORY_BYTES)
    document = DocumentFactory(application=draft, file=ContentFile(data, name="big.pdf"))

    with integrity.verified_open(document) as handle:
        assert handle._rolled  # past the in-memory limit: a temporary file on disk
        assert handle.read() == data


def test_a_file_no_row_points_at_is_an_orphan_once_past_the_grace_period(draft, media_root):
    kept = DocumentFactory(application=draft)
    orphan = media_root / "applications" / str(draft.public_id) / "left-behind.pdf"
    orphan.write_bytes(b"%PDF-1.4 crashed render")
    an_hour_ago = time.time() - 3600
    os.utime(orphan, (an_hour_ago, an_hour_ago))

    found = list(integrity.orphan_files(grace=timedelta(minutes=30)))

    assert [o.name for o in found] == [f"applications/{draft.public_id}/left-behind.pdf"]
    assert found[0].old_enough
    assert kept.file.name not in [o.name for o in found]


def test_a_fresh_orphan_is_not_old_enough(draft, media_root):
    folder = media_root / "applications" / str(draft.public_id)
    folder.mkdir(parents=True)
    (folder / "being-written.pdf").write_bytes(b"%PDF-1.4")

    (found,) = integrity.orphan_files(grace=timedelta(minutes=30))

    assert not found.old_enough
