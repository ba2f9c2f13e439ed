"""The one settings module, driven by the environment (see README, "Configuration").

`CRSV_ENV` is `production` unless set: the safe default refuses to start without its secrets.
`make run` and `make test` set `CRSV_ENV=development`, which uses the embedded PostgreSQL and
Redis when `DATABASE_URL` / `REDIS_URL` are unset and generates dev secrets into `.devdata/`.
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import cast

import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from crsv import devenv
from crsv.config import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_required,
    env_str,
)
from crsv.crypto import keyring_parse

# Lets admin and queryset classes be subscripted for type hints at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

CRSV_ENV = env_choice("CRSV_ENV", ("development", "production"), "production")
DEVELOPMENT = CRSV_ENV == "development"
DEBUG = env_bool("DEBUG", False)
if DEBUG and not DEVELOPMENT:
    raise ImproperlyConfigured("DEBUG=true is refused in production: it would show data in error pages.")

if DEVELOPMENT:
    _dev = devenv.dev_secrets()
    SECRET_KEY = env_str("SECRET_KEY") or _dev["SECRET_KEY"]
    DATABASE_URL = env_str("DATABASE_URL") or devenv.EMBEDDED_DATABASE_URL
    REDIS_URL = env_str("REDIS_URL") or devenv.EMBEDDED_REDIS_URL
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
    CRSV_MASTER_KEYS = env_str("CRSV_MASTER_KEYS") or _dev["CRSV_MASTER_KEYS"]
    CRSV_BLIND_INDEX_KEY = env_str("CRSV_BLIND_INDEX_KEY") or _dev["CRSV_BLIND_INDEX_KEY"]
    CRSV_AUDIT_KEY: str | None = env_str("CRSV_AUDIT_KEY") or _dev["CRSV_AUDIT_KEY"]
    AUDIT_SEAL_FILE: str | None = env_str("CRSV_AUDIT_SEAL_FILE") or str(devenv.DATA / "audit-seals.log")
else:
    SECRET_KEY = env_required("SECRET_KEY")
    DATABASE_URL = env_required("DATABASE_URL")
    REDIS_URL = env_required("REDIS_URL")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names in production.")
    CRSV_MASTER_KEYS = env_required("CRSV_MASTER_KEYS")
    CRSV_BLIND_INDEX_KEY = env_required("CRSV_BLIND_INDEX_KEY")
    # The audit seal key (crsv/audit/sealing.py), kept outside the database like the master keys.
    CRSV_AUDIT_KEY = env_required("CRSV_AUDIT_KEY")
    # Where each seal's head is appended (besides the log): a file an operator ships elsewhere.
    AUDIT_SEAL_FILE = env_str("CRSV_AUDIT_SEAL_FILE")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")

# Fail at start, not at the first survivor read, on a malformed master key list.
keyring_parse(CRSV_MASTER_KEYS)

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "crsv.accounts",
    "crsv.audit",
    "crsv.keys",
    "crsv.notifications",
    "crsv.access",
    "incidents",
    "survivors",
    "referrals",
    "reports",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "guardian",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
]

MIDDLEWARE = [
    "crsv.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crsv.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "crsv.middleware.SessionTimeoutMiddleware",
    "crsv.middleware.LoginRequiredMiddleware",
    "crsv.middleware.TwoFactorRequiredMiddleware",
    # Last activity, written at most every 5 minutes per session or API user (no query otherwise).
    "crsv.accounts.activity.ActivityMiddleware",
    "crsv.middleware.OfficeTimezoneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its response (crsv.accounts.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crsv.urls"
WSGI_APPLICATION = "crsv.wsgi.application"

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
                "django.template.context_processors.i18n",
                "crsv.accounts.context_processors.navigation",
                "crsv.notifications.context_processors.notifications_unread",
            ],
            "builtins": ["crsv.partials"],
        },
    },
    # The rows of the long lists only (`{% partial %}`, crsv/partials.py): a Django template
    # spends about 4 µs on each variable, and a 50-row table has 600 of them.
    {
        "NAME": "partials",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "partials"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "crsv.partials.environment"},
    },
]

DATABASES = {"default": database_from_url(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Lets two test runs share one server (e.g. CI and a developer): `DATABASE_TEST_NAME=test_mine`.
DATABASES["default"]["TEST"] = {"NAME": env_str("DATABASE_TEST_NAME")}
# No statement runs longer than 2 minutes and no transaction idles longer than 1 minute (with
# gunicorn's 60 s worker timeout and Celery's 90 s hard limit ending the rest), far below
# AUDIT_SEAL_MARGIN: no transaction still open can commit a row below the sealed head.
DATABASE_STATEMENT_TIMEOUT_MS = 120_000
DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000
_db_options = cast("dict[str, str]", DATABASES["default"]["OPTIONS"])
_db_options["options"] = (
    f"{_db_options.get('options', '')} -c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
    f" -c idle_in_transaction_session_timeout={DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS}"
).strip()
# Rows of the audit trail older than this are sealed (crsv/audit/sealing.py): longer than any
# transaction may last (the timeouts above).
AUDIT_SEAL_MARGIN = timedelta(minutes=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        # Django's RedisCache whose connection errors are logged, not raised: Redis down must not
        # fail a request (crsv/cache.py says where the cache is used and why that is safe).
        "BACKEND": "crsv.cache.TolerantRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "crsv",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before any password is checked.
    "crsv.accounts.backends.LockoutBackend",
    "crsv.accounts.backends.ScopedModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = None

# Sessions live in PostgreSQL, not Redis: durable, and one place less holding session state.
# Django's database sessions, whose new key after sign-in keeps its UserSession row (the
# administrator's list of a user's sessions).
SESSION_ENGINE = "crsv.accounts.browser_sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("SESSION_IDLE_MINUTES", 15, minimum=1))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env_int("SESSION_ABSOLUTE_HOURS", 10, minimum=1))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())

# Two-factor sign-in (TOTP) for everyone; codes are one per 30 s step, one step of tolerance.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "CRSV case management")
OTP_TOTP_TOLERANCE = 1

# Sign-in lockout (django-axes, database handler): failed passwords at the sign-in page, the
# admin sign-in and the token endpoint, and wrong second-factor codes, counted per username AND
# client address together (a colleague behind the same proxy is not locked out). The address is
# REMOTE_ADDR as corrected by crsv.middleware.TrustedProxyMiddleware, never a client's header.
# A locked client gets exactly the answer of a wrong password (crsv.accounts.lockout).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "crsv.accounts.lockout.lockout_client_ip"
AXES_USERNAME_CALLABLE = "crsv.accounts.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "crsv.accounts.lockout.lockout_response"
# Not reset by a correct password: the second-factor failures share the counter, and a password
# sign-in must not wipe them.
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit trail
AXES_VERBOSE = False
# Masked in the attempt rows django-axes keeps (typed names, passwords, codes).
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "password",
    "otp_token",
    "token",
    "csrfmiddlewaretoken",
]

# Guardian: object permissions never fall back to a model-wide permission.
GUARDIAN_ACCEPT_GLOBAL_PERMS = False
ANONYMOUS_USER_NAME = None

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Stored in UTC; shown and entered in the user's field office's time zone (middleware).
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
# collectstatic writes here for production; development serves from the finders instead.
STATIC_ROOT = None if DEVELOPMENT else BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Development and tests serve static files straight from the finders; no collectstatic needed.
WHITENOISE_USE_FINDERS = DEVELOPMENT
WHITENOISE_AUTOREFRESH = DEBUG  # re-scans on every request: only while debugging
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEVELOPMENT
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security headers -------------------------------------------------------------------------
SECURE = not DEVELOPMENT
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container health check speaks plain HTTP inside
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Forwarded headers count only from these addresses (the reverse proxy); see crsv.middleware.
CRSV_TRUSTED_PROXIES = env_list("CRSV_TRUSTED_PROXIES")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if CRSV_TRUSTED_PROXIES else None

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- E-mail: carries references and links only, never survivor data -------------------------
# SMTP everywhere; in development to the local sink on 127.0.0.1:1025 (no TLS), which keeps each
# message as a file (issue 11): what is tested is what runs.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1" if DEVELOPMENT else "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 1025 if DEVELOPMENT else 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not DEVELOPMENT)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "crsv@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS: list[tuple[str, str]] = []  # no error e-mails: tracebacks may hold request data
# Links in e-mails are absolute: the site's public origin.
SITE_URL: str = env_str("CRSV_SITE_URL") or (
    "http://127.0.0.1:8000" if DEVELOPMENT else f"https://{ALLOWED_HOSTS[0]}"
)

# --- Notification outbox (crsv/notifications) -------------------------------------------------
# A transient failure (SMTP 4xx, a dropped connection) is retried after base * 2**(n-1) seconds
# (at most the cap), times a jitter of 0.5-1.5; the last attempt or a 5xx marks it failed.
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 8, minimum=1)
NOTIFICATION_RETRY_BASE_SECONDS = 30
NOTIFICATION_RETRY_CAP_SECONDS = 3600
# How long a worker's claim on a notification lasts: longer than any SMTP exchange (EMAIL_TIMEOUT
# per step); a claim outliving its worker is taken over by the sweep after it.
NOTIFICATION_CLAIM_SECONDS = max(120, 4 * EMAIL_TIMEOUT)
# How long one sweep delivers before it leaves the rest to the next one (below the soft limit).
NOTIFICATION_SWEEP_SECONDS = 40
NOTIFICATION_MESSAGE_ID_DOMAIN = parseaddr(DEFAULT_FROM_EMAIL or "")[1].rpartition("@")[2] or "crsv.local"

# --- Celery: JSON only, late acknowledgement, bounded run time --------------------------------
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 60, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 90, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    # A publish from a web request (after commit) tries the broker once, within 2 s, and gives up:
    # the outbox's sweep delivers what was not published. The worker's and beat's own connections
    # retry with their own policies (broker_connection_max_retries, the publish retry policy).
    "max_retries": 0,
    "socket_connect_timeout": 2,
    # And within 2 s of reading too: a Redis that accepts connections but never answers (hung,
    # stopped, behind a partition) would otherwise hold the request in recv() for ever.
    "socket_timeout": 2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "beat-heartbeat": {"task": "crsv.tasks.beat_heartbeat", "schedule": 60.0},
    # Expires so that sweeps queued while no worker ran do not pile up behind each other.
    "notification-sweep": {
        "task": "crsv.notifications.tasks.notification_sweep",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # The clocks (issue 11 item 5): each run is idempotent (outbox keys) and batch-limited.
    "survivors-medical-window": {
        "task": "survivors.tasks.medical_window_escalate",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Chains the audit rows older than AUDIT_SEAL_MARGIN (crsv/audit/sealing.py).
    "audit-seal": {"task": "crsv.audit.tasks.audit_seal", "schedule": 60.0, "options": {"expires": 55}},
    "referrals-overdue": {
        "task": "referrals.tasks.referrals_overdue_notify",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Alerts still new ALERT_ESCALATION_MINUTES after they came in, escalated once (incidents/tasks.py).
    "alerts-escalate": {
        "task": "incidents.tasks.alerts_escalate",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Statistics consents that expired or began with the clock alone (reports/tasks.py).
    "statistics-consent-flags": {
        "task": "reports.tasks.consent_flags_refresh",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # The access administration (crsv/access/tasks.py): idle accounts deactivated, memberships
    # past their end date ended (the scope leaves those out already). Hourly, idempotent.
    "access-idle-deactivate": {
        "task": "crsv.access.tasks.users_idle_deactivate",
        "schedule": 3600.0,
        "options": {"expires": 3300},
    },
    "access-memberships-end": {
        "task": "crsv.access.tasks.memberships_end",
        "schedule": 3600.0,
        "options": {"expires": 3300},
    },
}
CRSV_BEAT_STALE_AFTER = timedelta(minutes=3)

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Bearer first, so an unauthenticated request gets 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "crsv.accounts.api.authentication.BearerTokenAuthentication",
        "crsv.accounts.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's JSONParser, refusing deep nesting with 400 before it can recurse (crsv/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["crsv.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"token": "10/minute"},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CRSV case management API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
}
# An account holding `admin` with any other role could grant herself survivor access: refused
# unless this is set, and never in production.
CRSV_ALLOW_ADMIN_WITH_OTHER_ROLES = env_bool("CRSV_ALLOW_ADMIN_WITH_OTHER_ROLES", False)
if CRSV_ALLOW_ADMIN_WITH_OTHER_ROLES and not DEVELOPMENT:
    raise ImproperlyConfigured("CRSV_ALLOW_ADMIN_WITH_OTHER_ROLES is refused in production.")
# Accounts with no activity (nor sign-in, creation, invitation, reactivation) for this many days
# are deactivated by beat (crsv/access/idle.py); superusers only are exempt.
ACCESS_IDLE_DAYS = env_int("ACCESS_IDLE_DAYS", 90, minimum=1)
# How long a senior WPA's break-glass opening of a case lasts.
BREAK_GLASS_DURATION = timedelta(minutes=env_int("BREAK_GLASS_MINUTES", 60, minimum=1))
API_TOKEN_LIFETIME = timedelta(hours=env_int("API_TOKEN_HOURS", 8, minimum=1))
# How long an invitation's e-mailed link works (crsv.accounts.invitations).
INVITATION_LIFETIME = timedelta(hours=env_int("INVITATION_HOURS", 72, minimum=1))
# When a referral is due (the service begun), by urgency, from the moment it is sent.
REFERRAL_DUE = {
    "emergency": timedelta(hours=env_int("REFERRAL_DUE_EMERGENCY_HOURS", 4, minimum=1)),
    "high": timedelta(hours=env_int("REFERRAL_DUE_HIGH_HOURS", 24, minimum=1)),
    "routine": timedelta(hours=env_int("REFERRAL_DUE_ROUTINE_HOURS", 7 * 24, minimum=1)),
}
# The clocks: a case inside the 72-hour window (survivors/clock.py) with no medical referral
# accepted this long after her registration is escalated to her WPA and the senior WPAs.
MEDICAL_WINDOW_ESCALATE_AFTER = timedelta(hours=env_int("MEDICAL_WINDOW_ESCALATE_HOURS", 2, minimum=1))
# A referral still unanswered (sent) at its due time gets a reminder to the provider; this share
# of its urgency's due interval later (50%: emergency 2 h, high 12 h, routine 84 h), an escalation
# to the case's WPA.
REFERRAL_ESCALATE_AFTER = {
    urgency: due * env_int("REFERRAL_ESCALATE_AFTER_PERCENT", 50, minimum=1) / 100
    for urgency, due in REFERRAL_DUE.items()
}
# How many cases or referrals one run of a clock handles (the next minute's run takes the rest).
CLOCK_BATCH_SIZE = 200
# An early-warning alert not acknowledged this long after it came in is escalated to the senior
# WPAs of its mission, once (incidents/services/alerts/escalation.py).
ALERT_ESCALATION_MINUTES = env_int("ALERT_ESCALATION_MINUTES", 30, minimum=1)
# Tables that leave the mission show counts from 1 to this minus 1 as "<5", with complementary
# suppression (reports/disclosure); at least 3, since "<2" would say "1".
STATISTICS_SUPPRESSION_THRESHOLD = env_int("STATISTICS_SUPPRESSION_THRESHOLD", 5, minimum=3)
# An approved identifiable export may be downloaded (once) for this many days (reports/identifiable).
IDENTIFIABLE_EXPORT_DAYS = env_int("IDENTIFIABLE_EXPORT_DAYS", 7, minimum=1)

CRSV_DEMO_PASSWORD = env_str("CRSV_DEMO_PASSWORD", devenv.DEMO_PASSWORD_DEFAULT)

# --- Logging: to stderr, no request bodies, no query parameters -------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"answer_link_tokens": {"()": "crsv.logs.AnswerLinkTokenFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["answer_link_tokens"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # SQL with parameters could hold survivor data: never log it, even with DEBUG.
        "django.db.backends": {"level": "WARNING", "propagate": True},
        # django-axes says INFO for every sign-in; its failures and lockouts are WARNING.
        "axes": {"level": "WARNING", "propagate": True},
    },
}
