"""Settings for the survey portal: one file, every knob read from the environment.

Defaults are for a developer's machine (SQLite under var/, tasks run eagerly in-process,
mail printed to the console). Production sets DATABASE_URL, REDIS_URL and DJANGO_SECRET_KEY;
see README.md and .env.example for every variable.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # git-ignored: the SQLite file, collected static files


def env_bool(name: str, default: bool = False) -> bool:
    """Strict boolean parsing: a typo must not silently switch debug on (or off)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false, yes/no, 1/0, on/off)")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None


DEBUG = env_bool("DJANGO_DEBUG", default=False)

# Required to serve (wsgi.py refuses to start without it, and Django refuses any use of an empty
# key), but not to import settings: commands that sign nothing (migrate, makemigrations --check)
# run without it. Raising here would not even be seen: manage.py swallows a settings error and
# fails later with an unrelated "Models aren't loaded yet".
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "modeltranslation",  # before admin: per-language fields of charter texts (departments/translation.py)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "axes",
    "simple_history",
    "mozilla_django_oidc",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "departments",
    "improvements",
    "surveys",
    "concerns",
    "recognition",
    "kpis",
    "audits",
    "hrsync",
    "scorecards",
    "portal",
    "api",
]

MIDDLEWARE = [
    "survey_portal.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "accounts.sessions.SessionMiddleware",  # Django's, but a request may leave its session untouched
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # who changed a plan or a charter
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "survey_portal.middleware.ContentSecurityPolicyMiddleware",
    "survey_portal.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.SingleSignOnRefresh",  # signs out people the OIDC provider no longer signs in
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.timezones.TimeZoneMiddleware",
    "accounts.languages.LanguageMiddleware",  # the profile's language over the browser's (LocaleMiddleware)
    "axes.middleware.AxesMiddleware",  # last: it turns a lockout into the "try again later" page
]

ROOT_URLCONF = "survey_portal.urls"
WSGI_APPLICATION = "survey_portal.wsgi.application"

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
                "departments.context_processors.roles",
                "portal.navigation.nav",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://user:pass@host:5432/name), else a SQLite file under var/.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Random reads cost little more than sequential ones on SSDs (PostgreSQL's default of 4 dates
        # from spinning disks); with it, the planner reads the scorecard's covering indexes
        # instead of whole tables. Override with PG_RANDOM_PAGE_COST.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c random_page_cost={os.environ.get('PG_RANDOM_PAGE_COST', '1.1')}"
        )
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "db.sqlite3"),
            # IMMEDIATE avoids "database is locked" when two requests upgrade to a write at once.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
            # With a broker, the test suite's real Celery worker must open the same test database,
            # so it lives in a file rather than in memory.
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")} if os.environ.get("REDIS_URL") else {},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Per-process memory for renderings that are the same for everyone: a blank survey section, the
# navigation, scorecards and results. Every key holds what the rendering depends on (the cycle's
# status and when its results were computed, a department's name...), so nothing stale is shown
# and processes never need to agree; live participation is kept 10 s, departments rated 5 minutes.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
# Pages of higher apps that lower apps link to, named here as LOGIN_REDIRECT_URL is, so that no
# app names a URL of an app above it (tests/test_layers.py): an employee's home, a cycle's results
# (with ?cycle=), a department's action plan (with its code), and a department's page.
EMPLOYEE_HOME_URL = "portal:my_surveys"
RESULTS_URL = "scorecards:organisation"
ACTION_PLAN_URL = "scorecards:action_list"
# The thank-you form (recognition), offered by the survey page right after a department's section.
THANKS_URL = "recognition:thank"
# Demo data of apps beside portal, which portal's seed_demo may not import (the API's tokens).
DEMO_SEEDERS_BESIDE_PORTAL = ["api.demo.seed_api"]
# The value chain map (scorecards), linked from the department directory.
VALUE_CHAIN_URL = "scorecards:value_chain"
ABSOLUTE_URL_OVERRIDES = {
    "departments.department": lambda department: reverse("portal:charter", args=[department.code])
}
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # imported users set their first password through this link

