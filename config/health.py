"""What the health endpoints report, component by component: the database, the cache (Redis),
the broker, the Celery workers and the file storage.

Two readings of the same checks (config/views.py):

- ``/healthz/`` (readiness, for the load balancer and the operators' monitoring): 200 when every
  configured component answers, 503 naming the one that does not.
- ``/healthz/live/`` (liveness, for the container healthcheck): 200 while the database answers,
  whatever else is down, since the site still serves then, degraded (limits fail open,
  e-mails and decision documents wait for the beat sweeps); restarting the web container would
  not bring Redis back.

Each component is one word (``ok``, ``down``, ``not configured``): what failed and why is
logged, never answered to the anonymous caller.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

logger = logging.getLogger(__name__)

OK, DOWN, NOT_CONFIGURED = "ok", "down", "not configured"
# How long a worker has to answer the ping, and the broker connection to open.
WORKER_PING_SECONDS = 1.0
BROKER_CONNECT_SECONDS = 1.0
# The storage probe lives outside documents' folder (applications/): the orphan sweep never
# sees it.
STORAGE_PROBE_FOLDER = "healthz"


def _checked(name: str, check: Callable[[], str]) -> str:
    try:
        return check()
    except Exception as exc:
        logger.warning("Health check %s failed: %s", name, type(exc).__name__)
        return DOWN


def database_status() -> str:
    def check() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return OK

    return _checked("database", check)


def cache_status() -> str:
    def check() -> str:
        probe, value = "healthz:probe", uuid.uuid4().hex
        cache.set(probe, value, timeout=5)
        # django-redis ignores a Redis that is down (config/cache.py): a lost value says so.
        return OK if cache.get(probe) == value else DOWN

    return _checked("cache", check)


def _broker_configured() -> bool:
    return not current_app.conf.task_always_eager and bool(current_app.conf.broker_url)


def _broker_connection():
    return current_app.connection_for_write(
        transport_options={
            "max_retries": 0,
            "socket_connect_timeout": BROKER_CONNECT_SECONDS,
            "socket_timeout": BROKER_CONNECT_SECONDS + WORKER_PING_SECONDS,
        }
    )


def broker_status() -> str:
    if not _broker_configured():
        return NOT_CONFIGURED

    def check() -> str:
        with _broker_connection() as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_CONNECT_SECONDS)
        return OK

    return _checked("broker", check)


def workers_status(*, broker: str | None = None) -> str:
    """At least one Celery worker answers a ping through the broker within the timeout."""
    broker = broker or broker_status()
    if broker != OK:
        # No broker, no worker reachable (and no ping sent to wait on).
        return NOT_CONFIGURED if broker == NOT_CONFIGURED else DOWN

    def check() -> str:
        with _broker_connection() as conn:
            replies = current_app.control.ping(
                timeout=WORKER_PING_SECONDS, limit=1, connection=conn
            )
        return OK if replies else DOWN

    return _checked("workers", check)


def storage_status() -> str:
    """The file storage (disk or bucket) takes a probe object, gives it back whole and deletes
    it."""

    def check() -> str:
        payload = uuid.uuid4().bytes
        name = default_storage.save(
            f"{STORAGE_PROBE_FOLDER}/probe-{uuid.uuid4().hex}", ContentFile(payload)
        )
        try:
            with default_storage.open(name, "rb") as handle:
                read = handle.read()
        finally:
            default_storage.delete(name)
        return OK if read == payload else DOWN

    return _checked("storage", check)


def site_health() -> dict[str, str]:
    """Every component's status, and overall ``ok`` or ``down``: one component down is
    enough for a load balancer to send the requests elsewhere."""
    broker = broker_status()
    parts = {
        "database": database_status(),
        "cache": cache_status(),
        "broker": broker,
        "workers": workers_status(broker=broker),
        "storage": storage_status(),
    }
    return {"status": DOWN if DOWN in parts.values() else OK, **parts}


def site_liveness() -> dict[str, str]:
    """The process serves while the database answers; the cache and broker only degrade it."""
    parts = {"database": database_status(), "cache": cache_status(), "broker": broker_status()}
    if parts["database"] == DOWN:
        overall = DOWN
    elif DOWN in parts.values():
        overall = "degraded"
    else:
        overall = OK
    return {"status": overall, **parts}


_memo_lock = threading.Lock()
_memo: dict[str, tuple[float, dict[str, str]]] = {}


def remembered(key: str, compute: Callable[[], dict[str, str]]) -> dict[str, str]:
    """``compute()``, reused for ``HEALTH_CHECK_CACHE_SECONDS`` within this process: anyone
    may call the endpoint, and each full check writes to the storage and pings the workers."""
    ttl = float(getattr(settings, "HEALTH_CHECK_CACHE_SECONDS", 0))
    if ttl <= 0:
        return compute()
    now = time.monotonic()
    with _memo_lock:
        kept = _memo.get(key)
        if kept and now - kept[0] < ttl:
            return kept[1]
    result = compute()
    with _memo_lock:
        _memo[key] = (time.monotonic(), result)
    return result
