"""Fixtures of the outbox tests: a refusing SMTP server and a broker that is down."""

from __future__ import annotations

import pytest

from tests.outbox.backends import RefusingEmailBackend


@pytest.fixture
def refusing_smtp(settings):
    """``refusing_smtp["b@example.test"] = 1``: the server refuses that address once."""
    settings.EMAIL_BACKEND = "tests.outbox.backends.RefusingEmailBackend"
    RefusingEmailBackend.refusals.clear()
    yield RefusingEmailBackend.refusals
    RefusingEmailBackend.refusals.clear()
