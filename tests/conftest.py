"""Fixtures shared by every test package: one user per role and an applicant organisation."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from tests.factories import OrganisationFactory, UserFactory

requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (row locks, triggers, concurrent connections): "
    "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/permits (CI does)",
)


def _flush_past_the_history_triggers():
    """Transactional tests empty the tables with TRUNCATE, which the history's trigger refuses
    (tests/workflow/test_chain.py proves it): the test harness alone asks pgtrigger to let its
    own flush through."""
    import pgtrigger
    from django.test import TransactionTestCase

    teardown = TransactionTestCase._fixture_teardown

    def _fixture_teardown(self):
        with pgtrigger.ignore("workflow.TransitionRecord:history_no_truncate"):
            teardown(self)

    TransactionTestCase._fixture_teardown = _fixture_teardown


_flush_past_the_history_triggers()


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Stored files of every test go to a folder of its own, never into the project."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache_per_test():
    """Rate limits, throttles and lockouts count in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _language_reset_between_tests():
    """A request in French or Dutch leaves that language active in the thread (LocaleMiddleware
    does not deactivate it); start every test in the default language again."""
    yield
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def applicant(db):
    return UserFactory(username="applicant", roles=["applicant"])


@pytest.fixture
def organisation(applicant):
    return OrganisationFactory(members=[applicant])


@pytest.fixture
def other_applicant(db):
    user = UserFactory(username="other_applicant", roles=["applicant"])
    OrganisationFactory(members=[user])
    return user


@pytest.fixture
def case_manager(db):
    return UserFactory(username="case_manager", roles=["case_manager"])


@pytest.fixture
def second_case_manager(db):
    return UserFactory(username="case_manager_2", roles=["case_manager"])


@pytest.fixture
def head(db):
    return UserFactory(username="head", roles=["head_of_unit"])


@pytest.fixture
def second_head(db):
    return UserFactory(username="head_2", roles=["head_of_unit"])


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", roles=["auditor"])


@pytest.fixture
def celery_worker_on_redis(transactional_db, settings):
    """A real Celery worker thread consuming from the real Redis broker."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    if not settings.CELERY_BROKER_URL:
        pytest.skip(
            "needs Redis as broker: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0 (CI does)"
        )
    app.conf.task_always_eager = False
    app.control.purge()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.task_always_eager = True


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@contextmanager
def broker_at(url: str):
    """Send this process's tasks to the broker at ``url`` (not run in-process), then restore.

    Celery reads ``CELERY_BROKER_URL`` from the environment before its configuration, so the
    variable CI sets is hidden meanwhile.
    """

    def reset_pools():
        # Celery caches its connection and producer pools; rebuild them from the config.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    hidden = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("CELERY_BROKER")}
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = url
    celery_app.conf.task_always_eager = False
    reset_pools()
    try:
        assert celery_app.conf.broker_url == url
        yield
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = previous
        os.environ.update(hidden)
        reset_pools()


@contextmanager
def broker_down():
    """Point the Celery app at a port where nothing listens, then restore it."""
    with broker_at("redis://127.0.0.1:1/0"):
        yield
