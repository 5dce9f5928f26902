"""`make test` runs in pytest-xdist workers: each must have a Redis database of its own, as it
has a test database of its own (config/settings/test.py)."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from config.settings.test import per_worker_redis_url


@pytest.mark.parametrize(
    ("url", "worker", "expected"),
    [
        ("redis://127.0.0.1:6379/0", "gw0", "redis://127.0.0.1:6379/0"),
        ("redis://127.0.0.1:6379/0", "gw1", "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379/3", "gw2", "redis://127.0.0.1:6379/5"),
        ("redis://127.0.0.1:6379", "gw1", "redis://127.0.0.1:6379/1"),
        (
            "rediss://:secret@cache.example.test:6380/2",
            "gw1",
            "rediss://:secret@cache.example.test:6380/3",
        ),
        ("locmemcache://", "gw1", "locmemcache://"),
        ("redis://127.0.0.1:6379/0", "", "redis://127.0.0.1:6379/0"),
    ],
)
def test_each_worker_moves_the_redis_database_up_by_its_index(url, worker, expected):
    assert per_worker_redis_url(url, worker) == expected


@pytest.mark.django_db
def test_this_worker_uses_its_own_test_database_and_redis_database():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker:
        pytest.skip("runs under pytest-xdist (make test)")

    assert connection.settings_dict["NAME"].endswith(f"_{worker}") or connection.vendor == "sqlite"
    if settings.CELERY_BROKER_URL:
        # Celery reads the environment before the settings: both say the worker's database.
        assert app.conf.broker_url == settings.CELERY_BROKER_URL
