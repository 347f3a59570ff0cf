"""Kenes settings: every variable is read once, here, with a typed reader.

With nothing set this runs a development site on SQLite in var/. The README's
configuration table lists every variable and its default.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KENES_VAR_DIR", str(BASE_DIR / "var")))

DEVELOPMENT_SECRET_KEY = "kenes-development-key-never-use-in-production"  # noqa: S105

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY: DEBUG=false refuses the development key.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "kenes.core",
    "kenes.accounts",
    "kenes.territory",
    "kenes.councils",
    "kenes.proposals",
    "kenes.relocation",
    "kenes.meetings",
    "kenes.accountability",
    "kenes.indicators",
    "kenes.notifications",
    "kenes.demo",
]

MIDDLEWARE = [
    # First, so it compresses what every later middleware produced. CSRF tokens are masked per
    # response, which is Django's answer to BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "kenes.core.middleware.RequestIdMiddleware",
    "kenes.core.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "kenes.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kenes.core.middleware.KazakhFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kenes.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: it answers an anonymous visitor from the page cache before the view runs (decision 0012).
    "kenes.core.page_cache.AnonymousPageCacheMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kenes" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kenes.core.context_processors.site",
            ],
        },
    },
]

# SQLite by default; DATABASE_URL switches to PostgreSQL (or anything dj-database-url reads).
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Fail fast while the server is down (a 503 page, not a hung worker); a kept connection is
        # checked before reuse, so Kenes reconnects by itself once the server is back.
        DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 3)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "kenes.sqlite3")),
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A streaming read replica (docs/deployment.md): reads of safe requests that have not written go to
# it, everything else to DATABASE_URL (kenes/core/db_router.py, kenes/core/replica.py). Unset: one
# database, no router, no middleware. Tests use it as a mirror of the test database.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
KENES_REPLICA_PIN_SECONDS = env_int("KENES_REPLICA_PIN_SECONDS", 5)
if DATABASE_REPLICA_URL:
    if not DATABASE_URL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL: a replica of SQLite does not exist.")
    _primary = DATABASES["default"]
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=_primary["CONN_MAX_AGE"], conn_health_checks=True
    )
    DATABASES["replica"]["OPTIONS"] = {**_primary.get("OPTIONS", {}), **DATABASES["replica"].get("OPTIONS", {})}
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["kenes.core.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "kenes.core.replica.ReplicaPinMiddleware",
    )

# The anonymous page cache (kenes/core/page_cache.py, decision 0012): rendered public pages, kept in
# each process's memory and checked against the database's content version on every hit. 0 = off.
KENES_PAGE_CACHE_SECONDS = env_int("KENES_PAGE_CACHE_SECONDS", 300)
# On PostgreSQL each process hears every new version by LISTEN/NOTIFY (kenes/core/version_listener.py)
# and a hit asks nothing; false behind a pooler in transaction mode, where LISTEN does not work.
KENES_PAGE_CACHE_LISTEN = env_bool("KENES_PAGE_CACHE_LISTEN", True)
# Supports that arrive together are written together, one transaction per group, by one writer
# thread per process (kenes/core/grouped_writes.py, decision 0013); false: each request writes its own.
KENES_GROUPED_WRITES = env_bool("KENES_GROUPED_WRITES", True)
# `POST /api/v1/proposals/{id}/support` with an API token skips the middleware that has nothing to do
# for it, URL resolving and django-ninja (config/gateway.py, decision 0014); false: the whole site's way.
KENES_SUPPORT_GATEWAY = env_bool("KENES_SUPPORT_GATEWAY", True)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kenes-default"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "kenes-pages",
        "OPTIONS": {"MAX_ENTRIES": env_int("KENES_PAGE_CACHE_ENTRIES", 2000)},
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "kenes@localhost")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# Notifications (decision 0009). SMS goes to an HTTP gateway (POST JSON with a bearer token and an
# Idempotency-Key header); Telegram through the Bot API. Without a URL or token the channel writes
# to the log instead of sending (development and `make demo`).
KENES_SMS_URL = env_str("KENES_SMS_URL", "")
KENES_SMS_TOKEN = env_str("KENES_SMS_TOKEN", "")
KENES_TELEGRAM_API = env_str("KENES_TELEGRAM_API", "https://api.telegram.org")
KENES_TELEGRAM_BOT_TOKEN = env_str("KENES_TELEGRAM_BOT_TOKEN", "")
KENES_TELEGRAM_BOT_NAME = env_str("KENES_TELEGRAM_BOT_NAME", "kenes_bot")
KENES_TELEGRAM_WEBHOOK_SECRET = env_str("KENES_TELEGRAM_WEBHOOK_SECRET", "")
KENES_NOTIFY_MAX_ATTEMPTS = env_int("KENES_NOTIFY_MAX_ATTEMPTS", 6)
KENES_NOTIFY_TIMEOUT_SECONDS = env_int("KENES_NOTIFY_TIMEOUT_SECONDS", 10)

# Kazakh first, Russian second, English third.
LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "kenes" / "locale"]
FORMAT_MODULE_PATH = ["kenes.core.formats"]
LANGUAGE_COOKIE_NAME = "kenes_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Oral")
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "kenes" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
KENES_TASK_LEASE_SECONDS = env_int("KENES_TASK_LEASE_SECONDS", 600)  # RUNNING longer: its worker died (0010)

# Security: CSRF everywhere (middleware), CSP without inline scripts (our middleware),
# secure cookies and HSTS whenever DEBUG is off.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# 127.0.0.1 is the demo address; silence the warning that HSTS over plain HTTP is ignored there.
SILENCED_SYSTEM_CHECKS = ["security.W008"]

# Territory source order: KENES_KATO_FILE, else the shared classifier, else the bundled sample.
KENES_KATO_FILE = env_str("KENES_KATO_FILE", "")
KENES_SHARED_DATA = Path(env_str("KENES_SHARED_DATA", str(BASE_DIR.parent / "shared" / "data")))
KENES_PILOT_DISTRICT = env_str("KENES_PILOT_DISTRICT", "274400000")
# Key for the IIN digest: lookups work without storing the number. Changing it orphans stored digests.
KENES_IIN_PEPPER = env_str("KENES_IIN_PEPPER", SECRET_KEY)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint.progress": {"level": "WARNING"}},
}
