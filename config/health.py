"""What the health endpoint reports: the database (without it nothing works), and the cache and
the broker, without which the site still serves but degraded (limits fail open, e-mails and
decision documents wait for the beat sweeps)."""

from __future__ import annotations

from celery import current_app
from django.core.cache import cache
from django.db import connection

OK, DOWN, NOT_CONFIGURED = "ok", "down", "not configured"


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return DOWN
    return OK


def cache_status() -> str:
    probe = "healthz:probe"
    try:
        cache.set(probe, "1", timeout=5)
        return OK if cache.get(probe) == "1" else DOWN
    except Exception:
        return DOWN


def broker_status() -> str:
    if current_app.conf.task_always_eager or not current_app.conf.broker_url:
        return NOT_CONFIGURED
    try:
        with current_app.connection_for_write(
            transport_options={"max_retries": 0, "socket_connect_timeout": 1}
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
    except Exception:
        return DOWN
    return OK


def site_health() -> dict[str, str]:
    parts = {"database": database_status(), "cache": cache_status(), "broker": broker_status()}
    if parts["database"] == DOWN:
        overall = DOWN
    elif DOWN in parts.values():
        overall = "degraded"
    else:
        overall = OK
    return {"status": overall, **parts}
