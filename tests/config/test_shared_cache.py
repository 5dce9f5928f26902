"""Several processes serving the site share one cache through CACHE_URL (Redis): a rate limit
counted by one process applies in another, and the limits and throttles count in that cache."""

from __future__ import annotations

import os

import pytest
from django.core.cache import caches
from django.test import Client

from config.cache import cache_config
from tests.config.test_settings import PRODUCTION, run_manage

ADDRESS = "203.0.113.77"


def redis_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        pytest.skip("needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0 (CI does)")
    return url


def test_cache_url_puts_the_cache_and_every_limit_on_redis():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'], "
        "getattr(s, 'RATELIMIT_USE_CACHE', 'default'))",
        SECRET_KEY="a-long-random-production-secret-" + "x9Q2v" * 10,
        CACHE_URL="redis://127.0.0.1:6379/1",
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    backend, location, ratelimit_cache = result.stdout.split()[-3:]
    assert backend == "django_redis.cache.RedisCache"
    assert location == "redis://127.0.0.1:6379/1"
    assert ratelimit_cache == "default"


@pytest.mark.django_db
def test_a_rate_limit_counted_by_another_process_applies_here(settings):
    url = redis_url()
    settings.CACHES = {"default": cache_config(url)}
    settings.VERIFY_RATE_LIMIT = "3/d"
    caches["default"].clear()
    try:
        # Another process, as a second gunicorn worker or host would be, uses up the limit.
        other = run_manage(
            "shell",
            "-c",
            "from django.test import Client; c = Client(raise_request_exception=False); "
            f"print([c.get('/verify/', REMOTE_ADDR='{ADDRESS}').status_code for _ in range(3)])",
            DJANGO_SETTINGS_MODULE="config.settings.test",
            ALLOWED_HOSTS="testserver",
            CACHE_URL=url,
            VERIFY_RATE_LIMIT="3/d",
            DATABASE_URL=os.environ.get("DATABASE_URL", ""),
        )
        assert other.returncode == 0, other.stderr
        assert other.stdout.split("\n")[-2] == "[200, 200, 200]"

        here = Client().get("/verify/", REMOTE_ADDR=ADDRESS)
        elsewhere = Client().get("/verify/", REMOTE_ADDR="203.0.113.78")
    finally:
        caches["default"].clear()

    assert here.status_code == 429
    assert elsewhere.status_code == 200
