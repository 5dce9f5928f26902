"""Settings shared by every environment; values come from the environment (django-environ)."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

from config.cache import cache_config
from config.storage import default_storage_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",
    "django_fsm",
    "pgtrigger",
    "rest_framework",
    # Field-level history of the models outside the workflow (organisations, licences):
    # events written by django-pghistory through django-pgtrigger's triggers (above).
    "pghistory",
    "workflow",
    "accounts",
    "permits",
    "documents",
    "directory",
    "outbox",
    "audit",
]

MIDDLEWARE = [
    # First: every log line of the request, the refusals below included, carries its id.
    "config.logs.RequestIdMiddleware",
    # Then: an oversize body is refused before any other middleware reads it.
    "config.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Serves the app's own static files (no CDN, no separate web server needed).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.SessionTouchMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Who changed an organisation or a licence, and from which page (PostgreSQL only).
    "audit.middleware.FieldHistoryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # A download while the S3 bucket cannot be reached: 503, not a server error.
    "config.middleware.StorageUnavailableMiddleware",
    # Last: refuses sign-in attempts from a locked-out account or address.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# With nothing set, a SQLite file in the project folder; DATABASE_URL selects PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A streaming read replica of the primary (docs/scaling.md): when set, the auditors' exports,
# the annual reports and the API's history feed read there (config.db_router); writes never.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
BULK_READS_ON_REPLICA = "replica" in DATABASES
DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits count in the cache: set CACHE_URL (e.g. redis://127.0.0.1:6379/1) when several
# processes serve the site, so that they share the counts.
CACHES = {"default": cache_config(env("CACHE_URL", default="locmemcache://"))}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
RATELIMIT_FAIL_OPEN = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("fr", "Français"), ("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# --- File storage (scale-out) ------------------------------------------------------------------
# Uploaded files and decision documents: on the local disk under MEDIA_ROOT unless
# STORAGE_S3_BUCKET names an S3-compatible bucket (MinIO, Ceph, AWS...), which every web and
# worker host then shares (config/storage.py). The bucket is created by the operator.
STORAGES = {
    "default": default_storage_config(
        bucket=env("STORAGE_S3_BUCKET", default=""),
        endpoint_url=env("AWS_S3_ENDPOINT_URL", default=""),
        access_key=env("AWS_ACCESS_KEY_ID", default=""),
        secret_key=env("AWS_SECRET_ACCESS_KEY", default=""),
        region=env("AWS_S3_REGION_NAME", default=""),
        prefix=env("STORAGE_S3_PREFIX", default=""),
        addressing_style=env("AWS_S3_ADDRESSING_STYLE", default=""),
        checksums=env("AWS_S3_CHECKSUMS", default="when_supported"),
    ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "login"
# The largest request body accepted at all (the largest upload plus its form), checked on the
# declared length before the body is read.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=21 * 1024 * 1024)
# Sessions end after this much idleness (each request starts the count again): staff, who
# decide on licences, sooner than companies' users. The session row is rewritten at most once
# every SESSION_TOUCH_SECONDS (config.middleware.SessionTouchMiddleware), not on every request:
# an idle session may end that much earlier, never later.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_TOUCH_SECONDS = env.int("SESSION_TOUCH_SECONDS", default=60)
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=120) * 60
SESSION_IDLE_SECONDS_STAFF = env.int("SESSION_IDLE_MINUTES_STAFF", default=30) * 60
# --- Content-Security-Policy (django-csp) on every response: the templates carry no inline
# script or style, and every asset is the app's own. The API's documentation pages, whose
# third-party templates do, relax it for themselves only (config/urls.py).
INSTALLED_APPS += ["csp"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# --- Sign-in guessing -------------------------------------------------------------------------
# django-axes counts failed sign-ins per account and, separately, per address: after
# LOGIN_FAILURE_LIMIT either is locked out until LOGIN_LOCKOUT_MINUTES pass or the head of unit
# lifts the lock (/account/lockouts/). A correct password does not unlock a locked account.
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# --- Sign-in through the federal authentication service (OpenID Connect, accounts/oidc.py) ---
# Off unless the client and every endpoint are set: then the sign-in page offers the button and
# password sign-in stays. `manage.py oidc_discover ISSUER` prints these from the provider's
# discovery document. ID tokens are RS256, checked against the provider's JWKS.
AUTHENTICATION_BACKENDS += ["accounts.oidc.FederalSignInBackend"]
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid email profile")
OIDC_TOKEN_USE_BASIC_AUTH = env.bool("OIDC_TOKEN_USE_BASIC_AUTH", default=True)
OIDC_USE_PKCE = env.bool("OIDC_USE_PKCE", default=True)
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT_SECONDS", default=10)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
# The claim that identifies a person for good (FAS: the national register number's claim).
OIDC_USER_CLAIM = env("OIDC_USER_CLAIM", default="sub")
# A first sign-in links the one company user with the provider's verified e-mail address, or
# else creates a company user without organisation; staff are linked in the admin only.
OIDC_LINK_BY_EMAIL = env.bool("OIDC_LINK_BY_EMAIL", default=True)
OIDC_CREATE_USERS = env.bool("OIDC_CREATE_USERS", default=True)
# --- Staff second factor (django-otp, TOTP; accounts/second_factor.py) ----------------------
# Users with these roles enter a code after signing in, before any page or API call; and the
# actions that decide (approve, refuse, revoke, the Government's decision, suspend, reinstate)
# need a confirmed code whoever takes them. API tokens decide only if created after a code.
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "accounts.second_factor.SecondFactorMiddleware",
)
STAFF_OTP_REQUIRED_ROLES = env.list("STAFF_OTP_REQUIRED_ROLES", default=["head_of_unit"])
OTP_REQUIRED_FOR_DECISIONS = env.bool("OTP_REQUIRED_FOR_DECISIONS", default=True)
OTP_TOTP_ISSUER = "Brussels International Permits"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="permits@international.brussels")

# --- Celery -------------------------------------------------------------------------------
# Without a broker the tasks run in-process (they are only ever enqueued after commit).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default=""))
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task taken by a worker that died is handed out again after this long (Redis broker).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=3600)
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Workers log through LOGGING (JSON lines with the request id), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "expire-licences-daily": {
        "task": "permits.tasks.expire_licences",
        "schedule": crontab(hour=0, minute=15),
    },
    "send-deadline-reminders-daily": {
        "task": "permits.tasks.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "warn-stale-reference-data-daily": {
        "task": "permits.tasks.warn_stale_reference_data",
        "schedule": crontab(hour=7, minute=5),
    },
    "lapse-denial-notices-daily": {
        "task": "permits.tasks.lapse_denial_notices",
        "schedule": crontab(hour=0, minute=30),
    },
    "generate-missing-decision-documents": {
        "task": "permits.decisions.tasks.generate_missing_decision_documents",
        "schedule": env.int("DECISION_DOCUMENT_SWEEP_SECONDS", default=600),
    },
    "verify-history-chain-daily": {
        "task": "permits.tasks.verify_history_chain",
        "schedule": crontab(hour=2, minute=0),
    },
    "verify-stored-files-daily": {
        "task": "permits.tasks.verify_stored_files",
        "schedule": crontab(hour=2, minute=30),
    },
    "deliver-pending-outbox": {
        "task": "outbox.tasks.deliver_pending_outbox",
        "schedule": crontab(minute="*/3"),
    },
}
# --- Outbox ----------------------------------------------------------------------------------
# A message still pending this long after its transaction committed is handed to a worker
# again by the sweep; after OUTBOX_MAX_ATTEMPTS failed sends it is marked failed.
OUTBOX_REDELIVERY_GRACE_MINUTES = env.int("OUTBOX_REDELIVERY_GRACE_MINUTES", default=5)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)

# --- History ---------------------------------------------------------------------------------
# The keys that seal the history's hash chain (workflow/chain.py), "id=key,id2=key2", kept
# outside the database so that database access alone cannot forge a record. Records name the
# key they were sealed with: keep every key that ever sealed one; HISTORY_CHAIN_KEY_ID seals new
# records. The development key is refused in production.
HISTORY_CHAIN_KEYS = env.dict(
    "HISTORY_CHAIN_KEYS", default={"dev": "dev-only-history-chain-key-not-for-production"}
)
HISTORY_CHAIN_KEY_ID = env("HISTORY_CHAIN_KEY_ID", default="dev")
# The code release written on every history record: RELEASE from the environment (set by the
# deployment), else the git commit of this checkout, else the package version.
RELEASE = env("RELEASE", default="")

# --- Permit workflow ------------------------------------------------------------------------
# Days a work item may stay open before it counts as overdue, by kind of task.
WORKFLOW_TASK_DUE_DAYS = {
    "review": env.int("WORKFLOW_REVIEW_DUE_DAYS", default=42),
    "provide_information": env.int("WORKFLOW_INFORMATION_DUE_DAYS", default=28),
    "approve": env.int("WORKFLOW_APPROVAL_DUE_DAYS", default=14),
}
# Licence validity in months when the application asks for none; the requested validity is
# capped by the maximum (dual-use individual and global authorisations: 2 years).
LICENCE_DEFAULT_VALIDITY_MONTHS = env.int("LICENCE_DEFAULT_VALIDITY_MONTHS", default=12)
LICENCE_MAX_VALIDITY_MONTHS = {
    "military": env.int("LICENCE_MAX_VALIDITY_MONTHS_MILITARY", default=36),
    "dual_use": 24,
    "civil_firearms": env.int("LICENCE_MAX_VALIDITY_MONTHS_FIREARMS", default=36),
    "law_enforcement": env.int("LICENCE_MAX_VALIDITY_MONTHS_LAW_ENFORCEMENT", default=36),
}

# --- Documents and decisions -----------------------------------------------------------------
# Address the public reaches this site at: QR codes on licences point to its /verify/ page.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
# PKCS#12 certificate that signs decision documents; without it they are produced unsigned.
DECISION_SIGNING_P12 = env("DECISION_SIGNING_P12", default="")
DECISION_SIGNING_PASSWORD = env("DECISION_SIGNING_PASSWORD", default="")
# An RFC 3161 timestamp authority for the signatures (empty: signatures carry no timestamp).
DECISION_TIMESTAMP_URL = env("DECISION_TIMESTAMP_URL", default="")
DECISION_TIMESTAMP_TIMEOUT_SECONDS = env.int("DECISION_TIMESTAMP_TIMEOUT_SECONDS", default=10)
# The appeal route printed on refusal letters, {language: [paragraphs]}; empty: the Council of
# State route of permits/decisions/texts.py. Whether an administrative appeal comes first is not
# in the public record: the unit's lawyers set it here.
DECISION_APPEAL_ROUTE: dict[str, list[str]] = {}
# Model-licence data required at submission, per kind ("default": every kind), e.g.
# {"export": ["eori_number", "commodity_code", "customs_office_of_export"]}. Empty: all optional,
# since the public record does not say what a Brussels licence requires.
SUBMISSION_REQUIRES: dict[str, list[str]] = {}
# Box 4 of the licence (contact point details): lines added under the unit's name and address,
# e.g. ["+32 2 800 00 00", "licences@example.brussels"]. Empty: none printed (none is invented).
DECISION_CONTACT_POINT: list[str] = env.list("DECISION_CONTACT_POINT", default=[])
# Goods currencies (ISO 4217): empty keeps permits.money.DEFAULT_CURRENCIES.
GOODS_CURRENCIES = env.list("GOODS_CURRENCIES", default=[]) or None
# A decision still without its document this long after being taken is re-enqueued by beat.
DECISION_DOCUMENT_GRACE_MINUTES = env.int("DECISION_DOCUMENT_GRACE_MINUTES", default=5)
# Stored files are re-hashed by a daily sweep (and `manage.py verify_files`), this many rows
# at a time. A file in the storage that no document row points at is removed once it is older
# than the grace period: a younger one may be a render or an upload not yet committed.
DOCUMENTS_VERIFY_BATCH_SIZE = env.int("DOCUMENTS_VERIFY_BATCH_SIZE", default=200)
DOCUMENTS_ORPHAN_GRACE_MINUTES = env.int("DOCUMENTS_ORPHAN_GRACE_MINUTES", default=60)
VERIFY_RATE_LIMIT = env("VERIFY_RATE_LIMIT", default="30/m")
RATELIMIT_VIEW = "permits.decisions.views.rate_limited"

# --- Compliance screening ------------------------------------------------------------------
# Name similarity (0-100, rapidfuzz token sort ratio on normalised names) from which a party is
# a likely match of a denial notice's consignee or end-user.
SCREENING_NAME_MATCH_THRESHOLD = env.int("SCREENING_NAME_MATCH_THRESHOLD", default=88)
SCREENING_END_USER_CERTIFICATE_MAX_AGE_DAYS = env.int("SCREENING_EUC_MAX_AGE_DAYS", default=365)
CONSULTATION_DUE_DAYS = env.int("CONSULTATION_DUE_DAYS", default=30)
# Decision deadlines, counted from the day the file is complete. Keys: "kind:regime", then
# "regime", then "default". Brussels' own statutory periods were not found (domain notes §6):
# the defaults follow the comparators there — firearms 60 working days (Reg. (EU) 258/2012),
# 84 days where the Government decides (military exports), 42 days elsewhere.
DECISION_DEADLINE_RULES = {
    "export:military": {"days": 84, "working_days": False},
    "civil_firearms": {"days": 60, "working_days": True},
    "default": {"days": 42, "working_days": False},
}
# Who decides, per licence family ("kind:regime", then "regime", then "default"): where the
# Brussels Government decides (military exports, domain notes §1), the head of unit's approval
# waits for the Government's decision to be recorded.
DECISION_AUTHORITY = {"export:military": "government", "default": "head_of_unit"}
# Standard conditions (codes) a proposal carries when it names none (the API's simple path).
LICENCE_DEFAULT_CONDITIONS = ["no-reexport", "report-use"]
# Regimes whose grant needs every criterion of the assessment framework assessed (Common
# Position 2008/944/CFSP for military goods, the considerations of Regulation (EU) 2021/821 for
# dual-use items). A regime missing here needs none.
DECISION_CRITERIA_REQUIRED = {
    "military": True,
    "dual_use": True,
    "civil_firearms": False,
    "law_enforcement": False,
}
# Reminders to the case manager this many days before the deadline; escalation when passed.
# Days the Brussels regional administration is closed beyond the national public holidays
# (MM-DD): Iris day, 2 and 15 November, 26 December and the days up to New Year. An overlay on
# the `holidays` package's Belgian calendar. Reminders never fall on one; whether statutory
# working-day clocks skip them too is a legal choice, hence the second setting.
REGIONAL_CLOSURE_DAYS = env.list(
    "REGIONAL_CLOSURE_DAYS",
    default=["05-08", "11-02", "11-15", "12-26", "12-27", "12-28", "12-29", "12-30", "12-31"],
)
STATUTORY_CLOCKS_SKIP_REGIONAL_CLOSURES = env.bool(
    "STATUTORY_CLOCKS_SKIP_REGIONAL_CLOSURES", default=False
)
# A loaded sanctions list (EU, UN) is due for review this many days after its publication.
SANCTIONS_LIST_REVIEW_DAYS = env.int("SANCTIONS_LIST_REVIEW_DAYS", default=7)
DEADLINE_REMINDER_DAYS = [10, 3]
# Applicants who have not answered an information request are reminded after these days.
INFORMATION_REMINDER_DAYS = [10, 18]
# An information request unanswered this many days closes the file (the applicant is told).
INFORMATION_REQUEST_LAPSE_DAYS = env.int("INFORMATION_REQUEST_LAPSE_DAYS", default=60)
# Whether case managers (not only the head of unit) may hand a file under review to another
# case manager; the head of unit decides, so it is off unless set.
REASSIGNMENT_BY_CASE_MANAGERS = env.bool("REASSIGNMENT_BY_CASE_MANAGERS", default=False)
# Holders of temporary licences are reminded this many days before goods are due back.
TEMPORARY_RETURN_REMINDER_DAYS = env.int("TEMPORARY_RETURN_REMINDER_DAYS", default=30)

# /healthz/ checks every component (a storage write, a worker ping): its answer is reused this
# many seconds within a process, so that callers cannot make it work harder than that.
HEALTH_CHECK_CACHE_SECONDS = env.int("HEALTH_CHECK_CACHE_SECONDS", default=5)

# One JSON object per line on standard error, web and workers alike (config/logs.py): time,
# level, logger, message, the request id (also in tasks the request enqueued) and user id; each
# request's own line adds method, path, status and duration_ms. LOG_FORMAT=text for reading
# by eye on a development machine.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="json"),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# --- REST API ---------------------------------------------------------------------------------
# /api/v1/: the same services and permission module as the pages. Browsers authenticate with
# their session, systems with personal API tokens (`Authorization: Bearer TOKEN`).
INSTALLED_APPS += ["django_filters", "drf_spectacular", "drf_spectacular_sidecar"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that an unauthenticated request is answered 401 with WWW-Authenticate.
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "config.api.permissions.AuditorsReadOnly",
        "accounts.permissions.SecondFactorPermission",
        "config.api.permissions.CustomsScope",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "config.api.throttling.UserThrottle",
        "config.api.throttling.AnonThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env("API_THROTTLE_USER", default="2000/hour"),
        "anon": env("API_THROTTLE_ANON", default="300/hour"),
    },
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "config.api.filters.StrictDjangoFilterBackend",
        "config.api.filters.StrictOrderingFilter",
    ],
    "EXCEPTION_HANDLER": "config.api.errors.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "OAS_VERSION": "3.1.0",
    "TITLE": "Brussels International — Permits API",
    "DESCRIPTION": (
        "Permit applications for arms, military material and dual-use goods: drafts, goods, "
        "parties, supporting documents, workflow transitions, decisions, licences and history. "
        "The same rules as the web application. Errors are RFC 9457 problem details."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SORT_OPERATIONS": True,
    "SORT_OPERATION_PARAMETERS": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.postprocess_request_id",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "permits.models.Status.choices",
        "ApplicationKindEnum": "permits.models.Kind.choices",
        "CountryEnum": "permits.api.serializers.COUNTRY_CODES",
        "DocumentKindEnum": "permits.api.document_serializers.DOCUMENT_KINDS",
        "UploadableDocumentKindEnum": "permits.api.document_serializers.UPLOADABLE_KINDS",
        "PartnerStatusEnum": "directory.models.Partner.Status",
        "LineOutcomeEnum": "permits.models.LineOutcome.choices",
        "DecisionOutcomeEnum": "permits.models.Decision.Outcome",
    },
}

# Company self-service: how long an invitation to join an organisation can be accepted.
ORGANISATION_INVITATION_VALID_DAYS = env.int("ORGANISATION_INVITATION_VALID_DAYS", default=7)
