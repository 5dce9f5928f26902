"""The history's tamper evidence: each application's records form a hash chain.

Every record carries ``record_hash`` = HMAC-SHA-256(key, canonical content), and its canonical
content includes the previous record's hash of the same application (``prev_hash``) and its
position in that chain (``seq``). Changing, removing or inserting a record anywhere in a chain
changes every hash after it, and without the key (kept outside the database, in the
environment) nobody with only database access can compute a matching one.

**One chain per application, not one for the system.** Every action already holds its
application's row lock when it writes history, so chaining within the file costs no new lock and
no new contention: two files' decisions never wait for each other, whereas a single system
chain would serialise every history write in the Region on one row, up to each commit (and
deadlock with the document task's other locks). A file's chain is verified on its own — the
auditor's page checks the file it shows, and an export of one file's history can be verified
without the rest — and ``verify_history`` checks all of them in one ordered pass. What a
per-file chain cannot see alone (a whole file's history removed, a chain's last records cut
off) is covered by the database: the trigger refuses DELETE and TRUNCATE, deleting an
application with history is refused (PROTECT), and every export and report states the heads it
was made from (``chain_head``), so a later cut is visible against an earlier statement.

The key is chosen by ``HISTORY_CHAIN_KEY_ID`` among ``HISTORY_CHAIN_KEYS``; each record names the
key it was sealed with, so a key can be rotated without losing the older records' proof.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

# The fields a record's hash covers, in the order they are written to the canonical JSON
# (the JSON itself is key-sorted; this list is what must be present).
HASHED_FIELDS = (
    "application_id",
    "seq",
    "prev_hash",
    "transition",
    "source_state",
    "target_state",
    "actor_id",
    "actor_role",
    "created_at",
    "comment",
    "payload",
    "snapshot_hash",
    "versions",
    "chain_key",
)
GENESIS = "0" * 64


class UnknownChainKey(LookupError):
    """A record names a key that is not configured: it cannot be verified here."""


def canonical_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> bytes:
    """The one byte form of a JSON value: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def json_roundtrip(value: Any) -> Any:
    """The value as the database gives it back (tuples become lists, Decimals are refused)."""
    return json.loads(canonical_json(value))


