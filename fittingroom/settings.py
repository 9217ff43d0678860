"""Settings for FittingRoom, driven by the environment.

With nothing configured the project runs on a laptop: DEBUG on, SQLite, the
in-memory channel layer. Production names its services in the environment:

* ``DJANGO_DEBUG=0`` — production mode; then ``DJANGO_SECRET_KEY`` must be a
  real secret (the server refuses to start otherwise);
* ``DJANGO_ALLOWED_HOSTS`` — comma-separated host names;
* ``DATABASE_URL`` — e.g. ``postgres://user:pass@host:5432/db``;
* ``REDIS_URL`` — e.g. ``redis://127.0.0.1:6379/0`` selects the Redis channel layer;
* ``FITTINGROOM_POSE_MODEL`` — ``lite`` (default), ``full`` or ``heavy``;
* ``DJANGO_SECURE_*`` — HTTPS redirect, HSTS, secure cookies and the proxy's HTTPS header, on by
  default in production (the README's configuration table lists them).
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Return the boolean value of environment variable ``name``."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """Return the integer value of environment variable ``name``."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated environment variable as a list."""
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a real secret when DJANGO_DEBUG=0."
        )
    SECRET_KEY = _DEV_SECRET
elif not DEBUG and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    # Django's own deploy check (security.W009) asks as much: a key we accept never warns.
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak for production: use at least 50 random characters."
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "axes",
    "catalog",
    "tryon",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "fittingroom.middleware.ContentSecurityPolicyMiddleware",
    # Before sessions and CSRF, which would parse an oversized form (fittingroom/bodylimit.py).
    "fittingroom.bodylimit.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fittingroom.urls"
WSGI_APPLICATION = "fittingroom.wsgi.application"
ASGI_APPLICATION = "fittingroom.asgi.application"

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
                "catalog.context_processors.storefront",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file for tests too (Channels' live server refuses in-memory SQLite), one per test process.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"fittingroom-test-{os.getpid()}.sqlite3")
    }

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Failed logins are throttled by django-axes, per account and per client address: after
# LOGIN_FAILURE_LIMIT failures within the lock-out period the next attempts, right password or
# not, get the lock-out page until the period has passed since the last failure. Unlock at once
# with `manage.py axes_reset_username NAME` and `axes_reset_ip ADDRESS`, which the page names
# (README, quick start). With Redis the counts live in the shared cache, so they hold across
# every worker process (one count per account and one per address: hence both commands).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 10)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT + 1  # axes refuses the attempt that reaches its limit
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "fittingroom.lockout.login_client_address"  # the peer address, as every other limit
AXES_LOCKOUT_CALLABLE = "fittingroom.lockout.login_locked_out"
AXES_VERBOSE = False  # no start-up banner on every manage.py command
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler" if REDIS_URL else "axes.handlers.database.AxesDatabaseHandler"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("FITTINGROOM_MEDIA_ROOT", BASE_DIR / "media"))
# Serve uploads from Django itself (local runs); production puts a web server or CDN in front.
FITTINGROOM_SERVE_MEDIA = env_bool("FITTINGROOM_SERVE_MEDIA", DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedStaticFilesStorage"
    },
}
# Static files always go through the middleware stack (WhiteNoise), so they carry the CSP too:
# a Worker takes its policy from its own script's response.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# WhiteNoise serves .wasm as application/wasm so browsers compile it while streaming.
WHITENOISE_MIMETYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".task": "application/octet-stream"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "admin:login"

# Request bodies: each view's limit is checked from Content-Length before anything parses the body
# (fittingroom/bodylimit.py). Of a form, the fields that are not files may hold 2.5 MB at most
# (Django's default; our forms send a few KB) in at most 1,000 fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Uploads stay in memory, never in a temporary file: larger ones are refused by size checks first.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS in production, each part switchable from the environment (defaults: all on). HSTS is
# sticky in browsers: an operator trying the store on a host without TLS sets the first two to 0.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
# Behind a proxy that terminates TLS: the header it sets on HTTPS requests, "Name: value"
# (e.g. "X-Forwarded-Proto: https"). Only set it when the proxy always sets or strips that
# header, or a client could claim HTTPS. Unset, Django trusts no header.
_proxy_ssl_header = os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_ssl_header:
    _name, _, _value = _proxy_ssl_header.partition(":")
    if not _name.strip() or not _value.strip():
        raise ImproperlyConfigured('DJANGO_SECURE_PROXY_SSL_HEADER must read "Header-Name: value".')
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _name.strip().upper().replace("-", "_"), _value.strip())

