"""Settings for the test suite: whatever DATABASE_URL / CELERY_BROKER_URL say, fast hashing."""

import os
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in-process unless a test asks for the real broker (the `celery_worker_on_redis`
# fixture): nothing a test enqueues can linger in Redis for the next one.
CELERY_TASK_ALWAYS_EAGER = True
DECISION_SIGNING_P12 = ""
# The second factor is off for the suite, which signs staff in with force_login; the tests of
# tests/accounts/test_second_factor.py turn it on (production's default is on).
STAFF_OTP_REQUIRED_ROLES: list[str] = []
OTP_REQUIRED_FOR_DECISIONS = False
# Static files straight from the apps' folders (production serves the collected copies).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Every health request checks again: tests change what is up between two requests.
HEALTH_CHECK_CACHE_SECONDS = 0

# A second alias on the same test database, as the replica would be: read-only, so that a
# write routed to it would fail. Bulk reads stay on default unless a test turns them on (a
# test's uncommitted rows are invisible to another connection); tests/config/test_db_router.py
# turns them on with committed rows.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["replica"] = {  # noqa: F405
        **DATABASES["default"],  # noqa: F405
        "OPTIONS": {
            **DATABASES["default"].get("OPTIONS", {}),  # noqa: F405
            "options": "-c default_transaction_read_only=on",
        },
        "TEST": {"MIRROR": "default"},
    }
BULK_READS_ON_REPLICA = False


# --- One Redis database per pytest-xdist worker ------------------------------------------------
# `make test` runs the suite in several processes (pytest-xdist), each on its own test database
# (pytest-django suffixes its name with the worker id). Redis needs the same: a worker's real
# Celery worker must not take another's tasks, `app.control.purge()` and `cache.clear()` (FLUSHDB)
# must not empty another's queue. Worker gwN uses database N above the one the URL names
# (CI's redis://…/0 gives gw0 /0 and gw1 /1). Celery reads CELERY_BROKER_URL from the
# environment before its configuration, so the environment is rewritten too, once per worker
# (a subprocess a test starts inherits it already rewritten).


def per_worker_redis_url(url: str, worker: str) -> str:
    """``url`` with its Redis database number moved up by the index of xdist ``worker``."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("redis") or not worker.startswith("gw"):
        return url
    database = int(parts.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    return urlunsplit(parts._replace(path=f"/{database}"))


XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER and os.environ.get("PERMITS_TEST_REDIS_WORKER") != XDIST_WORKER:
    os.environ["PERMITS_TEST_REDIS_WORKER"] = XDIST_WORKER
    for variable in ("CELERY_BROKER_URL", "REDIS_URL", "CACHE_URL"):
        if os.environ.get(variable):
            os.environ[variable] = per_worker_redis_url(os.environ[variable], XDIST_WORKER)
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default=""))
    CACHES = {"default": cache_config(env("CACHE_URL", default="locmemcache://"))}  # noqa: F405
