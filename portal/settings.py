"""Settings for the Modelwise portal, read from the environment.

Development defaults need nothing installed: SQLite under ``var/`` and Celery's filesystem
broker. ``DATABASE_URL`` and ``CELERY_BROKER_URL`` switch to PostgreSQL and Redis.
Production (``DEBUG=False``) refuses to start without a real ``SECRET_KEY``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import orjson
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MODELWISE_VAR_DIR", BASE_DIR / "var"))

DEV_SECRET_KEY = "insecure-development-key-do-not-use-in-production"


def env_str(name: str, default: str = "") -> str:
    """The variable's value; unset or empty means the default."""
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is missing, the development key, or too weak: "
        "set SECRET_KEY to a random string of at least 50 characters."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "portal",
    "catalog",
    "evaluations",
    "routing",
    "probes",
]

MIDDLEWARE = [
    # Outermost: answers /healthz and /readyz before sessions or the database are touched, and turns
    # an oversized API body into a JSON 413 before anything reads it.
    "portal.middleware.HealthAndLimitsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Static files are answered above; every dynamic response gets the CSP and no-store.
    "portal.middleware.ResponseHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.PortalLoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: refuses sign-in attempts while an account or address is locked.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.app_navigation",
                "portal.context_processors.team_navigation",
                "catalog.context_processors.catalog_vocabulary",
            ],
        },
    },
]

# Database. Under ASGI every request runs in its own context, so Django's persistent connections
# (CONN_MAX_AGE > 0) are never reused, only piled up until PostgreSQL refuses new clients: keep
# DB_CONN_MAX_AGE=0 there and use DB_POOL=true (psycopg's pool, bounded per worker process) instead.
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 5)  # seconds to establish a connection
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 15_000)  # 0: no limit
DB_POOL = env_bool("DB_POOL", False)
# A database host that goes silent after connecting (dead host, dropped route, a firewall that eats
# the session): libpq's TCP keepalives probe an idle connection after DB_TCP_KEEPALIVES_IDLE s, every
# DB_TCP_KEEPALIVES_INTERVAL s, DB_TCP_KEEPALIVES_COUNT times, and DB_TCP_USER_TIMEOUT_MS drops a
# connection whose sent data stays unacknowledged that long (0: the kernel's default, ~15 min).
DB_TCP_KEEPALIVES_IDLE = env_int("DB_TCP_KEEPALIVES_IDLE", 30)
DB_TCP_KEEPALIVES_INTERVAL = env_int("DB_TCP_KEEPALIVES_INTERVAL", 10)
DB_TCP_KEEPALIVES_COUNT = env_int("DB_TCP_KEEPALIVES_COUNT", 3)
DB_TCP_USER_TIMEOUT_MS = env_int("DB_TCP_USER_TIMEOUT_MS", 30_000)
_default_db = dj_database_url.parse(
    env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
    conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
)
if _default_db["ENGINE"] == "django.db.backends.postgresql":
    _options = _default_db.setdefault("OPTIONS", {})
    _options["connect_timeout"] = DB_CONNECT_TIMEOUT
    _options["keepalives"] = 1
    _options["keepalives_idle"] = DB_TCP_KEEPALIVES_IDLE
    _options["keepalives_interval"] = DB_TCP_KEEPALIVES_INTERVAL
    _options["keepalives_count"] = DB_TCP_KEEPALIVES_COUNT
    _options["tcp_user_timeout"] = DB_TCP_USER_TIMEOUT_MS
    if DB_STATEMENT_TIMEOUT_MS:
        _options["options"] = f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
    if DB_POOL:
        if _default_db["CONN_MAX_AGE"]:
            raise ImproperlyConfigured(
                "DB_POOL=true needs DB_CONN_MAX_AGE=0: the pool keeps the connections."
            )
        _options["pool"] = {
            "min_size": env_int("DB_POOL_MIN_SIZE", 1),
            "max_size": env_int("DB_POOL_MAX_SIZE", 4),
            # Seconds a request waits for a free connection before it is answered 503.
            "timeout": env_int("DB_POOL_TIMEOUT", DB_CONNECT_TIMEOUT),
        }