# --- Security --------------------------------------------------------------------------------
# Production (debug off) is HTTPS-only behind a proxy that terminates TLS and sets
# X-Forwarded-Proto; `python manage.py check --deploy` passes with these (CI runs it).
HTTPS = env_bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer probes over plain HTTP
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 365 * 24 * 3600) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# No inline script anywhere (pages load their JS from static/; chart data is a JSON block).
# Inline *style* attributes stay allowed: bars and progress widths are set with style="width: …".
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

# Sessions: signed out after SESSION_IDLE_MINUTES without a request, and SESSION_MAX_HOURS after
# signing in whatever the activity (survey_portal.middleware.SessionLifetimeMiddleware).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 60)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_ENGINE = "accounts.sessions"  # database sessions, read without the ORM (see the module)

# Login throttling (django-axes): 5 failures for one username from one address lock that pair
# for 15 minutes; a success resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PortalBackend",  # signs people in; reads the user of each request in plain SQL
    "accounts.backends.SingleSignOnBackend",  # OpenID Connect: matches employees by email, creates nobody
    "django.contrib.auth.backends.ModelBackend",  # still reads sessions signed in before PortalBackend
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_USERNAME_CALLABLE = "accounts.security.login_username"
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"
AXES_VERBOSE = False
# Password links ("First time here?"), which anyone can ask for: at most this many an hour for one
# email, and from one address (an office behind one address may have many people setting up).
PASSWORD_LINKS_PER_EMAIL = env_int("PASSWORD_LINKS_PER_EMAIL", 3)
PASSWORD_LINKS_PER_ADDRESS = env_int("PASSWORD_LINKS_PER_ADDRESS", 100)
# How many proxies in front of the app append to X-Forwarded-For (0: use the connection's address).
PROXY_COUNT = env_int("PROXY_COUNT", 1 if HTTPS else 0)

LANGUAGE_CODE = "en"
# en-gb: English with British date formats, for browsers that ask for it (accounts.languages).
LANGUAGES = [("en", "English"), ("en-gb", "English (UK)"), ("de", "Deutsch")]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"  # filled by collectstatic; created so WhiteNoise finds it before then
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

from django.contrib.messages import constants as message_constants  # noqa: E402

MESSAGE_TAGS = {message_constants.ERROR: "danger"}
# Messages ride in a cookie only, never in the session: a request that must write nothing (an
# anonymous raiser's) still shows its message, and a long one is trimmed rather than stored.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# Email: printed to the console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Service Survey Portal <no-reply@localhost>")

