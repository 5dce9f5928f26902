"""Tasks sent after commit share the process's broker connections (a pool of producers)
instead of connecting to Redis for each one, and still fail fast or recover as before.

A Redis of the test's own on a free port, so that its clients can be counted and killed and
the server restarted without touching anyone else's.
"""

from __future__ import annotations

import logging
import shutil

import pytest
import redis as redis_client
from django.db import transaction

from outbox.services import task_enqueue_after_commit
from tests.conftest import broker_at
from tests.faults.test_worker_and_broker import PrivateRedis, free_port

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]

SWEEP = "outbox.tasks.deliver_pending_outbox"


@pytest.fixture
def redis(tmp_path):
    server = PrivateRedis(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


def client(server: PrivateRedis) -> redis_client.Redis:
    return redis_client.Redis.from_url(server.url)


def senders(server: PrivateRedis) -> set[str]:
    """The ids of the connections open to this Redis, but the one asking."""
    probe = client(server)
    me = str(probe.client_id())
    return {c["id"] for c in probe.client_list() if c["id"] != me}


def queued(server: PrivateRedis) -> int:
    return client(server).llen("celery")


def send(capture) -> None:
    with capture(execute=True), transaction.atomic():
        task_enqueue_after_commit(SWEEP)


def test_tasks_sent_one_after_the_other_reuse_the_same_connections(
    redis, django_capture_on_commit_callbacks
):
    with broker_at(redis.url):
        send(django_capture_on_commit_callbacks)
        first = senders(redis)
        for _ in range(4):
            send(django_capture_on_commit_callbacks)
            assert senders(redis) == first

    assert first
    assert queued(redis) == 5


@pytest.mark.slow
def test_a_send_after_the_server_closed_the_connection_goes_out_on_a_new_one(
    redis, django_capture_on_commit_callbacks, caplog
):
    with broker_at(redis.url):
        send(django_capture_on_commit_callbacks)
        killed = senders(redis)
        for connection_id in killed:
            client(redis).client_kill_filter(_id=connection_id)

        with caplog.at_level(logging.ERROR, logger="outbox.services"):
            send(django_capture_on_commit_callbacks)

    assert queued(redis) == 2
    assert not senders(redis) & killed
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.slow
def test_a_send_after_redis_restarted_goes_out(redis, django_capture_on_commit_callbacks, caplog):
    with broker_at(redis.url):
        send(django_capture_on_commit_callbacks)
        redis.stop()
        redis.start()

        with caplog.at_level(logging.ERROR, logger="outbox.services"):
            send(django_capture_on_commit_callbacks)

    assert queued(redis) == 1  # the first was lost with the server (no persistence here)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.slow
def test_with_redis_stopped_after_a_send_the_next_one_is_logged_not_raised(
    redis, django_capture_on_commit_callbacks, caplog
):
    with broker_at(redis.url):
        send(django_capture_on_commit_callbacks)
        redis.stop()

        with caplog.at_level(logging.ERROR, logger="outbox.services"):
            send(django_capture_on_commit_callbacks)  # never raises into the committed request

        assert any("Could not enqueue" in r.getMessage() for r in caplog.records)
        redis.start()
        send(django_capture_on_commit_callbacks)

    assert queued(redis) == 1
