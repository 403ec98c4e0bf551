"""Settings for Relief, read from the environment (see README, "Configuration").

One module with environment switches: development (DEBUG on, SQLite, Celery eager) is the
default; production turns DEBUG off and must be given a SECRET_KEY.
"""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from config.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_redis_url,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"  # noqa: S105 - refused below when DEBUG is off
SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off Relief refuses to start without one "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # PostgreSQL's index operator classes (the staff searches' trigram indexes, loans 0008);
    # harmless on SQLite: it acts only on PostgreSQL connections.
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "core",
    "loans",
    "learn",
    "relief",
    "risk",
    "reports",
    "servicing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "core.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: private, no-store for the API and signed-in pages.
    "core.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A sign-in form refused by the rate limits answers 429 (core.signin).
    "core.signin.SignInLimitMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout answer.
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
                "relief.context_processors.unread_notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent requests from the dev server and eager tasks share one file.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
# PostgreSQL cancels a web request's query after this long (a page then says the range is too
# large: core.views.server_error), so none keeps running after its request is gone; the
# worker's exports get longer (reports.tasks). JIT compiling costs the reports more than it
# saves on this app's queries: off.
WEB_STATEMENT_TIMEOUT_MS = env_int("WEB_STATEMENT_TIMEOUT_MS", 15_000, minimum=0)
WORKER_STATEMENT_TIMEOUT_MS = env_int("WORKER_STATEMENT_TIMEOUT_MS", 30 * 60_000, minimum=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={WEB_STATEMENT_TIMEOUT_MS} -c jit=off"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a check: a new password revokes the user's API token (its password_changed hook).
    {"NAME": "core.authentication.RevokeApiTokensOnPasswordChange"},
]
# django-axes counts failed sign-ins (the login page, the admin's, the API token) and locks
# out a username from an address after AXES_FAILURE_LIMIT failures for AXES_COOLOFF_MINUTES
# (docs/security.md, "Brute force").
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.middleware.lockout_response"
AXES_USERNAME_CALLABLE = "core.middleware.lockout_username"
# The address a sign-in comes from, as the rate limits count it (NUM_PROXIES below).
AXES_CLIENT_IP_CALLABLE = "core.throttles.client_address"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: Chinese by default, English available.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of zh-hans, en, got {LANGUAGE_CODE!r}")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# With DEBUG off pages name the files by the manifest `collectstatic` writes here (README,
# "Running with DEBUG off"); core.checks stops start-up when it is missing.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Evidence is private: kept outside the static files and served only through a view
# that checks who is asking.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media-not-served/"

# The cache holds the API's rate limits (DRF throttles), sessions (read from the cache, written
# through to the database) and data every quote reads (the active policy). With more than one
# web process it must be shared, or each process counts and caches on its own: Redis when
# CACHE_URL is set; one per process otherwise (development, `make run`), with database sessions.
CACHE_URL = env_redis_url("CACHE_URL")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": CACHE_URL,
        # A request must answer when Redis is away: a read then finds nothing and a write is
        # dropped (logged), so the limits are not checked and sessions and data are read from
        # the database. Django's own Redis backend raises instead, and its cached_db sessions
        # would turn every signed-in page into an error.
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
            "IGNORE_EXCEPTIONS": True,
        },
    }
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}
CACHES["default"]["KEY_PREFIX"] = "relief"
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHE_URL
    else "django.contrib.sessions.backends.db"
)

