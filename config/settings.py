"""One settings module, driven by environment variables.

It fails loudly: a production configuration (DEBUG and SANDBOX both false) without a
SECRET_KEY, or with OTP_TEST_CODE set, refuses to start.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# Sandbox providers (KYC, payouts, SMS) are the default everywhere but production.
SANDBOX = env.bool("SANDBOX", default=True)
PRODUCTION = not DEBUG and not SANDBOX

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG and SANDBOX are false.")
    SECRET_KEY = "insecure-development-key-never-use-in-production-0123456789"

OTP_TEST_CODE = env.str("OTP_TEST_CODE", default="")
if OTP_TEST_CODE and not SANDBOX:
    raise ImproperlyConfigured("OTP_TEST_CODE is allowed only when SANDBOX is true.")
if OTP_TEST_CODE and (len(OTP_TEST_CODE) != 6 or not OTP_TEST_CODE.isdigit()):
    raise ImproperlyConfigured("OTP_TEST_CODE must be six digits.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"] if not PRODUCTION else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])


def _database_url() -> str:
    """DATABASE_URL, or the URL the embedded PostgreSQL wrote under var/ (scripts/embedded_pg.py)."""
    url = env.str("DATABASE_URL", default="")
    if url:
        return url
    written = VAR_DIR / "database_url"
    if written.exists():
        return written.read_text().strip()
    raise ImproperlyConfigured(
        "DATABASE_URL is not set and no embedded PostgreSQL is running: use `make run` / `make test`."
    )


DATABASES = {"default": env.db_url_config(_database_url())}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"].setdefault("TEST", {})
DATABASES["default"]["TEST"]["NAME"] = env.str("TEST_DATABASE_NAME", default="") or None
if not DATABASES["default"]["TEST"]["NAME"]:
    del DATABASES["default"]["TEST"]["NAME"]

REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(REPLICA_URL)
    DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm",
    "django_celery_beat",
    "constance",
    "pgtrigger",
    "apps.core",
    "apps.audit",
    "apps.accounts",
    "apps.ledger",
    "apps.kyc",
    "apps.risk",
    "apps.invoices",
    "apps.loans",
    "apps.repayments",
    "apps.collections",
    "apps.reports",
    "apps.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.audit.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
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
            ]
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-in"
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))

# Object storage: the database stores object keys, never URLs.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    AWS_QUERYSTRING_AUTH = True
    AWS_QUERYSTRING_EXPIRE = 300
    AWS_DEFAULT_ACL = None
    _default_storage = {"BACKEND": "storages.backends.s3.S3Storage"}
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
SIGNED_URL_TTL_SECONDS = env.int("SIGNED_URL_TTL_SECONDS", default=300)

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # With a shared cache, live settings are read from it rather than with a query per use.
    CONSTANCE_DATABASE_CACHE_BACKEND = "default"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "gst-credit"}}

# Celery: Redis (or any broker) when CELERY_BROKER_URL is set, else kombu's filesystem
# transport under var/ so that `make run` needs no broker server.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery-queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)  # kombu's filesystem transport needs the folder to exist
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.accounts.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.DefaultCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "apps.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    # ISO 8601 (YYYY-MM-DD, the year always four digits): strftime's "%Y" writes year 100 as "100".
    "DATE_FORMAT": "iso-8601",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": SECRET_KEY,
    "USER_ID_FIELD": "id",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "GST Credit API",
    "DESCRIPTION": "Invoice financing for small Indian businesses: onboarding, offers, loans, repayments.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the one error body (apps/core/schema.py); enums stay named.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.schema.postprocess_error_responses",
    ],
    # Several models have a "status" or "type" field with their own choices; name each enum.
    "ENUM_NAME_OVERRIDES": {
        "InvoiceStatusEnum": "apps.invoices.models.Invoice.Status",
        "OfferStatusEnum": "apps.loans.models.Offer.Status",
        "OfferTypeEnum": "apps.loans.models.Offer.Type",
        "LoanStatusEnum": "apps.loans.models.Loan.Status",
        "InstallmentStatusEnum": "apps.loans.models.Installment.Status",
        "JobRunStatusEnum": "apps.core.models.JobRun.Status",
        "CollateralTypeEnum": "apps.kyc.models.Collateral.Type",
        "KycStatusEnum": "apps.kyc.models.Business.KycStatus",
        "RecoveryStatusEnum": "apps.collections.models.RecoveryAction.Status",
    },
}

CONSTANCE_BACKEND = "constance.backends.database.DatabaseBackend"
# Who may change live settings follows the role groups (ADMIN), not Django's superuser flag.
CONSTANCE_SUPERUSER_ONLY = False
# Live settings, editable by ADMIN in the admin. Each app adds its own block.
CONSTANCE_CONFIG = {
    # accounts: OTP
    "OTP_TTL_SECONDS": (300, "How long an OTP stays valid.", int),
    "OTP_MAX_ATTEMPTS": (5, "Wrong codes before a challenge locks.", int),
    "OTP_RESEND_COOLDOWN_SECONDS": (30, "Minimum gap between two OTPs to one phone.", int),
    "OTP_PHONE_LIMIT_PER_HOUR": (5, "OTPs one phone may request per hour.", int),
    "OTP_IP_LIMIT_PER_HOUR": (30, "OTPs one IP address may request per hour.", int),
    # accounts: devices
    "DEVICE_TRUST_AFTER_DAYS": (7, "Days a device must be known before an OTP login on it makes it trusted.", int),
    # kyc: documents
    "KYC_DOCUMENT_MAX_BYTES": (5 * 1024 * 1024, "Largest KYC document accepted, in bytes.", int),
    # risk: weights of the credit-score rule set (points added to or taken from the base)
    "RISK_W_BASE": (600, "Score every business starts from.", int),
    "RISK_W_KYC_VERIFIED": (60, "Points for verified KYC.", int),
    "RISK_W_KYC_PENDING": (40, "Points taken while KYC is pending.", int),
    "RISK_W_KYC_REJECTED": (200, "Points taken for rejected KYC.", int),
    "RISK_W_GST_CANCELLED": (150, "Points taken for a cancelled GST registration.", int),
    "RISK_W_GST_AGE": (40, "Points for a GST registration of 3+ years (taken under 1 year).", int),
    "RISK_W_TURNOVER": (50, "Points for a declared turnover of a crore or more.", int),
    "RISK_W_PER_INVOICE": (5, "Points per verified invoice.", int),
    "RISK_W_INVOICE_CAP": (40, "Most points invoice history can give.", int),
    "RISK_W_CLEAN_REPAYMENT": (30, "Points for loans never past due.", int),
    "RISK_W_NPA": (200, "Points taken for a loan past 90 days due.", int),
    "RISK_W_PER_BOUNCE": (25, "Points taken per bounce (at most 100).", int),
    "RISK_W_UNTRUSTED_DEVICE": (20, "Points taken for a new or untrusted device.", int),
    "RISK_REVIEW_AMOUNT": (2500000, "Invoice amounts above this go to REVIEW.", int),
}

# How many reverse proxies of ours sit in front of the app (each appends to X-Forwarded-For);
# 0 means the header is ignored and REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# A keyed hash protects OTPs and Aadhaar numbers; separate from SECRET_KEY so it can be rotated apart.
HASH_KEY = env.str("HASH_KEY", default="") or SECRET_KEY

GOV_API_URL = env.str("GOV_API_URL", default="")
GOV_API_KEY = env.str("GOV_API_KEY", default="")
GOV_API_SECRET = env.str("GOV_API_SECRET", default="")
PAYOUT_API_URL = env.str("PAYOUT_API_URL", default="")
PAYOUT_API_KEY = env.str("PAYOUT_API_KEY", default="")
GST_API_URL = env.str("GST_API_URL", default="") or GOV_API_URL
SMS_API_URL = env.str("SMS_API_URL", default="")
SMS_API_KEY = env.str("SMS_API_KEY", default="")
# Outside the sandbox every outside service must be reachable for real: a missing URL would
# otherwise quietly verify KYC, pay out and send OTPs through the sandbox.
_MISSING_SERVICES = [
    name
    for name, value in (("GOV_API_URL", GOV_API_URL), ("PAYOUT_API_URL", PAYOUT_API_URL), ("SMS_API_URL", SMS_API_URL))
    if not value
]
if not SANDBOX and _MISSING_SERVICES:
    raise ImproperlyConfigured(f"SANDBOX is false, so these must be set: {', '.join(_MISSING_SERVICES)}.")

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@gstcredit.example")

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "apps.audit.context.RequestContextLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_context"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
