"""LabShare settings, read from the environment.

With DATABASE_URL and REDIS_URL unset the platform runs embedded: SQLite and
Celery in eager mode. Set, it runs on PostgreSQL with Redis as broker and cache.
"""

from pathlib import Path

import dj_database_url

from config.env import env_bool, env_int, env_list, env_str, redis_url_for_test_worker

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)
_INSECURE_KEY = "django-insecure-labshare-embedded-default-only"  # noqa: S105
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _INSECURE_KEY)
PRODUCTION = env_bool("LABSHARE_PRODUCTION", False)
if PRODUCTION and (SECRET_KEY == _INSECURE_KEY or len(set(SECRET_KEY)) < 5 or len(SECRET_KEY) < 50):
    from django.core.exceptions import ImproperlyConfigured

    # Django's deploy check only warns about a short key; a production start refuses one.
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set, at least 50 characters with 5 distinct ones, "
        "when LABSHARE_PRODUCTION is on"
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "allauth",
    "allauth.account",
    "axes",
    "import_export",
    "accounts",
    "facilities",
    "booking",
    "vouchers",
    "tracker",
    "statements",
    "frontend",
    # config's root, above every app: the seed_demo command (config/management).
    "config",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.headers.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.bad_input.ControlCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.ActingAsMiddleware",
    # Before the acting chooser: exceptions pass through middleware bottom-up, so the
    # chooser answers "which firm?" first and this answers any other domain error.
    "config.bad_input.DomainErrorPageMiddleware",
    "frontend.middleware.ActingChoiceMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # frontend/templates is listed first so that its account/ and allauth/ templates
        # override allauth's own (APP_DIRS would pick allauth's, which comes earlier).
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "frontend.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
            conn_health_checks=True,
        )
    }
    # Parameters sent apart from the SQL, and a statement prepared the fifth time it runs on
    # a connection (Django leaves psycopg's preparing off unless prepare_threshold is set):
    # PostgreSQL then stops parsing and planning the booking path's queries on every call,
    # which cost it more than running them. Turn off behind PgBouncer in transaction mode.
    _engine = DATABASES["default"]["ENGINE"]
    if _engine.endswith("sqlite3"):  # a sqlite:// URL: the embedded default's options
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            transaction_mode="IMMEDIATE", timeout=20
        )
    elif env_bool("DB_SERVER_SIDE_BINDING", True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # A write transaction takes the database lock at BEGIN, so two
            # bookings can never interleave their check and insert on SQLite.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
# A streaming replica of the primary, read only by the selectors that ask for it
# (config/db_router.py: the tracker's dashboard, public summary, exports, reconciliation).
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# While the database cannot be reached, pages and the API answer 503 with this Retry-After.
OUTAGE_RETRY_AFTER_SECONDS = env_int("OUTAGE_RETRY_AFTER_SECONDS", 5)
DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# --- Cache and Celery -----------------------------------------------------
REDIS_URL = redis_url_for_test_worker(env_str("REDIS_URL"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                # Redis down = a cache miss, not a 500: token lookups fall back to the
                # database and the pages render uncached (a warning is logged).
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    # Every signed-in request reads its session: from Redis, the database only on a miss
    # (and when Redis is down), instead of a query each time. Writes go to both.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    # A publish to a broker that is down fails fast (config.queueing logs it) instead of
    # holding the request through kombu's retries.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 2}
    CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "labshare")
# A TrueType font with Chinese (e.g. /usr/share/fonts/truetype/wqy/wqy-microhei.ttc) to embed
# in statement PDFs; empty: ReportLab's built-in STSong-Light, which PDF readers supply.
STATEMENT_PDF_FONT = env_str("STATEMENT_PDF_FONT", "")
CELERY_BEAT_SCHEDULE: dict = {}  # each app adds its periodic tasks in config/celery.py

# --- Auth -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Where config.idempotency keeps its records: named here, as the user model is, so the
# ground layer (config) never imports an app above it.
IDEMPOTENCY_RECORD_MODEL = "accounts.IdempotencyRecord"
AUTHENTICATION_BACKENDS = [
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "frontend:home"
LOGOUT_REDIRECT_URL = "frontend:landing"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[LabShare] "
ACCOUNT_LOGOUT_ON_GET = False
# axes locks one account after failed sign-ins from one address; these per-address limits
# stop password spraying across many accounts (allauth's per-account limits would double-count).
ACCOUNT_RATE_LIMITS = {
    "login": env_str("LOGIN_RATE_PER_IP", "30/m/ip"),
    "login_failed": env_str("LOGIN_FAILED_RATE_PER_IP", "20/10m/ip"),
}

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# allauth passes {"email": ...}, the token endpoint too: one callable finds the address.
AXES_USERNAME_CALLABLE = "accounts.lockout.username_of"
# JSON {code, detail, fields} under /api/, the lockout page elsewhere.
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"

# --- Email ----------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_HOST")
if EMAIL_URL:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = EMAIL_URL
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# An explicit backend wins (e.g. the file backend in the Celery worker test).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", EMAIL_BACKEND)
if env_str("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "LabShare <noreply@labshare.cn>")

# --- Internationalisation -------------------------------------------------
CSRF_FAILURE_VIEW = "frontend.views.errors.csrf_failure"
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [("vendor", BASE_DIR / "node_modules")]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": env_str("FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# S3-compatible object storage (AWS S3, Aliyun OSS, MinIO, …) for uploads, testing
# reports included, when a bucket is named. Objects stay private (signed URLs only);
# reports are streamed by views that check who asks.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "location": env_str("AWS_LOCATION"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- API ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "config.bad_input.LimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "config.negotiation.ContentNegotiation",
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttling.AnonRateThrottle",
        "config.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_ANON_RATE", "120/min"),
        "user": env_str("API_USER_RATE", "100000/min"),
        "token_obtain": env_str("API_TOKEN_RATE", "20/min"),
    },
    "DATETIME_FORMAT": "iso-8601",
}
# How many reverse proxies in front of the web processes append to X-Forwarded-For
# (nginx alone: 1). Only their entries are trusted for the client's address (config.client_ip).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Content-Security-Policy: scripts only from our own origin, so an injected <script> or
# onclick does nothing; the templates carry none (page behaviours live in
# frontend/static/frontend/js/behaviours.js, and tests/test_csp.py keeps it so). Styles
# allow inline: progress bars and chart heights are style attributes, and htmx adds its
# indicator <style>; an injected style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SPECTACULAR_SETTINGS = {
    "TITLE": "LabShare API",
    "DESCRIPTION": "Shared instruments and testing services for small firms.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc served from the installed sidecar package: /api/docs/ works offline;
    # the split view serves its start-up script as a file, so the CSP needs no inline script.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "accounts.models.Organisation.Kind",
        "ProviderKindEnum": "accounts.models.ProviderProfile.Kind",
        "InstrumentStatusEnum": "facilities.models.Instrument.Status",
        "BlackoutKindEnum": "facilities.models.Blackout.Kind",
        "ImportBatchKindEnum": "facilities.models.ImportBatch.Kind",
        "BookingStatusEnum": "booking.models.Booking.Status",
        "ServiceRequestStatusEnum": "booking.models.ServiceRequest.Status",
        "ProgrammeKindEnum": "vouchers.models.Programme.Kind",
        "ProgrammeStatusEnum": "vouchers.models.Programme.Status",
        "VoucherApplicationStatusEnum": "vouchers.models.VoucherApplication.Status",
        "LedgerEntryKindEnum": "vouchers.models.LedgerEntry.Kind",
        "UsageKindEnum": "tracker.models.UsageKind",
    },
}

