"""/healthz/ against the real services on loopback: PostgreSQL, Redis as cache and broker, a
real Celery worker, the disk or an S3 bucket. One component down is a 503 naming it, and the
anonymous caller reads statuses only."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from config.cache import cache_config
from tests.conftest import broker_at, broker_down

COMPONENTS = {"database", "cache", "broker", "workers", "storage"}
NOBODY_LISTENS = "redis://127.0.0.1:1/1"


def redis_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        pytest.skip("needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0 (CI does)")
    return url


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {"default": cache_config(redis_url())}


def health():
    response = Client().get("/healthz/")
    return response.status_code, response.json()


@pytest.mark.django_db(transaction=True)
def test_everything_up_is_200_with_each_component_ok(redis_cache, celery_worker_on_redis):
    status, body = health()

    assert status == 200
    assert body == {"status": "ok", **dict.fromkeys(COMPONENTS, "ok")}


@pytest.mark.django_db(transaction=True)
def test_a_broker_at_a_closed_port_is_503_naming_it(redis_cache):
    with broker_down():
        status, body = health()

    assert status == 503
    assert body["status"] == "down"
    assert body["broker"] == "down"
    # Without a broker no worker can be reached either; the rest still answers.
    assert body["workers"] == "down"
    assert {body["database"], body["cache"], body["storage"]} == {"ok"}


@pytest.mark.django_db(transaction=True)
def test_no_worker_answering_the_ping_is_503_naming_the_workers(redis_cache):
    with broker_at(redis_url()):
        status, body = health()

    assert status == 503
    assert (body["broker"], body["workers"]) == ("ok", "down")


@pytest.mark.django_db
def test_the_cache_down_is_503_naming_it(settings):
    settings.CACHES = {"default": cache_config(NOBODY_LISTENS)}

    status, body = health()

    assert status == 503
    assert body["cache"] == "down"
    assert body["database"] == "ok"


@pytest.mark.django_db
def test_an_s3_bucket_that_takes_and_returns_the_probe_is_ok(s3_storage):
    status, body = health()

    assert (status, body["storage"]) == (200, "ok")
    assert s3_storage.object_keys() == []  # the probe object was deleted


@pytest.mark.django_db
def test_an_s3_bucket_that_does_not_exist_is_503_naming_the_storage(settings, s3_storage):
    settings.STORAGES["default"]["OPTIONS"]["bucket_name"] = "permits-no-such-bucket"
    settings.STORAGES = dict(settings.STORAGES)  # tell Django the storage changed

    status, body = health()

    assert status == 503
    assert body["storage"] == "down"


@pytest.mark.django_db
def test_an_anonymous_caller_reads_statuses_and_nothing_else(settings):
    settings.CACHES = {"default": cache_config(NOBODY_LISTENS)}

    with broker_down():
        _status, body = health()

    assert set(body) == {"status"} | COMPONENTS
    assert set(body.values()) <= {"ok", "down", "not configured"}


@pytest.mark.django_db
def test_liveness_stays_200_while_only_the_broker_is_down():
    with broker_down():
        response = Client().get("/healthz/live/")

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