# Celery: eager (in-process) when REDIS_URL is unset, the embedded default of `make run`.
REDIS_URL = env_redis_url("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Short tasks: take one at a time so a slow task does not hold others hostage.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection before and after every task unless told
# to reuse it, and a new PostgreSQL connection (a backend forked, authenticated, configured)
# cost more than the triage itself. Reuse it; config.celery closes connections between tasks
# by Django's own rules instead (CONN_MAX_AGE, CONN_HEALTH_CHECKS), as between requests.
CELERY_DB_REUSE_MAX = 1000
# Emails and SMS wait in a queue of their own, so that a backlog of them never holds up the
# triage of new applications: a worker takes the next task from the first of these queues
# that has one ("queue_order_strategy" below), so triage first; the messages go out as soon
# as no triage waits. Every worker consumes every queue listed here unless started with -Q.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue("celery"), Queue("notifications")]
CELERY_TASK_ROUTES = {"relief.send_notification": {"queue": "notifications"}}
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 60, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 120, minimum=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A submit must answer quickly even when Redis is away: the sweeper re-sends later.
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 0,
    # Longer than any task may run, so acks_late redelivery does not duplicate live work.
    "visibility_timeout": 3600,
    # Take from the queues in the order of CELERY_TASK_QUEUES (the default rotates them).
    "queue_order_strategy": "priority",
}
# Publishing gives up fast when Redis is away: the request must answer, and the sweeper
# re-sends what could not be enqueued.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# Work enqueued after a commit (a triage, a message, an export; core.publishing) is published
# through a connection of its own that gives a frozen or absent Redis half a second, once:
# a request answers in under a second whatever Redis does, and the sweeper sends later. The
# worker's connection keeps the options above.
PUBLISH_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 0.5,
    "max_retries": 0,
}
CELERY_TIMEZONE = TIME_ZONE

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Relief <no-reply@relief.example>")
# Where a borrower can talk to a person (a rejected application's page says so).
CUSTOMER_SERVICE = {
    "phone": env_str("CUSTOMER_SERVICE_PHONE", "400-000-0000"),
    "email": env_str("CUSTOMER_SERVICE_EMAIL", "help@relief.example"),
}
# The site's address as borrowers reach it: links in emails and SMS (the satisfaction question).
SITE_URL = (env_str("SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
if not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"SITE_URL must start with https:// or http://, got {SITE_URL!r}")
# Any class with send(phone, text, *, client_reference); relief.services.notifications.SmsBackend.
SMS_BACKEND = env_str("SMS_BACKEND", "relief.services.notifications.LogSmsBackend")


def _throttle_rate(name: str, default: str) -> str:
    """A DRF rate such as "10/min" from the environment; a typo stops start-up."""
    import re

    value = (env_str(name) or default).strip()
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", value):
        raise ImproperlyConfigured(f"{name} must look like 10/min (per s, min, hour or day)")
    return value


# Days an API token (POST /api/v1/auth/token/) is valid; then sign in again.
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30, minimum=1)

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes an unauthenticated request a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's tokens, expiring after API_TOKEN_TTL_DAYS and revoked by a new password.
        "core.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # A JSON API: JSON in (uploads opt in to multipart per view), JSON out, never HTML.
    # DRF's JSON parser with a cap on size and nesting (core.parsers).
    "DEFAULT_PARSER_CLASSES": ["core.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        # Sign-in attempts (the login page, the admin's, the API token): per address and per
        # username (docs/security.md, "Brute force").
        "login": _throttle_rate("THROTTLE_LOGIN", "10/min"),
        "login_username": _throttle_rate("THROTTLE_LOGIN_USERNAME", "10/min"),
        "applications": _throttle_rate("THROTTLE_APPLICATIONS", "20/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # How many proxies of ours stand in front and append to X-Forwarded-For: the client's
    # address is the one the nearest of them saw. 0: REMOTE_ADDR, the header ignored (a
    # client could write any address into it and so escape every per-address limit).
    "NUM_PROXIES": env_int("NUM_PROXIES", 0, minimum=0),
}
# A request body other than uploaded files: at most this many bytes (413), and the API's JSON
# too (core.parsers). Files in one request: a case takes at most 10 (its service says so,
# next to the field); a request with more than 20 is refused before anything reads it (400).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1024)
DATA_UPLOAD_MAX_NUMBER_FILES = 20
SPECTACULAR_SETTINGS = {
    "TITLE": "Relief API",
    "DESCRIPTION": "Penalty-interest relief for consumer loans.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request and response bodies as separate components (read-only fields, uploads).
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # The docs page's assets come from the installed sidecar package, not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "LoanStatusEnum": "loans.models.Loan.Status",
        "ApplicationStatusEnum": "relief.models.ApplicationStatus",
        "SatisfactionMomentEnum": "relief.models.SatisfactionMoment",
        "SatisfactionOutcomeEnum": "relief.models.SatisfactionOutcome",
        "ArticleTagEnum": "learn.models.Tag",
        "PreferredLanguageEnum": "loans.models.Borrower.Language",
        "PreferredChannelEnum": "loans.models.Borrower.Channel",
        "InstallmentKindEnum": "loans.models.Installment.Kind",
        "ArrangementKindEnum": "loans.models.Arrangement.Kind",
        "ArrangementStatusEnum": "loans.models.Arrangement.Status",
    },
}

# Production hardening, on whenever DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A working day; then sign in again (docs/security.md, "Sessions").
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=300)
# No script of ours reads the CSRF cookie: forms carry the token, the API docs get it rendered.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# A form refused for its token gets the site's page, not Django's page for developers.
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Reports and exports (reports app, docs/reports.md). CSV and XLSX exports with more rows than
# the threshold are built by a background task; their files are kept this many days.
REPORTS_ASYNC_THRESHOLD = env_int("REPORTS_ASYNC_THRESHOLD", 50000, minimum=1)
REPORTS_EXPORT_TTL_DAYS = env_int("REPORTS_EXPORT_TTL_DAYS", 7, minimum=1)
# The dashboard marks a figure over fewer cases than this as too few to read as a trend.
REPORTS_FEW_CASES = env_int("REPORTS_FEW_CASES", 30, minimum=1)
# An export may run much longer than the other tasks (CELERY_TASK_TIME_LIMIT); keep it under
# the broker's visibility timeout (3600 s) so acks_late does not hand it to a second worker.
REPORTS_EXPORT_TIME_LIMIT = env_int("REPORTS_EXPORT_TIME_LIMIT", 1800, minimum=60)

# Triage (relief app, docs/operations.md). A triage task sent for a case counts as queued for
# this long: the sweeper sends another only after it passes, so an outage of many sweeps
# queues each case once per lease. Keep it longer than the queue's usual wait.
RELIEF_TRIAGE_LEASE_SECONDS = env_int("RELIEF_TRIAGE_LEASE_SECONDS", 120, minimum=1)
# How long a triage waits for a row another transaction holds before its task tries again.
RELIEF_TRIAGE_LOCK_TIMEOUT_MS = env_int("RELIEF_TRIAGE_LOCK_TIMEOUT_MS", 5000, minimum=10)
