"""Settings for the test suite: whatever DATABASE_URL / CELERY_BROKER_URL say, fast hashing."""

from .base import *  # noqa: F403

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
