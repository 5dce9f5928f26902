"""Who made a field-level change, and why: the context django-pghistory stores beside its events.

django-pghistory's events are written by PostgreSQL triggers (django-pgtrigger), so on SQLite
(``make run`` without ``DATABASE_URL``) no event is recorded at all. Its context is passed to the
trigger by prefixing each write with a PostgreSQL ``set_config`` call, which SQLite would refuse:
outside PostgreSQL the context is therefore not entered either.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pghistory
from django.db import connection


def recorded() -> bool:
    """Whether field-level history is recorded on this database (PostgreSQL only)."""
    return connection.vendor == "postgresql"


@contextlib.contextmanager
def field_history_context(**metadata: Any) -> Iterator[None]:
    """Attach ``metadata`` (the acting user's id as ``user``, a ``reason``…) to every field-level
    history event written inside the block; a no-op where no event is recorded."""
    if not recorded():
        yield
        return
    with pghistory.context(**metadata):
        yield