elif DB_POOL:
    raise ImproperlyConfigured("DB_POOL=true needs a PostgreSQL DATABASE_URL.")
DATABASES = {"default": _default_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked account or address before a password is hashed.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# Hashed, compressed static files (cached for a year by browsers): always in production, and under
# `make run`, which collects them first. Off by default in development and tests, which read the
# source folders directly.
STATIC_HASHED = env_bool("STATIC_HASHED", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_HASHED
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Security: strict in production, relaxed only where local HTTP development needs it.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Forwarded headers are trusted only when a proxy that overwrites them stands in front (never when
# the app port is reachable directly, or any client could claim HTTPS or another address).
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Proxies in front that append to X-Forwarded-For; 0 means the client address is the socket's peer.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Content-Security-Policy sent with every page: scripts only from our own static files (no inline
# script anywhere); inline styles stay allowed for the API docs' and the admin's own templates.
CONTENT_SECURITY_POLICY = env_str(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
)

# Request bodies: the API answers 413 above this size (Django's own limit for forms is the same).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BODY_BYTES", 1_048_576)
API_JSON_MAX_DEPTH = 32
# Self-hosted x API pairs one cost report compares at most (each runs a break-even search); above
# it the cheapest options of each side are paired first and the report says so.
COST_REPORT_MAX_COMPARISONS = env_int("COST_REPORT_MAX_COMPARISONS", 500)

# Cache: shared by all web workers (Redis) for the API throttles; per process in development.
CACHE_URL = env_str("CACHE_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT failures an account, and separately an
# address, is refused for AXES_COOLOFF_MINUTES, with a 429 page that says so.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if TRUSTED_PROXY_COUNT else ["REMOTE_ADDR"]
)
AXES_VERBOSE = False
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.authentication.TeamTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.tenancy.IsMemberOrTeamToken"],
    # orjson renders the large decision reports several times faster than the stdlib encoder.
    "DEFAULT_RENDERER_CLASSES": [
        "drf_orjson_renderer.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Validation errors of list items are keyed by index (an int): let orjson write such keys.
    "ORJSON_RENDERER_OPTIONS": (orjson.OPT_NON_STR_KEYS,),
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.exceptions.api_exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "portal.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Throttles (429 with Retry-After): per token (or signed-in user) and per client address. Failed
    # token checks are throttled per address by the authentication class itself.
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.throttling.TokenRateThrottle",
        "portal.throttling.AddressRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("API_THROTTLE_TOKEN", "1200/min"),
        "address": env_str("API_THROTTLE_ADDRESS", "2400/min"),
        "auth_failures": env_str("API_THROTTLE_AUTH_FAILURES", "30/min"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Modelwise API",
    "DESCRIPTION": (
        "Model catalog, recommendations, cost reports and routing for LLM decisions.\n\n"
        "[← Back to the portal](/) · API tokens are made by a team's owner on the team's Tokens page; "
        "send one as `Authorization: Bearer mw_...`. Signed in to the portal, *Try it out* works with "
        "your session: every example below can be sent as it stands."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from the sidecar package's static files: the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Catalog models and routing backends share one kind vocabulary: one enum in the schema.
    "ENUM_NAME_OVERRIDES": {
        "ModelKindEnum": "catalog.models.ModelKind",
        # A cost report option's basis and the option a ranked result was priced by: one enum.
        "CostBasisEnum": ["api", "self_hosted"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.schema.error_responses_hook",
    ],
}

# Celery: the filesystem transport needs no server; CELERY_BROKER_URL=redis://... switches to Redis.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)  # kombu expects the folders to exist
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if CELERY_BROKER_URL.startswith("redis"):
    # A broker that is down fails an enqueue within seconds (the page then says so), not minutes.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
    CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Two queues: "default" for everything, "probes" for probe rounds and shadow calls, so slow upstream
# calls never hold up the rest. Workers listen on both (make run, docker-compose); a task name
# starting "probes." goes to "probes" without saying so.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = tuple(Queue(name, Exchange(name), routing_key=name) for name in ("default", "probes"))
CELERY_TASK_ROUTES = {"probes.*": {"queue": "probes"}}
# Every task has time limits: the soft one raises SoftTimeLimitExceeded inside the task so it can
# stop cleanly, the hard one kills the worker process. Tasks that need less say so themselves.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# At-least-once delivery for probe rounds: one message in hand per worker process (a killed worker
# loses nothing it had not started; its unacknowledged message is delivered again).
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
if CELERY_BROKER_URL.startswith("redis"):
    # Unacknowledged messages of a dead worker come back after this many seconds.
    # It must exceed the longest task's hard time limit (probe rounds: PROBES_ROUND_SOFT_LIMIT_S + 30).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
        "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
        "unacked_restore_throttle": env_int("CELERY_UNACKED_RESTORE_THROTTLE", 10),
    }

# Probes: concurrent calls per round, per-call timeout, and the round's time limit.
PROBES_CONCURRENCY = env_int("PROBES_CONCURRENCY", 50)
PROBES_CALL_TIMEOUT_S = env_int("PROBES_CALL_TIMEOUT_S", 30)
PROBES_ROUND_SOFT_LIMIT_S = env_int("PROBES_ROUND_SOFT_LIMIT_S", 600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # django-axes logs every sign-in at INFO; lockouts are warnings and stay visible.
        "axes": {"level": "WARNING"},
        # httpx logs every upstream request at INFO: far too chatty (and too slow) for the gateway.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

# The gateway (data plane, see routing/gateway/). Budgets are counted in Redis when there is one, so
# several gateway processes and replicas share one figure; otherwise in the database.
GATEWAY_REDIS_URL = env_str(
    "GATEWAY_REDIS_URL", CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else ""
)
GATEWAY_BUDGET_KEY_PREFIX = env_str("GATEWAY_BUDGET_KEY_PREFIX", "modelwise:gateway:spend")
GATEWAY_MAX_BODY_BYTES = env_int("GATEWAY_MAX_BODY_BYTES", 4 * 1024 * 1024)
GATEWAY_MAX_TOKENS = env_int("GATEWAY_MAX_TOKENS", 131_072)
GATEWAY_MAX_CONNECTIONS = env_int("GATEWAY_MAX_CONNECTIONS", 512)
GATEWAY_BREAKER_FAILURES = env_int("GATEWAY_BREAKER_FAILURES", 5)
GATEWAY_BREAKER_COOLDOWN_S = float(env_str("GATEWAY_BREAKER_COOLDOWN_S", "30"))
GATEWAY_CONFIG_POLL_S = float(env_str("GATEWAY_CONFIG_POLL_S", "1"))
GATEWAY_LOG_FLUSH_S = float(env_str("GATEWAY_LOG_FLUSH_S", "1"))
GATEWAY_LOG_BATCH = env_int("GATEWAY_LOG_BATCH", 500)

# In development WhiteNoise serves straight from the source folders, no collectstatic needed.
WHITENOISE_USE_FINDERS = DEBUG and not STATIC_HASHED
WHITENOISE_AUTOREFRESH = DEBUG and not STATIC_HASHED

# Routing: raw request logs are kept this many days (hourly rollups are kept for good); the local
# upstream that `make run` starts and the demo team's backends point at.
ROUTING_LOG_RETENTION_DAYS = env_int("ROUTING_LOG_RETENTION_DAYS", 30)
LOCAL_UPSTREAM_URL = env_str("LOCAL_UPSTREAM_URL", "http://127.0.0.1:8100")
# Backend API keys are encrypted under a key derived from this secret (default: SECRET_KEY). Set it
# apart so rotating SECRET_KEY does not make the stored keys unreadable.
ROUTING_KEY_SECRET = env_str("ROUTING_KEY_SECRET", "")
