"""One settings module, driven by environment variables.

It fails closed: ENVIRONMENT must name development, test or production, and every default
follows from it. Production refuses to start without its own SECRET_KEY and HASH_KEY, without
ALLOWED_HOSTS, with DEBUG or with OTP_TEST_CODE. Importing this module writes nothing to disk.
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from unfold.contrib.constance.settings import UNFOLD_CONSTANCE_ADDITIONAL_FIELDS

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# --- Environment: development (make run), test (pytest, set by conftest.py) or production ---
ENVIRONMENTS = ("development", "test", "production")
ENVIRONMENT = env.str("ENVIRONMENT", default="")
if ENVIRONMENT not in ENVIRONMENTS:
    raise ImproperlyConfigured(f"ENVIRONMENT must be one of {', '.join(ENVIRONMENTS)}, not {ENVIRONMENT!r}.")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env.bool("DEBUG", default=ENVIRONMENT == "development")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG is refused in production.")
# Sandbox providers (KYC, payouts, SMS): the default everywhere but production, where a staging
# deployment may still ask for them with SANDBOX=true.
SANDBOX = env.bool("SANDBOX", default=not PRODUCTION)

# HASH_KEY keys the OTP and Aadhaar hashes; apart from SECRET_KEY (sessions, JWTs), so rotating
# SECRET_KEY leaves Aadhaar de-duplication and live OTPs intact. Production sets both, different.
SECRET_KEY = env.str("SECRET_KEY", default="")
HASH_KEY = env.str("HASH_KEY", default="")
if PRODUCTION:
    _missing_keys = [name for name, value in (("SECRET_KEY", SECRET_KEY), ("HASH_KEY", HASH_KEY)) if not value]
    if _missing_keys:
        raise ImproperlyConfigured(f"Production requires {' and '.join(_missing_keys)}.")
    if HASH_KEY == SECRET_KEY:
        raise ImproperlyConfigured("HASH_KEY must differ from SECRET_KEY.")
SECRET_KEY = SECRET_KEY or "insecure-development-key-never-use-in-production-0123456789"
HASH_KEY = HASH_KEY or "insecure-development-hash-key-never-use-in-production-0123"

# Inbound webhooks of the payment rail are signed with this (API.md "Bank accounts and money
# rails"). The sandbox's value is fixed and documented (docs/sandbox.md) so the sandbox rail and
# tests can sign; production must set its own.
SANDBOX_PAYMENT_WEBHOOK_SECRET = "whsec_sandbox_gst_credit_payments_0001"
PAYMENT_WEBHOOK_SECRET = env.str("PAYMENT_WEBHOOK_SECRET", default="")
if PRODUCTION and (not PAYMENT_WEBHOOK_SECRET or PAYMENT_WEBHOOK_SECRET == SANDBOX_PAYMENT_WEBHOOK_SECRET):
    raise ImproperlyConfigured("Production requires its own PAYMENT_WEBHOOK_SECRET.")
PAYMENT_WEBHOOK_SECRET = PAYMENT_WEBHOOK_SECRET or SANDBOX_PAYMENT_WEBHOOK_SECRET
# Where borrowers reach this server: the sandbox rail's payment and mandate pages are served
# here (/sandbox/rail/...), and they send the rail's signed webhooks back to this server (or to
# SANDBOX_RAIL_CALLBACK_URL, when the rail reaches it at another address).
PUBLIC_URL = env.str("PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")
SANDBOX_RAIL_CALLBACK_URL = env.str("SANDBOX_RAIL_CALLBACK_URL", default="").rstrip("/")
PAYMENT_WEBHOOK_TOLERANCE_SECONDS = 300

# The account aggregator (apps/banking): the sandbox one unless AA_API_URL is set and SANDBOX is
# false. Its signed answers are checked against AA_JWKS_URL, for our client id and its issuer.
AA_API_URL = env.str("AA_API_URL", default="")
AA_JWKS_URL = env.str("AA_JWKS_URL", default="")
AA_CLIENT_ID = env.str("AA_CLIENT_ID", default="gst-credit-fiu")
AA_CLIENT_SECRET = env.str("AA_CLIENT_SECRET", default="")
AA_ISSUER = env.str("AA_ISSUER", default="sandbox-aa")
AA_TIMEOUT_SECONDS = env.float("AA_TIMEOUT_SECONDS", default=5.0)
# A data sync: one finished this recently is reused unless forced; one RUNNING longer than the
# lease was abandoned (its worker lost) and no longer holds the business's lock; bank data older
# than AA_DATA_STALE_DAYS is shown as stale.
AA_SYNC_FRESH_MINUTES = env.int("AA_SYNC_FRESH_MINUTES", default=60)
AA_SYNC_LEASE_SECONDS = env.int("AA_SYNC_LEASE_SECONDS", default=900)
# The close of business in parts over worker processes (apps/repayments/close_of_business.py,
# docs/scaling.md): 1 closes the whole book in the job's own process.
COB_PARTS = env.int("COB_PARTS", default=1)
COB_HELPERS = env.int("COB_HELPERS", default=64)  # most helper messages a run sends
# A part's worker renews its lease after each step; a part whose lease ran out (its worker died)
# is claimed again by another.
COB_PART_LEASE_SECONDS = env.int("COB_PART_LEASE_SECONDS", default=600)
COB_PART_ATTEMPTS = env.int("COB_PART_ATTEMPTS", default=3)
AA_DATA_STALE_DAYS = env.int("AA_DATA_STALE_DAYS", default=35)
# How long its keys are trusted from cache, and the least time between two refetches caused by
# an unknown key id (a flood of forged kids must not become a flood of fetches).
AA_JWKS_LIFESPAN_SECONDS = env.int("AA_JWKS_LIFESPAN_SECONDS", default=3600)
AA_JWKS_COOLDOWN_SECONDS = env.int("AA_JWKS_COOLDOWN_SECONDS", default=30)

# Partner webhooks (apps/webhooks): how long a partner has to answer, how many are sent at once,
# and whether an endpoint may be plain http or resolve to a private, loopback or link-local
# address (only in the sandbox: the demo's receiver runs on this machine).
WEBHOOK_DELIVERY_TIMEOUT_SECONDS = env.float("WEBHOOK_DELIVERY_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_DELIVERY_CONCURRENCY = env.int("WEBHOOK_DELIVERY_CONCURRENCY", default=16)
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=SANDBOX and not PRODUCTION)
if PRODUCTION and WEBHOOK_ALLOW_PRIVATE_URLS:
    raise ImproperlyConfigured("WEBHOOK_ALLOW_PRIVATE_URLS may not be true in production.")

OTP_TEST_CODE = env.str("OTP_TEST_CODE", default="")
if OTP_TEST_CODE and (PRODUCTION or not SANDBOX):
    raise ImproperlyConfigured("OTP_TEST_CODE is allowed only when SANDBOX is true, and never in production.")
if OTP_TEST_CODE and (len(OTP_TEST_CODE) != 6 or not OTP_TEST_CODE.isdigit()):
    raise ImproperlyConfigured("OTP_TEST_CODE must be six digits.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["*"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production requires ALLOWED_HOSTS.")

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
# Persistent connections: a web process keeps its connection between requests (a new one costs
# a PostgreSQL backend's start and the login, about half of a payment's time), and checks it
# with one round trip before a request reuses it, so a connection the server dropped meanwhile
# is replaced instead of failing the request. gunicorn's sync workers serve one request at a
# time, so a process needs one connection, not a pool. (Celery's Django fixup still closes a
# worker's connection around every task: a task is long next to a connection's start.)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"].setdefault("TEST", {})
DATABASES["default"]["TEST"]["NAME"] = env.str("TEST_DATABASE_NAME", default="") or None
if not DATABASES["default"]["TEST"]["NAME"]:
    del DATABASES["default"]["TEST"]["NAME"]

# A read replica for reports and admin lists, which opt in with apps.core.replica.use_replica();
# every other read, and every money path, stays on the primary (config/db_router.py).
REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(REPLICA_URL)
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_HEALTH_CHECKS"]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]

# The same PostgreSQL backend with every query counted and timed for /metrics (django-prometheus).
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database["ENGINE"] = "django_prometheus.db.backends.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

INSTALLED_APPS = [
    # The admin's theme (django-unfold): its templates must win over django.contrib.admin's.
    "unfold.apps.BasicAppConfig",  # Basic: admin.site stays our StaffAdminSite, not unfold's own
    "unfold.contrib.filters",
    "unfold.contrib.constance",
    # django.contrib.admin, with our site as admin.site: second factor, enrolment (apps/accounts/admin_site.py).
    "apps.accounts.admin_apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm",
    "django_celery_beat",
    "constance",
    "pgtrigger",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "apps.core",
    "apps.audit",
    "apps.accounts",
    "apps.ledger",
    "apps.kyc",
    "apps.banking",
    "apps.risk",
    "apps.invoices",
    "apps.loans",
    "apps.repayments",
    "apps.payments",
    "apps.collections",
    "apps.reports",
    "apps.webhooks",
    "apps.demo",
]

MIDDLEWARE = [
    # First and last: request counts and latencies per view for /metrics (django-prometheus).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.audit.middleware.RequestContextMiddleware",
    "apps.core.middleware.RejectNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which second-factor device (if any) verified this session: request.user.is_verified().
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Just above django-axes: it times the view and sees the lockout answer axes turns it into.
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes asks: it turns a login that tripped the lockout into the lockout answer.
    "axes.middleware.AxesMiddleware",
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

# django-axes first: a locked-out username or address is refused before any password is
# checked. Then ours: frozen users are refused a password login and lose their open sessions
# (apps/accounts/backends.py).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "apps.accounts.backends.AccountBackend"]

# Staff password logins (the admin's and POST /auth/token) lock after LOGIN_FAILURE_LIMIT failures
# per username, and as many per client address, until LOGIN_COOLOFF_MINUTES have passed since the
# last one, or an ADMIN unlocks the user (apps/accounts/lockout.py).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Tries during a lockout are refused without moving its end, so Retry-After tells the truth.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The client's address as the audit trail sees it (TRUSTED_PROXY_COUNT), not axes' own guess.
AXES_CLIENT_IP_CALLABLE = "apps.audit.middleware.request_client_ip"
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.lockout_response"
# Our read-only admin of the attempts instead of axes' editable one: unlocking is an audited service.
AXES_ENABLE_ADMIN = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp", "otp_token"]

# Staff second factor (TOTP, django-otp). When required, a staff user without one is sent to
# enrol in the admin before anything else and refused API tokens (403 otp_enrolment_required);
# a user who has enrolled presents a code whatever this says.
STAFF_OTP_REQUIRED = env.bool("STAFF_OTP_REQUIRED", default=not SANDBOX)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="GST Credit")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-in"
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
USE_TZ = True
# One date format for every page a person reads ("05 Dec 2026", "05 Dec 2026, 14:05") and Indian
# digit grouping for counts; money has its own formatter (apps/core/inr.py). The API keeps ISO 8601.
FORMAT_MODULE_PATH = ["config.formats"]

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
    CACHES = {"default": {"BACKEND": "apps.core.cache_backends.TimedRedisCache", "LOCATION": REDIS_URL}}
    # With a shared cache, live settings are read from it rather than with a query per use.
    CONSTANCE_DATABASE_CACHE_BACKEND = "default"
else:
    CACHES = {"default": {"BACKEND": "apps.core.cache_backends.TimedLocMemCache", "LOCATION": "gst-credit"}}

# Celery: Redis (or any broker) when CELERY_BROKER_URL is set, else kombu's filesystem
# transport under var/ so that `make run` needs no broker server. config/celery.py makes its
# folders when the Celery app is first configured, not here.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "filesystem://"
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "celery-queue"),
        "data_folder_out": str(VAR_DIR / "celery-queue"),
        "control_folder": str(VAR_DIR / "celery-control"),
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
# Workers log through LOGGING (JSON lines, PII masked) like web, not Celery's own root handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The outbox asks a worker to dispatch after each commit that wrote events (apps/core/outbox.py);
# tests dispatch in-process instead, and beat's sweep catches anything a lost message left.
OUTBOX_NOTIFY = env.bool("OUTBOX_NOTIFY", default=ENVIRONMENT != "test")
# /health/ready answers 503 when the oldest pending event is older than this.
OUTBOX_MAX_LAG_SECONDS = env.int("OUTBOX_MAX_LAG_SECONDS", default=300)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.accounts.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.DefaultCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "apps.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.errors.exception_handler",
    # Per user and per IP, by scope, at live rates (apps/accounts/throttles.py).
    "DEFAULT_THROTTLE_CLASSES": ["apps.accounts.throttles.ScopeRateThrottle"],
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

# A refresh token presented again within this many seconds of its rotation is a race of the
# client's own (refused, harmless); later it is a replay, and every token of its login is revoked.
REFRESH_TOKEN_REUSE_GRACE_SECONDS = env.int("REFRESH_TOKEN_REUSE_GRACE_SECONDS", default=10)

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
        "CaseStatusEnum": "apps.collections.models.CollectionCase.Status",
        "CaseActionTypeEnum": "apps.collections.models.CaseAction.Type",
        "CaseActionOutcomeEnum": "apps.collections.models.CaseAction.Outcome",
        "CaseEventTypeEnum": "apps.collections.models.CaseEvent.Type",
        "MandateTypeEnum": "apps.payments.models.Mandate.Type",
        "PayoutStatusEnum": "apps.loans.models.Loan.PayoutStatus",
    },
}

# The ops console (django-unfold): our name, and a sidebar organised by the work rather than by
# Django app (config/admin_nav.py). The pages behind each entry decide who may open them.
UNFOLD = {
    "SITE_TITLE": "GST Credit",
    "SITE_HEADER": "GST Credit",
    "SITE_SUBHEADER": "Ops console",
    "SITE_SYMBOL": "account_balance",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "ENVIRONMENT": "config.admin_nav.environment_badge",
    "STYLES": ["config.admin_nav.stylesheet"],
    "COLORS": {
        "primary": {
            "50": "oklch(97.0% .014 254.604)",
            "100": "oklch(93.2% .032 255.585)",
            "200": "oklch(88.2% .059 254.128)",
            "300": "oklch(80.9% .105 251.813)",
            "400": "oklch(70.7% .165 254.624)",
            "500": "oklch(62.3% .214 259.815)",
            "600": "oklch(54.6% .245 262.881)",
            "700": "oklch(48.8% .243 264.376)",
            "800": "oklch(42.4% .199 265.638)",
            "900": "oklch(37.9% .146 265.522)",
            "950": "oklch(28.2% .091 267.935)",
        },
    },
    "SIDEBAR": {
        "show_search": False,
        "show_all_applications": False,
        "navigation": "config.admin_nav.sidebar",
    },
}

CONSTANCE_BACKEND = "constance.backends.database.DatabaseBackend"
# The live-settings form drawn with the theme's widgets.
CONSTANCE_ADDITIONAL_FIELDS = {
    **UNFOLD_CONSTANCE_ADDITIONAL_FIELDS,
    # A DRF throttle rate: what SimpleRateThrottle.parse_rate reads, so a typo is refused at save.
    "throttle_rate": [
        "django.forms.fields.RegexField",
        {
            "regex": r"^[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)$",
            "widget": "unfold.widgets.UnfoldAdminTextInputWidget",
        },
    ],
}
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
    # accounts: request rates (apps/accounts/throttles.py), "<requests>/<second|minute|hour|day>"
    "THROTTLE_AUTH_PER_USER": ("20/minute", "OTP and token requests per user.", "throttle_rate"),
    "THROTTLE_AUTH_PER_IP": ("60/minute", "OTP and token requests per IP address.", "throttle_rate"),
    "THROTTLE_MONEY_PER_USER": ("30/minute", "Requests that move money, per user.", "throttle_rate"),
    "THROTTLE_MONEY_PER_IP": ("120/minute", "Requests that move money, per IP address.", "throttle_rate"),
    "THROTTLE_READS_PER_USER": ("600/minute", "Reads (GET) per user.", "throttle_rate"),
    "THROTTLE_READS_PER_IP": ("1800/minute", "Reads (GET) per IP address.", "throttle_rate"),
    "THROTTLE_WRITES_PER_USER": ("120/minute", "Other changes per user.", "throttle_rate"),
    "THROTTLE_WRITES_PER_IP": ("600/minute", "Other changes per IP address.", "throttle_rate"),
    # accounts: devices
    "DEVICE_TRUST_AFTER_DAYS": (7, "Days a device must be known before an OTP login on it makes it trusted.", int),
    # kyc: documents
    "KYC_DOCUMENT_MAX_BYTES": (5 * 1024 * 1024, "Largest KYC document accepted, in bytes.", int),
    # risk: fraud and velocity rules (apps/risk/fraud_rules.py)
    "FRAUD_INVOICE_TURNOVER_RATIO": (
        Decimal("0.5"),
        "An invoice above this share of the declared yearly turnover is held for review.",
        Decimal,
    ),
    "FRAUD_INTENT_BURST_COUNT": (5, "Payment intents one user may open in the window before being blocked.", int),
    "FRAUD_INTENT_BURST_MINUTES": (10, "The payment-intent burst window, in minutes.", int),
    "FRAUD_OTP_PHONES_PER_IP": (10, "Different phones one address may ask OTPs for in the window.", int),
    "FRAUD_OTP_BURST_MINUTES": (10, "The OTP burst window, in minutes.", int),
    "FRAUD_NEW_DEVICE_MINUTES": (30, "A sanction from a device seen for less than this is held for review.", int),
    "FRAUD_NEW_ACCOUNT_HOURS": (24, "A payout to a bank account added less than this ago is held for review.", int),
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
    "RISK_W_BANKING": (30, "Points for shared bank data with no bounces (the banking-conduct factor).", int),
    "RISK_W_BANK_BOUNCE": (20, "Points taken per bounced debit in the bank data (at most 80).", int),
    "RISK_BANK_MIN_GST_RATIO": (
        Decimal("0.50"),
        "Bank credits below this share of the GST-declared turnover send a decision to REVIEW.",
        Decimal,
    ),
    "RISK_BANK_MAX_BOUNCES": (2, "More bounced debits than this in the bank data send a decision to REVIEW.", int),
    # loans: exposure limits (apps/loans/limits.py)
    "LIMIT_GRADE_A": (5000000, "Sanctioned limit of a grade A business, in rupees.", int),
    "LIMIT_GRADE_B": (3000000, "Sanctioned limit of a grade B business, in rupees.", int),
    "LIMIT_GRADE_C": (1500000, "Sanctioned limit of a grade C business, in rupees.", int),
    "LIMIT_GRADE_D": (500000, "Sanctioned limit of a grade D business, in rupees.", int),
    "BUYER_CONCENTRATION_LIMIT": (20000000, "Most all borrowers together may be owed against one buyer GSTIN.", int),
    # banking: cash-flow underwriting (apps/banking/analytics.py)
    "BANK_EMI_SURPLUS_SHARE": (
        Decimal("0.50"),
        "Share of the monthly surplus (business inflow less operating outflow) that may go to all EMIs.",
        Decimal,
    ),
    # kyc: bank accounts
    "BANK_NAME_MATCH_THRESHOLD": (80, "Name-match score (0-100) below which a bank account waits for ops.", int),
    # collections
    "COLLECTIONS_OPEN_DPD": (1, "DPD at which the close of business opens a collection case.", int),
    "COLLECTOR_MAX_OPEN_CASES": (300, "Open cases a collector may hold before assignment skips them.", int),
    "PTP_MAX_DAYS": (15, "How far ahead of the business date a promise to pay may fall.", int),
    "WRITE_OFF_FOUR_EYES_AMOUNT": (
        100000,
        "Write-offs above this many rupees wait for a second person (an ADMIN who did not ask).",
        int,
    ),
}

# How many reverse proxies of ours sit in front of the app (each appends to X-Forwarded-For);
# 0 means the header is ignored and REMOTE_ADDR is the client. Production must say: behind a load
# balancer, 0 would make every client one address (per-IP limits and fraud rules for all at
# once); too many would let a client pick its own address by sending the header.
if PRODUCTION and "TRUSTED_PROXY_COUNT" not in os.environ:
    raise ImproperlyConfigured("Production requires TRUSTED_PROXY_COUNT (the proxies in front of the app; 0 if none).")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

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
# --- Production is HTTPS only, behind a proxy that terminates TLS (`check --deploy` is clean) ---
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # A load balancer probes the health check over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^health(/ready)?$", r"^metrics$"]
    SECURE_HSTS_SECONDS = 2 * 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# /metrics (Prometheus): with a token set, only `Authorization: Bearer <token>` may read it.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
if PRODUCTION and not METRICS_TOKEN:
    raise ImproperlyConfigured("Production requires METRICS_TOKEN: /metrics would be open to anyone.")

# Error reports (apps/core/sentry.py): sent only when a DSN is set, personal numbers masked.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)

# One JSON object per line (python-json-logger) with the request id and the user's id, phone,
# Aadhaar and account numbers masked; LOG_FORMAT=plain for a person reading a terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "apps.audit.context.RequestContextLogFilter"}},
    "formatters": {
        "plain": {
            "()": "apps.audit.context.MaskingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {
            "()": "apps.audit.context.MaskingJsonFormatter",
            "fmt": "%(levelname)s %(name)s %(request_id)s %(user_id)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # axes logs every login at INFO; its warnings (failures, lockouts) are the ones worth keeping.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