# Celery: Redis when REDIS_URL is set; otherwise tasks run eagerly in-process (no broker needed).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    CELERY_BROKER_URL = "memory://localhost/"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
# The queue tasks go to and the worker reads: the test suite's worker gets a queue of its own.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_TASK_TIME_LIMIT = 10 * 60
# The visibility timeout must be longer than any task (time limit above), or a slow task would be
# redelivered to a second worker while it runs; a task whose worker died is redelivered after it.
# Short socket timeouts: a web request that finds the broker gone gives up quickly (enqueue()).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 3600),
    # How often a worker looks for such tasks (every interval × throttle seconds; kombu's defaults).
    "unacked_restore_interval": env_int("CELERY_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": env_int("CELERY_RESTORE_THROTTLE", 10),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Declared here, in one place; the database scheduler copies it into django-celery-beat's tables,
# where HR and ops see it in Django admin (Periodic tasks).
# Concerns: what anonymous raisers write is sealed and released once a day, at this hour (server
# time; midnight by default), all of the day's together, each dated with that day (concerns/models.py
# says why). With debug on (`make demo`: no beat runs) each is released at once, which is for trying
# the portal, not for anonymity: `check --deploy` refuses it.
CONCERNS_RELEASE_AT_ONCE = env_bool("CONCERNS_RELEASE_AT_ONCE", DEBUG)
CONCERNS_RELEASE_HOUR = env_int("CONCERNS_RELEASE_HOUR", 0)
# Anonymous writes (concerns, messages, reopenings, ratings) one person may deposit in a day.
ANONYMOUS_WRITES_PER_DAY = env_int("ANONYMOUS_WRITES_PER_DAY", 20)
# Wrong receipt codes a person, or an address, may type in an hour before even the right one waits.
RECEIPT_WRONG_CODES_PER_PERSON = env_int("RECEIPT_WRONG_CODES_PER_PERSON", 5)
RECEIPT_WRONG_CODES_PER_ADDRESS = env_int("RECEIPT_WRONG_CODES_PER_ADDRESS", 20)

from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    "advance-survey-cycles": {
        "task": "surveys.tasks.cycles_advance_task",
        "schedule": env_int("CYCLE_TICK_SECONDS", 60),
    },
    "purge-old-responses": {
        "task": "scorecards.tasks.responses_purge_task",
        "schedule": 24 * 3600,
    },
    "release-anonymous-concerns": {
        "task": "concerns.tasks.anonymous_release_task",
        "schedule": crontab(minute=0, hour=CONCERNS_RELEASE_HOUR),
    },
    "concern-reminders": {
        "task": "concerns.tasks.concern_reminders_task",
        "schedule": 3600,
    },
    "aggregate-missed-cycles": {
        "task": "scorecards.tasks.missed_aggregations_task",
        "schedule": 60 * env_int("SCORECARD_REFRESH_MINUTES", 15),
    },
    "action-reminders": {
        "task": "improvements.tasks.action_reminders_task",
        "schedule": crontab(minute=30, hour=7),
    },
    "thank-you-notes-digest": {
        "task": "recognition.tasks.notes_digest_task",
        "schedule": crontab(minute=0, hour=8, day_of_week="mon"),
    },
    "kpi-breaches-sweep": {
        "task": "kpis.tasks.kpi_breaches_sweep_task",
        "schedule": crontab(minute=15, hour=6),
    },
    "audits-overdue-digest": {
        "task": "audits.tasks.overdue_digest_task",
        "schedule": crontab(minute=45, hour=7),
    },
    "audits-findings-to-heads": {
        "task": "audits.tasks.findings_tell_heads_task",
        "schedule": crontab(minute=40, hour=7),
    },
}

# Surveys
# Absolute address of the site, for links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Keys (32 random bytes, url-safe base64) that seal drafts and the answers waiting to be released (surveys/sealing.py), comma-
# separated: the first seals, every one opens (put a new key first to rotate, then run
# `manage.py reseal_answers`). Not DJANGO_SECRET_KEY: a copy of the database without this key reads
# no draft and no unreleased answer. `make demo` and `make test` generate their own.
SURVEY_ENCRYPTION_KEYS = env_list("SURVEY_ENCRYPTION_KEYS")
# Responses of cycles that closed more than this many years ago are deleted (results are kept);
# 0 keeps them forever.
RESPONSE_RETENTION_YEARS = env_int("RESPONSE_RETENTION_YEARS", 5)

# Organisation import: the largest CSV file accepted from the upload page.
ORG_IMPORT_MAX_UPLOAD_MB = env_int("ORG_IMPORT_MAX_UPLOAD_MB", 20)