# FittingRoom.
FITTINGROOM = {
    # Overlay uploads: bytes on disk and decoded pixels.
    "OVERLAY_MAX_BYTES": int(os.environ.get("FITTINGROOM_OVERLAY_MAX_BYTES", 8 * 1024 * 1024)),
    "OVERLAY_MAX_PIXELS": int(os.environ.get("FITTINGROOM_OVERLAY_MAX_PIXELS", 12_000_000)),
    "OVERLAY_MAX_SIDE": 4096,
    "PRODUCT_IMAGE_MAX_BYTES": 10 * 1024 * 1024,
    "PRODUCT_IMAGE_MAX_PIXELS": 40_000_000,
    # Photo try-on uploads.
    "PHOTO_MAX_BYTES": env_int("FITTINGROOM_PHOTO_MAX_BYTES", 10 * 1024 * 1024),
    "PHOTO_MAX_PIXELS": int(os.environ.get("FITTINGROOM_PHOTO_MAX_PIXELS", 24_000_000)),
    "PHOTO_MAX_SIDE": 8192,
    # Request bodies, checked before parsing: the admin's forms carry photos and overlays; other
    # views accept small forms unless they declare their own limit (fittingroom/bodylimit.py).
    "ADMIN_MAX_BODY_BYTES": env_int("FITTINGROOM_ADMIN_MAX_BODY_BYTES", 32 * 1024 * 1024),
    "MAX_BODY_BYTES": env_int("FITTINGROOM_MAX_BODY_BYTES", 256 * 1024),
    "PHOTO_RATE_LIMIT": os.environ.get("FITTINGROOM_PHOTO_RATE_LIMIT", "20/60"),  # requests / seconds
    "POSE_MODEL": os.environ.get("FITTINGROOM_POSE_MODEL", "lite"),
    "MODELS_DIR": Path(os.environ.get("FITTINGROOM_MODELS_DIR", BASE_DIR / "static" / "vendor" / "models")),
    # Server-rendered live try-on (WebSocket ws/tryon/, see tryon/consumers.py for the protocol and close codes).
    "LIVE_POSE_MODEL": os.environ.get("FITTINGROOM_LIVE_POSE_MODEL", "lite"),
    # One binary frame message (Daphne refuses > 1 MiB itself). The proxy's limits are derived
    # from these and the body limits above (fittingroom/proxy.py), so the two never disagree.
    "LIVE_MAX_MESSAGE_BYTES": env_int("FITTINGROOM_LIVE_MAX_MESSAGE_BYTES", 512 * 1024),
    "LIVE_MAX_FRAME_WIDTH": 1280,
    "LIVE_MAX_FRAME_HEIGHT": 1280,
    "LIVE_MAX_CONNECTIONS_PER_CLIENT": int(os.environ.get("FITTINGROOM_LIVE_MAX_CONNECTIONS_PER_CLIENT", 2)),
    "LIVE_MAX_CONNECTIONS": int(os.environ.get("FITTINGROOM_LIVE_MAX_CONNECTIONS", 16)),  # all workers with REDIS_URL, else per process
    "LIVE_IDLE_TIMEOUT": float(env_int("FITTINGROOM_LIVE_IDLE_TIMEOUT", 30)),  # seconds without a frame: close 4008
    # With REDIS_URL: a worker that died without closing its connections (SIGKILL) stops holding
    # their slots after this many seconds; live workers refresh theirs every third of it.
    "LIVE_SLOT_TTL": float(env_int("FITTINGROOM_LIVE_SLOT_TTL", 10)),
    "LIVE_MAX_FPS": int(os.environ.get("FITTINGROOM_LIVE_MAX_FPS", 30)),  # per connection; the excess is dropped
    "LIVE_JPEG_QUALITY": 80,
    # Load the pose model before the worker listens (tools/serve_prod.py sets it; a laptop need not wait).
    "LIVE_PRELOAD": env_bool("FITTINGROOM_LIVE_PRELOAD", False),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
