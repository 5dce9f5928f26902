"""A worker keeps its database connection between tasks for CONN_MAX_AGE, like a web process."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection

from config.celery import database_connections_refresh

pytestmark = pytest.mark.django_db(transaction=True)


def _task(*, eager: bool) -> SimpleNamespace:
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


def _fresh_connection(monkeypatch, max_age: int) -> None:
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", max_age)
    connection.close()
    connection.ensure_connection()


def test_a_worker_keeps_a_connection_younger_than_conn_max_age(monkeypatch):
    _fresh_connection(monkeypatch, 60)

    database_connections_refresh(sender=_task(eager=False))

    assert connection.connection is not None


def test_a_worker_closes_its_connection_when_conn_max_age_says_so(monkeypatch):
    _fresh_connection(monkeypatch, 0)

    database_connections_refresh(sender=_task(eager=False))

    assert connection.connection is None


def test_an_eager_task_leaves_its_callers_connection_alone(monkeypatch):
    _fresh_connection(monkeypatch, 0)

    database_connections_refresh(sender=_task(eager=True))

    assert connection.connection is not None
