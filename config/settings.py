"""Settings for CryoAudit, read from the environment (12-factor).

Every value that differs between the demo, the test suite and production comes
from an environment variable (or a `.env` file beside `manage.py`). See
`.env.example` for the full list.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file is convenient for development; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "simple_history",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "registry",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # No caching of signed-in pages, 403s logged, idle and absolute session
    # limits, two-factor enforcement, and a 503 page on database faults.
    "registry.security.middleware.NoStoreMiddleware",
    "registry.security.middleware.PermissionDeniedLogMiddleware",
    "registry.security.middleware.SessionTimeoutMiddleware",
    "registry.security.middleware.MFARequiredMiddleware",
    "registry.security.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records request.user as the author of history rows written outside services
    # (the admin site); services set the author explicitly.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "registry.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# The demo runs on an embedded SQLite file; production and the test suite use
# PostgreSQL (DATABASE_URL=postgres://user:password@host:5432/name).
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# Check a persistent connection before reusing it, so a restarted database
# costs one reconnect instead of an error page.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Reasons for change are free text of any length in every history table.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
AUTH_USER_MODEL = "registry.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            # Timestamps in UTC, ISO 8601, so logs from every host line up.
            "()": "registry.security.logs.UTCFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Registry behaviour ---------------------------------------------------

# The cohort generator's seed, so `seed_demo` builds the same demo every time.
DEMO_SEED = env.int("DEMO_SEED", default=20081430)

# --- Clinician forms and follow-up schedule ------------------------------------

# Expected follow-ups after each procedure, in months (1, 3, then every 4 months
# to 5 years), each within ± FOLLOW_UP_WINDOW_DAYS days: see registry/schedule.py.
FOLLOW_UP_SCHEDULE_MONTHS = env.list(
    "FOLLOW_UP_SCHEDULE_MONTHS", cast=int, default=[1, 3, *range(7, 60, 4)]
)
FOLLOW_UP_WINDOW_DAYS = env.int("FOLLOW_UP_WINDOW_DAYS", default=14)
PATIENTS_PER_PAGE = env.int("PATIENTS_PER_PAGE", default=25)

# --- Cache (shared by every gunicorn worker) -----------------------------------

# Redis when REDIS_URL (or CACHE_URL) is set, or whenever the database is
# PostgreSQL (development, CI and production); local memory only for the SQLite
# demo. Benchmarking results are cached here by registry data version (audit.cache).
REDIS_URL = env.str("REDIS_URL", default="") or env.str("CACHE_URL", default="")
if not REDIS_URL and "postgresql" in DATABASES["default"]["ENGINE"]:
    REDIS_URL = "redis://127.0.0.1:6379/0"
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="cryoaudit"),
            # Fail fast when Redis is down: the dashboard then computes without it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "cryoaudit",
        }
    }

# --- Audit and benchmarks (audit/definitions.py) -------------------------------

# Technique efficacy and CEA response "at 3 months": the first assessment this many
# days after a tumour's (or patient's) first cryotherapy.
AUDIT_EFFICACY_WINDOW_DAYS = tuple(
    env.list("AUDIT_EFFICACY_WINDOW_DAYS", cast=int, default=[60, 180])
)
# Upper limit of normal for CEA (ng/mL): raised at baseline / normalised at 3 months.
AUDIT_CEA_UPPER_LIMIT = env.float("AUDIT_CEA_UPPER_LIMIT", default=5.0)
# Below this many cases a verdict against a published figure is "too few cases".
AUDIT_MIN_CASES = env.int("AUDIT_MIN_CASES", default=10)
# NICE criterion "outcome follow-up": a follow-up at least this many days after the
# first cryotherapy, with a local standard (percent of patients).
AUDIT_FOLLOW_UP_DAYS = env.int("AUDIT_FOLLOW_UP_DAYS", default=90)
AUDIT_FOLLOW_UP_STANDARD = env.float("AUDIT_FOLLOW_UP_STANDARD", default=95.0)
# Bernoulli CUSUM of major complications: detect an odds ratio of 2 with a control
# limit whose simulated in-control average run length is this many procedures.
AUDIT_CUSUM_ODDS_RATIO = env.float("AUDIT_CUSUM_ODDS_RATIO", default=2.0)
AUDIT_CUSUM_TARGET_ARL0 = env.float("AUDIT_CUSUM_TARGET_ARL0", default=1000.0)
# Seconds a cached result lives (it is invalidated at once by any registry write).
AUDIT_CACHE_TIMEOUT = env.int("AUDIT_CACHE_TIMEOUT", default=3600)

# --- Governance export API (registry/api/) ---------------------------------

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate challenge makes anonymous calls answer 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "registry.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only by default: the browsable API needs inline scripts the CSP forbids.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"export": env.str("EXPORT_THROTTLE_RATE", default="120/hour")},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "CryoAudit governance export API",
    "DESCRIPTION": (
        "Read-only, pseudonymised export of the CryoAudit registry for governance "
        "reviewers, site audit leads and registry admins. Patients are identified by "
        "a keyed pseudonym; no NHS number, hospital number, date of birth or free "
        "text is exported. JSON lists use cursor pagination; add `format=csv` for a "
        "streamed CSV of the whole filtered table."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI and Redoc are served from drf-spectacular-sidecar's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# HMAC-SHA256 key of the patient pseudonyms in exports. Pseudonyms stay stable
# for as long as the key does; changing it unlinks every earlier export.
_DEVELOPMENT_PSEUDONYM_KEY = "insecure-development-pseudonym-key-only-used-with-DEBUG-on"
EXPORT_PSEUDONYM_KEY = env.str("EXPORT_PSEUDONYM_KEY", default="")
if not DEBUG and EXPORT_PSEUDONYM_KEY in ("", _DEVELOPMENT_PSEUDONYM_KEY):
    raise ImproperlyConfigured(
        "EXPORT_PSEUDONYM_KEY must be set to a secret of your own when DEBUG is off "
        "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'); "
        "the development key would make export pseudonyms reversible by anyone."
    )
if not DEBUG and len(EXPORT_PSEUDONYM_KEY) < 32:
    raise ImproperlyConfigured("EXPORT_PSEUDONYM_KEY must be at least 32 characters long.")
EXPORT_PSEUDONYM_KEY = EXPORT_PSEUDONYM_KEY or _DEVELOPMENT_PSEUDONYM_KEY

# Personal API tokens expire after this many days unless the creator picks a date.
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=90)

# --- Security (see README, "Security") ----------------------------------------

# Argon2id first: new and re-hashed passwords use it; older hashes still verify.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# django-axes: 5 failed sign-ins from one username and address pair lock that
# pair out for 15 minutes; each lockout is logged (cryoaudit.security).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Behind a reverse proxy the client's address is the last one the proxy appended
# to X-Forwarded-For; TRUSTED_PROXY_COUNT says how many proxies to look through.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "registry.security.network.client_ip"

# Two-factor (TOTP, with single-use backup codes). Always required for registry
# admins, site leads and governance reviewers, and for anyone who enrolled;
# MFA_REQUIRED_FOR_CLINICIANS extends it to clinicians. MFA_ENFORCED=0 exists
# only for the `make run` demo: a system check refuses it when DEBUG is off.
MFA_ENFORCED = env.bool("MFA_ENFORCED", default=True)
if not MFA_ENFORCED and not DEBUG:
    raise ImproperlyConfigured("MFA_ENFORCED=0 is allowed only with DEBUG on (the demo).")
MFA_REQUIRED_FOR_CLINICIANS = env.bool("MFA_REQUIRED_FOR_CLINICIANS", default=False)
MFA_BACKUP_CODES = 10
OTP_TOTP_ISSUER = "CryoAudit"

# Sessions: signed out after 30 idle minutes and 12 hours after signing in.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30) * 60
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT_HOURS", default=12) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Cookies only over HTTPS (on by default whenever DEBUG is off), never readable
# by scripts, and not sent on cross-site subrequests.
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# HTTPS: TLS usually ends at a reverse proxy, which must set X-Forwarded-Proto
# (and strip any the client sent) when BEHIND_TLS_PROXY is on.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp 4): no inline scripts or styles anywhere.
# Bootstrap draws form controls with data: SVG images in its stylesheet. One
# exception, styles only: the Redoc API reference (registry/api/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
