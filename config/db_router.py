"""Bulk reads on a streaming read replica, everything else on the primary.

When ``DATABASE_REPLICA_URL`` is set, the database alias ``replica`` points at a PostgreSQL hot
standby of the primary. The auditors' exports, the annual reports and the API's history feed
read a lot and change nothing: they run inside ``bulk_reads()`` and their queries go to the
replica, so that a million-row export never competes with the case managers' work for the
primary's CPU and buffers. Everything else reads the primary (a user sees what they just
wrote), and every write goes to the primary, always: a hot standby refuses writes anyway.

Without ``DATABASE_REPLICA_URL`` (development, tests, one machine) ``bulk_reads()`` changes
nothing and every query runs on ``default``.

A replica lags the primary by its replay delay (usually well under a second): an export or a
report states the history chain head it was taken at, read in the same snapshot as its rows,
so what it covers is always said.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"
T = TypeVar("T")

_bulk_alias: ContextVar[str | None] = ContextVar("bulk_read_alias", default=None)


def bulk_read_alias() -> str:
    """Where bulk reads go: the replica when one is configured and in use, else default."""
    if getattr(settings, "BULK_READS_ON_REPLICA", False) and REPLICA in settings.DATABASES:
        return REPLICA
    return DEFAULT_DB_ALIAS


@contextmanager
def bulk_reads() -> Iterator[str]:
    """Route the reads of the enclosed code to the replica; yields the alias used."""
    alias = bulk_read_alias()
    token = _bulk_alias.set(alias)
    try:
        yield alias
    finally:
        _bulk_alias.reset(token)


def stepwise_bulk_reads(iterator: Iterator[T]) -> Iterator[T]:
    """A generator's steps run inside ``bulk_reads()``; what consumes it between the steps (a
    WSGI server writing the bytes, other code) does not."""
    try:
        while True:
            with bulk_reads():
                try:
                    item = next(iterator)
                except StopIteration:
                    return
            yield item
    finally:
        # Closed early (the client went away): the generator's own clean-up (its transaction)
        # runs now, on the connection it used.
        close = getattr(iterator, "close", None)
        if close is not None:
            with bulk_reads():
                close()


class PrimaryReplicaRouter:
    """Reads inside ``bulk_reads()`` on its alias; everything else, and every write, on
    default. Migrations only on default: the replica replays the primary's."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return _bulk_alias.get()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
