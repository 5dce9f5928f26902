"""Production: PostgreSQL and Redis from the environment; refuses to start without secrets."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")
if SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 40:
    raise ImproperlyConfigured(
        "SECRET_KEY is the development key or too short: set a long random one for production."
    )
# The demo's self-signed certificate (run/demo-signing.p12, password "permits-demo") must never
# sign a real decision.
if DECISION_SIGNING_P12.rstrip("/").endswith("run/demo-signing.p12") or (  # noqa: F405
    DECISION_SIGNING_PASSWORD == "permits-demo"  # noqa: F405
):
    raise ImproperlyConfigured("The demo signing certificate cannot be used in production.")
# The history chain's sealing key: never the development one, long enough to resist guessing.
if HISTORY_CHAIN_KEY_ID == "dev" or any(  # noqa: F405
    key.startswith("dev-only") or len(key) < 32
    for key in HISTORY_CHAIN_KEYS.values()  # noqa: F405
):
    raise ImproperlyConfigured(
        "HISTORY_CHAIN_KEYS must hold long random keys and HISTORY_CHAIN_KEY_ID must name one "
        "(the development key cannot seal a real history)."
    )
if HISTORY_CHAIN_KEY_ID not in HISTORY_CHAIN_KEYS:  # noqa: F405
    raise ImproperlyConfigured("HISTORY_CHAIN_KEY_ID names a key HISTORY_CHAIN_KEYS lacks.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
BULK_READS_ON_REPLICA = "replica" in DATABASES
# Without this Celery closes the database connection before and after every task, whatever
# CONN_MAX_AGE says; with it a worker keeps its connection across tasks (config/celery.py closes
# it when older than CONN_MAX_AGE or broken, as Django does per request).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

# Hashed, compressed static files collected by `manage.py collectstatic` and served by
# WhiteNoise with far-future cache headers.
# The default (file) storage is base's: the disk, or the S3 bucket when one is configured.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