# --- Domain settings ------------------------------------------------------
# Zhejiang's sharing platform lists instruments from ¥300,000; the national rule is ¥500,000.
LARGE_INSTRUMENT_THRESHOLD_FEN = env_int("LARGE_INSTRUMENT_THRESHOLD_FEN", 30_000_000)
BOOKING_NO_SHOW_GRACE_MINUTES = env_int("BOOKING_NO_SHOW_GRACE_MINUTES", 30)
# Check-in (the session log) opens this long before the booked start, not on the booked day.
BOOKING_CHECK_IN_OPENS_MINUTES = env_int("BOOKING_CHECK_IN_OPENS_MINUTES", 30)
BOOKING_REMINDER_HOURS = env_int("BOOKING_REMINDER_HOURS", 24)
# How long a waitlisted firm has to claim a freed range once it is offered (minutes).
BOOKING_WAITLIST_CLAIM_MINUTES = env_int("BOOKING_WAITLIST_CLAIM_MINUTES", 60)
SERVICE_REQUEST_AUTO_COMPLETE_DAYS = env_int("SERVICE_REQUEST_AUTO_COMPLETE_DAYS", 7)
# Utilisation (利用率) = effective hours ÷ this yearly basis (Chongqing uses 1,400).
TRACKER_UTILISATION_BASIS_HOURS = env_int("TRACKER_UTILISATION_BASIS_HOURS", 1600)
# How long the public summary of the targets is cached (seconds).
TRACKER_PUBLIC_SUMMARY_SECONDS = env_int("TRACKER_PUBLIC_SUMMARY_SECONDS", 300)
# Where the platform is served: the base of every link in e-mails and iCal feeds. `make run`
# passes its own HOST and PORT; the default is that of a plain `make run`.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Security (clean under `check --deploy` with LABSHARE_PRODUCTION=1) ----
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_HTTPONLY = True
# Powerful browser features no page of ours uses, off for every page (config.headers).
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
WHITENOISE_USE_FINDERS = not PRODUCTION