def sha256_of(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def current_key_id() -> str:
    return settings.HISTORY_CHAIN_KEY_ID


def _key(key_id: str) -> bytes:
    try:
        return settings.HISTORY_CHAIN_KEYS[key_id].encode("utf-8")
    except KeyError as exc:
        raise UnknownChainKey(f"History chain key {key_id!r} is not configured.") from exc


def record_content(fields: dict[str, Any]) -> dict[str, Any]:
    content = {name: fields[name] for name in HASHED_FIELDS}
    content["created_at"] = canonical_time(content["created_at"])
    return content


def record_hash(fields: dict[str, Any]) -> str:
    """The hash a record with these field values must carry."""
    content = canonical_json(record_content(fields))
    return hmac.new(_key(fields["chain_key"]), content, hashlib.sha256).hexdigest()


# --- Verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainBreak:
    record_id: int
    application_id: int
    seq: int | None
    reason: str

    def __str__(self) -> str:
        return (
            f"history record #{self.record_id} (application {self.application_id}, "
            f"position {self.seq}): {self.reason}"
        )


VERIFY_FIELDS = (*HASHED_FIELDS, "id", "record_hash", "snapshot")


def chain_breaks(rows: Iterable[dict[str, Any]]) -> Iterator[ChainBreak]:
    """Every break in ``rows``, which must come ordered by application, then position.

    A break is a record whose hash does not match its content, whose position is not the one
    after its predecessor's, whose ``prev_hash`` is not its predecessor's hash, or whose stored
    snapshot does not match the snapshot hash it carries.
    """
    application_id = None
    expected_seq, expected_prev = 1, GENESIS
    for row in rows:
        if row["application_id"] != application_id:
            application_id = row["application_id"]
            expected_seq, expected_prev = 1, GENESIS

        def found(reason: str, row: dict[str, Any] = row) -> ChainBreak:
            return ChainBreak(row["id"], row["application_id"], row["seq"], reason)

        if row["seq"] != expected_seq:
            yield found(f"position {row['seq']} where {expected_seq} was expected")
        elif row["prev_hash"] != expected_prev:
            yield found("does not follow the record before it (previous hash differs)")
        else:
            try:
                computed = record_hash(row)
            except UnknownChainKey as exc:
                yield found(str(exc))
                computed = None
            if computed is not None and not hmac.compare_digest(computed, row["record_hash"]):
                yield found("its content does not match its hash (altered or forged)")
            elif row["snapshot"] is not None and sha256_of(row["snapshot"]) != row["snapshot_hash"]:
                yield found("its snapshot does not match the snapshot hash it carries")
        expected_seq = (row["seq"] or 0) + 1
        expected_prev = row["record_hash"]


def history_breaks(*, application_id: int | None = None) -> Iterator[ChainBreak]:
    """Walk the stored chains (one file's, or all) with a server-side cursor."""
    from .models import TransitionRecord

    records = TransitionRecord.objects.order_by("application_id", "seq", "id")
    if application_id is not None:
        records = records.filter(application_id=application_id)
    yield from chain_breaks(records.values(*VERIFY_FIELDS).iterator(chunk_size=2000))


# --- The head that exports and reports state ------------------------------------------------


@dataclass(frozen=True)
class ChainHead:
    """The latest record when something was computed, and a digest of every file's head.

    ``record_id`` and ``record_hash`` name the newest record; ``heads_digest`` is the SHA-256
    over every application's chain length, so that a chain cut short later no longer matches
    what an earlier export or report stated.
    """

    record_id: int | None
    record_hash: str
    record_count: int
    heads_digest: str
    taken_at: datetime

    @property
    def label(self) -> str:
        """The head in the active language, for the headers of exports and reports."""
        if self.record_id is None:
            return gettext("empty history")
        return gettext(
            "record #%(id)s sha256:%(hash)s (%(count)s records, heads sha256:%(digest)s)"
        ) % {
            "id": self.record_id,
            "hash": self.record_hash,
            "count": self.record_count,
            "digest": self.heads_digest,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "record_hash": self.record_hash,
            "record_count": self.record_count,
            "heads_digest": self.heads_digest,
            "taken_at": canonical_time(self.taken_at),
        }


def _head(taken_at: datetime, last: dict[str, Any] | None, heads: Iterable[tuple[int, int]]):
    digest = hashlib.sha256()
    count = 0
    for application_id, last_seq in heads:
        digest.update(f"{application_id}:{last_seq};".encode())
        count += last_seq or 0
    if last is None:
        return ChainHead(None, "", 0, digest.hexdigest(), taken_at)
    return ChainHead(last["id"], last["record_hash"], count, digest.hexdigest(), taken_at)


def chain_head() -> ChainHead:
    """The head as the exports and reports state it, read from the files' chain heads
    (``HistoryHead``, one row per file, moved with each record): no scan of the history."""
    from .models import HistoryHead, TransitionRecord

    taken_at = timezone.now()
    last = TransitionRecord.objects.order_by("-id").values("id", "record_hash").first()
    heads = HistoryHead.objects.order_by("application_id").values_list("application_id", "seq")
    return _head(taken_at, last, heads.iterator(chunk_size=5000))


# For writers that bypass ``transition_record_create`` (the bench builders' bulk INSERT and
# COPY): sets every file's head from its records, on PostgreSQL, in one statement.
HEADS_FROM_HISTORY_SQL = """
INSERT INTO workflow_historyhead (application_id, seq, record_id, record_hash)
SELECT DISTINCT ON (application_id) application_id, seq, id, record_hash
FROM workflow_transitionrecord
ORDER BY application_id, seq DESC
ON CONFLICT (application_id) DO UPDATE
SET seq = EXCLUDED.seq, record_id = EXCLUDED.record_id, record_hash = EXCLUDED.record_hash
WHERE EXCLUDED.seq > workflow_historyhead.seq
"""


def chain_head_from_history() -> ChainHead:
    """The same head recomputed from the history records themselves (a scan of all of them):
    what ``chain_head`` must equal."""
    from django.db.models import Max

    from .models import TransitionRecord

    taken_at = timezone.now()
    last = TransitionRecord.objects.order_by("-id").values("id", "record_hash").first()
    heads = (
        TransitionRecord.objects.values("application_id")
        .annotate(last_seq=Max("seq"))
        .order_by("application_id")
        .values_list("application_id", "last_seq")
    )
    return _head(taken_at, last, heads.iterator(chunk_size=5000))
