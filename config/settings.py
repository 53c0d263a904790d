"""Fazhi settings, read from the environment (documented in .env.example)."""

import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("FAZHI_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
FAZHI_ENV = env_choice("FAZHI_ENV", "development", ("development", "production"))


def _secret_key() -> str:
    """Use SECRET_KEY; outside production, keep a generated one under var/."""
    key = env_str("SECRET_KEY", "")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")
        return key
    if FAZHI_ENV == "production":
        raise ImproperlyConfigured("SECRET_KEY must be set when FAZHI_ENV=production")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _audit_anchor_key() -> str:
    """Key of the audit checkpoints: from the environment, never from the database.

    Outside production a generated key is kept under var/ (beside the database,
    so it proves nothing there: it only exercises the mechanism).
    """
    key = env_str("AUDIT_ANCHOR_KEY", "")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("AUDIT_ANCHOR_KEY must be at least 32 characters long")
        return key
    if FAZHI_ENV == "production":
        raise ImproperlyConfigured("AUDIT_ANCHOR_KEY must be set when FAZHI_ENV=production")
    path = VAR_DIR / "audit_anchor_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


AUDIT_ANCHOR_KEY = _audit_anchor_key()
# Append-only checkpoint file (chattr +a, or a mount the database host cannot write).
AUDIT_ANCHOR_FILE = Path(env_str("AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit" / "checkpoints.log")))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "fazhi.core",
    "fazhi.laws",
    "fazhi.powers",
    "fazhi.discretion",
    "fazhi.registry",
    "fazhi.inspections",
    "fazhi.cases",
]

MIDDLEWARE = [
    # First: probes call by address, which the host check below would refuse.
    "fazhi.core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "fazhi.core.middleware.RequestLogMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fazhi.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the two below: they add messages when they redirect.
    "django.contrib.messages.middleware.MessageMiddleware",
    "fazhi.core.middleware.IdleTimeoutMiddleware",
    # Before password expiry: a half-logged-in session proves its second factor first.
    "fazhi.core.middleware.TwoFactorMiddleware",
    "fazhi.core.middleware.PasswordExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A service's refusal a page did not catch: OutOfScope → 404, NotAllowed → 403.
    "fazhi.core.policy.PolicyErrorMiddleware",
    # Innermost: keeps the answers of @cached_read views (fazhi/core/read_cache.py).
    "fazhi.core.read_cache.ReadCacheMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fazhi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fazhi.core.context_processors.permissions",
                "fazhi.core.context_processors.navigation",
                "fazhi.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        "DATABASE_URL",
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'fazhi.sqlite3'}"),
        BASE_DIR,
    )
}
if FAZHI_ENV == "production" and "sqlite3" in str(DATABASES["default"]["ENGINE"]):
    # One writer at a time and no server-side dumps: SQLite is for a demo or a laptop.
    raise ImproperlyConfigured(
        "DATABASE_URL must be postgres://… when FAZHI_ENV=production (SQLite is refused)"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["fazhi.core.auth.RoleBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 10, minimum=8, maximum=128)
PASSWORD_MIN_CLASSES = env_int("PASSWORD_MIN_CLASSES", 3, minimum=1, maximum=4)
PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90, minimum=0)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "fazhi.core.auth.ComplexityValidator",
        "OPTIONS": {"min_classes": PASSWORD_MIN_CLASSES},
    },
    # Refuses the current and the last PASSWORD_HISTORY passwords; records each new one.
    {"NAME": "fazhi.core.auth.PasswordHistoryValidator"},
]
PASSWORD_HISTORY = env_int("PASSWORD_HISTORY", 5, minimum=0, maximum=50)
# Login throttling (fazhi/core/throttle.py): never a lockout, growing delays instead.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_WINDOW_MINUTES = env_int("LOGIN_WINDOW_MINUTES", 60, minimum=1)
LOGIN_DELAY_SECONDS = env_int("LOGIN_DELAY_SECONDS", 2, minimum=1)
LOGIN_MAX_DELAY_MINUTES = env_int("LOGIN_MAX_DELAY_MINUTES", 15, minimum=1)
LOGIN_USUAL_ADDRESS_DAYS = env_int("LOGIN_USUAL_ADDRESS_DAYS", 90, minimum=1)
# Two-factor login (TOTP, fazhi/core/two_factor.py): these roles (and superusers)
# must enrol an authenticator; every other user may. Personal API tokens are not
# affected; the browser session reaches the API only once verified.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", ["system_admin", "supervisor"])
TWO_FACTOR_RECOVERY_CODES = env_int("TWO_FACTOR_RECOVERY_CODES", 10, minimum=1, maximum=50)
# The name an authenticator app shows beside the code.
OTP_TOTP_ISSUER = env_str("TWO_FACTOR_ISSUER", "Fazhi")
# Wrong codes slow down: 1 s after the first, doubling after each further one.
OTP_TOTP_THROTTLE_FACTOR = 1
# Personal API tokens expire after this many days by default (0: never).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=0)
# Django's database sessions, the row remembered while the data is unchanged.
SESSION_ENGINE = "fazhi.core.sessions"
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = env_int("SESSION_MAX_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
_production = FAZHI_ENV == "production"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", _production)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# TLS is terminated in front of Fazhi (nginx, a load balancer). Requests from these
# addresses are trusted for X-Forwarded-For (the client address used by audit and
# login throttling) and X-Forwarded-Proto (is the request HTTPS?). Bind the server
# where only the proxy can reach it.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _production)
# A load balancer's probe speaks plain HTTP to the backend.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31_536_000 if _production else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", _production)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", _production)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "fazhi" / "locale"]
# Our own date formats per language: an <input type=date> must carry ISO dates
# (YYYY-MM-DD) whatever the language, so ISO comes first among the input formats.
FORMAT_MODULE_PATH = ["fazhi.formats"]
# The names in the page header and on the login page.
FAZHI_BUREAU_NAME = env_str("FAZHI_BUREAU_NAME", "")
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every start when it is missing
STATICFILES_DIRS = [BASE_DIR / "fazhi" / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names (served for a year by whitenoise) once collected;
    # tests and runserver use the plain storage that needs no collectstatic.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", _production)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 50, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Days an export's file is kept after it is written (then the worker deletes it).
EXPORT_KEEP_DAYS = env_int("EXPORT_KEEP_DAYS", 7, minimum=1)
# Repeated list and search answers kept per process while the database is
# unchanged (fazhi/core/read_cache.py): at most this many MB and seconds; 0 = off.
READ_CACHE_MB = env_int("READ_CACHE_MB", 32, minimum=0)
READ_CACHE_SECONDS = env_int("READ_CACHE_SECONDS", 60, minimum=0)

# The database worker by default (./dev serve and ./dev demo start it): a check
# or an import never runs inside the web request. Tests run tasks immediately.
_task_backend = env_choice("TASK_BACKEND", "database", ("immediate", "database"))
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[_task_backend]
    }
}

# One JSON object per line in production (for journald, Loki, ELK), plain text otherwise.
_log_format = env_choice("LOG_FORMAT", "json" if _production else "text", ("json", "text"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": _log_format}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        # One line per request (method, path, status, duration, user, client).
        "fazhi.request": {"level": "INFO" if env_bool("LOG_REQUESTS", _production) else "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
# limit/offset bounded to what the database holds (fazhi/core/api_types.py).
NINJA_PAGINATION_CLASS = "fazhi.core.api_types.Pagination"
