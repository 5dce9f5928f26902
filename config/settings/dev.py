"""Out-of-the-box settings: SQLite, in-process tasks, debug on. Never for production."""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")

# The demo's self-signed certificate, created by `manage.py seed_demo`.
DECISION_SIGNING_P12 = env(
    "DECISION_SIGNING_P12", default=str(BASE_DIR / "run" / "demo-signing.p12")
)
DECISION_SIGNING_PASSWORD = env("DECISION_SIGNING_PASSWORD", default="permits-demo")
# `make run` lets the demo head decide without an authenticator app; set these to try the
# second factor (seed_demo prints the demo head's authenticator key).
STAFF_OTP_REQUIRED_ROLES = env.list("STAFF_OTP_REQUIRED_ROLES", default=[])
OTP_REQUIRED_FOR_DECISIONS = env.bool("OTP_REQUIRED_FOR_DECISIONS", default=False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
