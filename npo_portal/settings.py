"""Settings for NPO Portal, read from the environment.

With nothing set the portal runs on the embedded defaults: SQLite in the project folder,
Celery tasks executed in-process, mail printed to the console. Every variable is listed in
the README's configuration table.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    """The variable's value; unset or empty (an env file's `NAME=`) means the default."""
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off.")
    SECRET_KEY = "embedded-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "npo_portal.views.csrf_failure"

INSTALLED_APPS = [
    "accounts",
    "identity",
    "schools",
    "plans",
    "finance",
    "reporting",
    "api",
    "insight",
    "auditing",
    "settlement",
    "dataset",
    "archive",
    "npo_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    # First: every later line of the request's logs carries its id.
    "npo_portal.middleware.RequestIdMiddleware",
    "npo_portal.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "npo_portal.middleware.RefuseNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "npo_portal.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, giving sessions of a replaced backend the one that replaced it.
    "accounts.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "npo_portal.middleware.QueueUnavailableMiddleware",
    # The code (or its set-up) before any page, for accounts that have or need a second factor.
    "identity.middleware.SecondFactorMiddleware",
    # An auditor's every request: logged, and only read-only pages within the access window.
    "auditing.middleware.AuditorAccessMiddleware",
    # Lets the audit trail record who made each change.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "identity.middleware.ProviderLogoutFormActionMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by the backend into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "npo_portal.urls"
WSGI_APPLICATION = "npo_portal.wsgi.application"

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
                "npo_portal.context_processors.help_contact",
                "accounts.themes.context",
                "npo_portal.navigation.navigation",
            ],
            "libraries": {"portal": "npo_portal.templatetags.portal"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The portal runs short OLTP queries. PostgreSQL JIT-compiles any query whose estimated
    # cost passes jit_above_cost, and a city's school list with its answers passed it:
    # compiling took 134 ms of a 137 ms execution (issue 22). No query here runs long
    # enough to win that back, so JIT is off for the portal's connections. Parallel workers
    # likewise: the spending summary's query for one municipality (the figures of every
    # finance page, and of each municipality on the national monitor) was planned with two,
    # whose start cost some 10 ms of CPU and 8 ms of waiting for a 2-3 ms query (issue 32).
    database_options = DATABASES["default"].setdefault("OPTIONS", {})
    database_options["options"] = (
        f"{database_options.get('options', '')} -c jit=off -c max_parallel_workers_per_gather=0"
    ).strip()
else:
    # The spending summary's one-row-per-group constraint needs NULLS NOT DISTINCT, which
    # SQLite lacks; on SQLite (make run) the summary is written by an update-or-insert
    # instead (finance.summary), so the warning says nothing the code does not handle.
    SILENCED_SYSTEM_CHECKS = ["models.W047"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the user's organisation with the user (one query less
    # per request). Sessions that still name ModelBackend keep working: accounts/backends.py.
    "accounts.backends.UserBackend",
    # Users signed in through their organisation's OpenID Connect provider.
    "identity.oidc.OrganisationOIDCBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Older hashes are upgraded to argon2 at the next login.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)

# Failed logins: after AXES_FAILURE_LIMIT attempts for one username from one address, that
# pair is locked out for AXES_COOLOFF_MINUTES; a successful login clears the count.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Failures are reset only when the whole sign-in succeeded, including the second factor
# (identity.signals); resetting at the password would make wrong codes free to guess.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# The client's address as the trusted proxy saw it (X-Forwarded-For), not the proxy's own:
# otherwise one user's typos would lock out everyone behind the same proxy address.
PORTAL_TRUSTED_PROXIES = env_int("PORTAL_TRUSTED_PROXIES", 0)
AXES_CLIENT_IP_CALLABLE = "npo_portal.client_ip.client_ip"

# Two-factor authentication (TOTP with recovery codes, django-otp): required for these roles'
# local accounts, optional for the others; users of an organisation's provider are not asked.
# Who users ask about the portal and the regulation's terms (footer and help texts).
PORTAL_HELP_CONTACT = env_str("PORTAL_HELP_CONTACT")
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", ["financien", "beheerder"])
OTP_TOTP_ISSUER = "NPO Portal"
# Seconds to wait for an organisation's OpenID Connect provider.
OIDC_TIMEOUT_SECONDS = env_int("OIDC_TIMEOUT_SECONDS", 10)
# Fernet keys for secrets kept in the database (npo_portal.encryption): the first encrypts,
# all decrypt. Empty: one derived from SECRET_KEY (development only; see the README).
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])

# Dutch first; dates as dd-mm-jjjj and amounts as € 1.234,56 (formats/ per language).
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
# The project's own texts, then the Dutch for texts of packages (make messages, Makefile).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_packages"]
FORMAT_MODULE_PATH = ["npo_portal.formats"]
USE_I18N = True
USE_THOUSAND_SEPARATOR = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Uploaded and generated files (reports, imports). Never served as static URLs: downloads go
# through views that check access. On the filesystem under MEDIA_ROOT unless S3_BUCKET names a
# bucket of an S3-compatible object store: several web and worker machines then share the
# files without a shared disk. The bucket stays private; files are streamed through the
# portal's views after their permission check, never handed out as public URLs.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
S3_BUCKET = env_str("S3_BUCKET")
S3_ENDPOINT_URL = env_str("S3_ENDPOINT_URL")
S3_REGION = env_str("S3_REGION")
S3_ACCESS_KEY_ID = env_str("S3_ACCESS_KEY_ID")
S3_SECRET_ACCESS_KEY = env_str("S3_SECRET_ACCESS_KEY")
# "path" (bucket in the path, what most self-hosted stores want), "virtual" or empty (auto).
S3_ADDRESSING_STYLE = env_str("S3_ADDRESSING_STYLE")


def s3_storage(**overrides) -> dict:
    """The default storage on S3 as configured above (tests pass their own server)."""
    options = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": S3_ENDPOINT_URL or None,
        "region_name": S3_REGION or None,
        "access_key": S3_ACCESS_KEY_ID or None,
        "secret_key": S3_SECRET_ACCESS_KEY or None,
        "addressing_style": S3_ADDRESSING_STYLE or None,
        "signature_version": "s3v4",
        # Private objects; nothing is ever linked to directly.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 60,
        # A name that exists gets a new one rather than replacing another file.
        "file_overwrite": False,
        # A file opened for reading spills to a temporary file past 2 MB instead of being
        # held whole in memory (the backend's default keeps it all in memory).
        "max_memory_size": 2 * 1024 * 1024,
        **overrides,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": s3_storage()
    if S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        # whitenoise's, saying "run collectstatic" when its manifest is missing.
        else "npo_portal.staticfiles.PortalStaticFilesStorage"
    },
}

# Source maps (58 % of the static bytes: Bootstrap's, Swagger UI's, Redoc's) are fetched only
# by a developer's browser tools; compressing them with Brotli was most of collectstatic's
# time in the image build. They are still served, uncompressed.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: console unless an SMTP host is configured; EMAIL_BACKEND overrides both.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or None
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "NPO Portal <noreply@npo-portal.localhost>")
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Celery: a broker URL switches from in-process execution to real workers.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or env_str("REDIS_URL")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or env_str("REDIS_URL") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "npo")
# Reports and imports on queues of their own ("npo-reports", "npo-imports"), so that a
# slow import never holds up a report; see npo_portal.celery.
CELERY_TASK_ROUTES = ("npo_portal.celery.route_task",)
# A task that runs longer is stopped (soft: it records the failure; hard: the process goes).
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 10 * 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 11 * 60)
# A task whose worker dies (SIGKILL, out of memory) goes back to the queue, not lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A broker that is down answers "no" within seconds, so the page can say so (instead of
# retrying for 20 s and answering 500): a refused connection at once, one that is accepted
# and then silent after the socket timeout (npo_portal.queueing).
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 2)
CELERY_BROKER_SOCKET_TIMEOUT = env_int("CELERY_BROKER_SOCKET_TIMEOUT", 3)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": CELERY_BROKER_SOCKET_TIMEOUT,
    "max_retries": 1,
    # A task taken by a worker that then died (SIGKILL, out of memory) goes back to the
    # queue after this long. Just above the hard time limit: no task still running is ever
    # handed out twice, and none waits the default hour.
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + 60,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = CELERY_BROKER_CONNECTION_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = CELERY_BROKER_SOCKET_TIMEOUT
# Jobs keep their state in the database and are sent without a result (queueing.enqueue);
# where a result is stored after all, a store that is down is given up on quickly.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_TIMEZONE = TIME_ZONE
# Run by `celery -A npo_portal beat`: every morning, remind boards before a round's deadline.
CELERY_BEAT_SCHEDULE = {
    "needs-round-deadline-reminders": {
        "task": "schools.tasks.send_deadline_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Jobs whose worker died (reports, imports, archive packages) end failed within a
    # minute, and those no worker took in time (npo_portal.jobs.sweep).
    "fail-stuck-jobs": {
        "task": "npo_portal.fail_stuck_jobs",
        "schedule": 60,
    },
    # The national monitor's figures recomputed where money changed and its change log
    # folded, at night, so that the ministry's first visitor does not wait (insight/).
    "refresh-national-monitor": {
        "task": "insight.tasks.refresh_monitor",
        "schedule": crontab(hour=2, minute=30),
    },
    # Finance officers hear in time that a settlement decision's objection period ends.
    "settlement-objection-reminders": {
        "task": "settlement.tasks.queue_objection_reminders",
        "schedule": crontab(hour=7, minute=15),
    },
    # Destruction lists proposed where retention ran out, and the accounts of people who
    # left anonymised, on the same schedule (archive/).
    "propose-destruction-lists": {
        "task": "archive.tasks.propose_destruction_lists",
        "schedule": crontab(hour=3, minute=15),
    },
}
# An account deactivated this many months ago is anonymised (AVG art. 5(1)(e)): a default
# for the municipality's privacy officer to confirm (archive/anonymise.py).
ANONYMISE_DEACTIVATED_USERS_AFTER_MONTHS = env_int("ANONYMISE_DEACTIVATED_USERS_AFTER_MONTHS", 12)
NEEDS_REMINDER_DAYS_BEFORE_DEADLINE = env_int("NEEDS_REMINDER_DAYS_BEFORE_DEADLINE", 3)
# How many days before a settlement decision's objection deadline its finance officers are
# reminded (issue 30), and how large the decision's letter (a PDF) may be.
OBJECTION_REMINDER_DAYS_BEFORE_DEADLINE = env_int("OBJECTION_REMINDER_DAYS_BEFORE_DEADLINE", 14)
SETTLEMENT_LETTER_MAX_MB = env_int("SETTLEMENT_LETTER_MAX_MB", 10)
# An expenditure import still waiting or running after this long (its worker died) may be
# aborted by the municipality's finance officer.
EXPENDITURE_IMPORT_TIMEOUT_MINUTES = env_int("EXPENDITURE_IMPORT_TIMEOUT_MINUTES", 30)
# A report still waiting for a worker after this long is marked failed (no worker runs, or
# the queue is far behind); a batch of every municipality takes about 15 minutes.
REPORT_QUEUE_TIMEOUT_MINUTES = env_int("REPORT_QUEUE_TIMEOUT_MINUTES", 60)
# A job (report, import) waiting longer than this for a worker says so on its page; a queue
# whose oldest job waited longer than QUEUE_STALLED_SECONDS is "stalled" in /health/ and
# on the admin's index (npo_portal.queues): no worker takes its work.
JOB_EXPECTED_WAIT_SECONDS = env_int("JOB_EXPECTED_WAIT_SECONDS", 120)
QUEUE_STALLED_SECONDS = env_int("QUEUE_STALLED_SECONDS", 300)

# What one uploaded table (CSV or XLSX) may cost, checked before it is read. The defaults
# fit the largest municipality's yearly file (about 30,000 rows) with room to spare.
IMPORT_MAX_UPLOAD_MB = env_int("IMPORT_MAX_UPLOAD_MB", 25)
IMPORT_MAX_UNPACKED_MB = env_int("IMPORT_MAX_UNPACKED_MB", 100)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 50_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 100)
IMPORT_MAX_FIELD_CHARS = env_int("IMPORT_MAX_FIELD_CHARS", 2_000)
# A refusal lists this many bad rows, then says how many more there are.
IMPORT_MAX_REPORTED_ERRORS = env_int("IMPORT_MAX_REPORTED_ERRORS", 100)
# The accountability report's PDF lists at most this many expenditures not charged to the
# grant, after their counts and sums per reason, month and goal; the spreadsheet and the
# audit dossier hold every line (WeasyPrint's cost grows with each table row).
REPORT_INELIGIBLE_LINES = env_int("REPORT_INELIGIBLE_LINES", 25)
# The audit dossier's page shows this many rows per list; its spreadsheet holds them all.
DOSSIER_PAGE_ROWS = env_int("DOSSIER_PAGE_ROWS", 100)
# The cache all processes share: the API's request counts per token, the sign-in
# providers' discovery documents and the finance pages' figures (insight.figures). Without CACHE_URL each process counts in its own memory,
# so that behind N gunicorn workers a token gets N times API_THROTTLE_RATE. A Redis
# database of its own, not the broker's: clearing a Redis cache empties its whole database.
CACHE_URL = env_str("CACHE_URL")
CACHES = {
    "default": (
        {
            # Django's RedisCache, reusing its client object (npo_portal/cache.py).
            "BACKEND": "npo_portal.cache.ReusingRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "npo",
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions are read on every request: with a shared cache from the cache (written through to
# the database, which stays the record), saving a query per page (issue 32). A cache of each
# process's own memory would let one process keep a session another has ended, so without
# CACHE_URL they stay in the database only.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHE_URL
    else "django.contrib.sessions.backends.db"
)
# How long the finance pages' figures stay cached at most. A change of the books gives them a
# new key at once; this only bounds how long unused entries (and, after a deploy, figures
# rendered by the previous release) are kept.
FIGURES_CACHE_SECONDS = env_int("FIGURES_CACHE_SECONDS", 600)
# The API for the municipality's own systems (api/): tokens, limits and the OpenAPI schema.
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "600/minute")
API_MAX_REQUEST_BYTES = env_int("API_MAX_REQUEST_BYTES", 2 * 1024 * 1024)
# Lists and objects in a request body nest at most this deep (a bulk needs 3).
API_MAX_JSON_DEPTH = env_int("API_MAX_JSON_DEPTH", 10)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "NPO Portal API",
    "DESCRIPTION": (
        "De API waarmee het financiële systeem van een gemeente uitgaven aan het NPO Portal "
        "doorgeeft en totalen, betalingen, verantwoordingen en het behoeftebeeld terugleest. "
        "Bedragen zijn tekst met twee decimalen, datums ISO 8601; fouten zijn "
        "application/problem+json (RFC 9457)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_problem_responses",
        "api.schema.state_value_constraints",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Production hardening; `manage.py check --deploy` must report nothing with DEBUG off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts and styles only from our own static files; no inline script at all. Inline style
# *attributes* stay allowed (Bootstrap components and the admin set them), <style> does not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SESSION_COOKIE_HTTPONLY = True
# The health checks and the metrics are fetched over plain HTTP by the container runtime, the
# orchestrator and the monitoring inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^health/live/$", r"^metrics$"]
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Observability. /metrics (npo_portal.metrics) answers only requests that carry
# "Authorization: Bearer <METRICS_TOKEN>"; without a token it does not exist.
METRICS_TOKEN = env_str("METRICS_TOKEN")
# Take the request id from an incoming X-Request-ID header (set by the TLS proxy) instead of
# making one. Only behind a proxy that sets or overwrites that header: a client's own would
# otherwise be trusted.
PORTAL_TRUST_REQUEST_ID = env_bool("PORTAL_TRUST_REQUEST_ID", False)
# Log lines on stdout: "json" (one object per line, for a log collector) or "plain" (for
# reading in a terminal). Both in UTC, with the request id.
LOG_FORMAT = env_str("LOG_FORMAT", "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}")
# Celery's worker keeps the logging configured here instead of its own (local-time) format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "npo_portal.logs.JsonFormatter"},
        "plain": {"()": "npo_portal.logs.PlainFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "stream": "ext://sys.stdout",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes announces itself at every start (its lockouts are warnings), and
    # WeasyPrint narrates every layout step at INFO, bagit every file it hashes.
    "loggers": {
        # Django's own console handler (with DEBUG on) would print its lines a second time,
        # not as JSON; they reach the root handler above instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "axes.apps": {"level": "WARNING"},
        "bagit": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The national monitor reads each municipality's report status through this provider, so
# that the insight app does not import reporting (nothing does; reporting offers it).
INSIGHT_REPORT_STATUSES = "reporting.selectors.report_statuses"

# Sections that other apps add to the plan page and the plan's PDF, each a function
# `(*, plan, user, medium)` returning (template, context) or None; the plan does not import
# them (plans ← schools, finance → plans: the golden thread depends on all three).
PLAN_DOCUMENT_EXTENSIONS = ["insight.extensions.plan_golden_thread"]
