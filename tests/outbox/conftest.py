"""Fixtures of the outbox tests: a refusing SMTP server and a broker that is down."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from config.celery import app as celery_app
from tests.outbox.backends import RefusingEmailBackend


@pytest.fixture
def refusing_smtp(settings):
    """``refusing_smtp["b@example.test"] = 1``: the server refuses that address once."""
    settings.EMAIL_BACKEND = "tests.outbox.backends.RefusingEmailBackend"
    RefusingEmailBackend.refusals.clear()
    yield RefusingEmailBackend.refusals
    RefusingEmailBackend.refusals.clear()


@contextmanager
def broker_down():
    """Point the Celery app at a port where nothing listens, then restore it."""

    def reset_pools():
        # Celery caches its connection and producer pools; rebuild them from the config.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    celery_app.conf.task_always_eager = False
    reset_pools()
    try:
        yield
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous
        reset_pools()