# Uploaded files (audit attachments): never served as static files; each app serves its own through
# a view that checks who asks (audits:attachment).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", str(VAR_DIR / "media")))
# Mystery-shopping audits: the largest attachment (an image or a PDF), and how many an audit holds.
AUDIT_ATTACHMENT_MAX_BYTES = env_int("AUDIT_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
AUDIT_ATTACHMENTS_MAX = env_int("AUDIT_ATTACHMENTS_MAX", 5)

# Logs: JSON lines (LOG_FORMAT=json, the default without debug) or plain text (debug's default).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "survey_portal.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Said once per request/task by our own lines; theirs would repeat it (or mask usernames).
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "celery.app.trace": {"level": "WARNING"},
    },
}
# The worker keeps this configuration instead of installing its own handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Single sign-on (OpenID Connect) ---------------------------------------------------------
# On when OIDC_RP_CLIENT_ID is set and the provider is known: OIDC_ISSUER (its discovery document is
# read on first use) or OIDC_DISCOVERY_URL, or the four endpoints given one by one (accounts/oidc.py).
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "")
OIDC_DISCOVERY_URL = os.environ.get("OIDC_DISCOVERY_URL", "")
OIDC_DISCOVERY_CACHE_SECONDS = env_int("OIDC_DISCOVERY_CACHE_SECONDS", 3600)
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False  # people are matched to imported employees, never created
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
# How often a signed-in person is checked again at the provider (SessionRefresh, silently).
OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = env_int("OIDC_RENEW_SECONDS", 15 * 60)
# The button reads "Sign in with {OIDC_PROVIDER_NAME}".
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "")
# Whom a refused person should ask (free text, e.g. "the HR desk, hr@example.com"); default: HR admins.
SSO_HELP_CONTACT = os.environ.get("SSO_HELP_CONTACT", "")
SSO_CONTACTS = "departments.roles.hr_admin_emails"  # named here, as URL names are: departments is above accounts
# A sign-in through the provider is no password guess: django-axes neither counts nor stores it.
AXES_WHITELIST_CALLABLE = "accounts.oidc.not_a_password_attempt"
# Password sign-in: on (everyone), admins (staff and superusers only: break-glass), off. Default: on
# without single sign-on, admins with it.
PASSWORD_LOGIN = os.environ.get("PASSWORD_LOGIN", "").strip().lower()
if PASSWORD_LOGIN not in {"", "on", "admins", "off"}:
    raise ImproperlyConfigured(f"PASSWORD_LOGIN={PASSWORD_LOGIN!r} is not one of on, admins, off")

# --- REST API --------------------------------------------------------------------------------
# Token-only (Authorization: Bearer <token>, created by HR at /hr/api-tokens/); no session auth, so
# no CSRF. Per-token throttling: API_THROTTLE_RATE, e.g. "120/min" (DRF's "<n>/<sec|min|hour|day>").
API_THROTTLE_RATE = os.environ.get("API_THROTTLE_RATE", "120/min")
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50)
API_MAX_PAGE_SIZE = 200
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasToken"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.FirstRenderer",  # JSON only: no ?format=
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Survey portal API",
    "DESCRIPTION": "Departments, charters, cycles, published scorecards, action items and KPI values.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}


# --- Nightly HR sync -------------------------------------------------------------------------
# Re-import the organisation every night (hrsync): from a folder the HR system drops its CSV files
# in, or from an https:// address returning a zip archive of them (set one). The brake holds a run
# for HR's confirmation when it would deactivate or move more than these percentages of active
# employees, or remove a department rated in an open cycle.
HR_SYNC_DIR = os.environ.get("HR_SYNC_DIR", "")
HR_SYNC_URL = os.environ.get("HR_SYNC_URL", "")
HR_SYNC_AUTH_HEADER = os.environ.get("HR_SYNC_AUTH_HEADER", "")  # e.g. "Authorization: Bearer …"
# Plain http:// to 127.0.0.1/localhost only (a test server); never for a real HR system.
HR_SYNC_ALLOW_LOOPBACK_HTTP = env_bool("HR_SYNC_ALLOW_LOOPBACK_HTTP", False)
HR_SYNC_TIMEOUT_SECONDS = env_int("HR_SYNC_TIMEOUT_SECONDS", 30)
HR_SYNC_HOUR = env_int("HR_SYNC_HOUR", 2)
HR_SYNC_MAX_DEACTIVATE_PERCENT = env_int("HR_SYNC_MAX_DEACTIVATE_PERCENT", 10)
HR_SYNC_MAX_MOVE_PERCENT = env_int("HR_SYNC_MAX_MOVE_PERCENT", 20)
CELERY_BEAT_SCHEDULE["hr-sync"] = {
    "task": "hrsync.tasks.hr_sync_task",
    "schedule": crontab(minute=0, hour=HR_SYNC_HOUR),
}


# --- Languages -------------------------------------------------------------------------------
# Charter content per language (departments/translation.py): names and descriptions of departments
# and service parameters in English and German; German left blank reads as the English text.
MODELTRANSLATION_LANGUAGES = ("en", "de")
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# The interface's own words: locale/de/LC_MESSAGES/django.po, compiled to django.mo and committed
# (bin/i18n_fill.py fills and compiles it; tests/i18n checks it is complete).
LOCALE_PATHS = [BASE_DIR / "locale"]
