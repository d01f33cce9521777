"""Settings for Orchestra Lab.

Embedded defaults (SQLite, the in-memory channel layer, DEBUG on loopback, a generated secret key) make
`make run` work on a bare machine; `make run HOST=0.0.0.0` serves a classroom LAN in production mode
(config.lan); environment variables switch to real services. Every variable is listed in the README.
"""

import os
import re
import socket
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config import lan, secret_key
from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# Where the server listens, as `make run` tells it (HOST): beyond loopback is a classroom, so production mode.
BIND_HOST = env_str("BIND_HOST", "")
LAN_MODE = lan.binds_beyond_loopback(BIND_HOST)
DEBUG = env_bool("DEBUG", not LAN_MODE)
if DEBUG and LAN_MODE:
    raise ImproperlyConfigured(
        f"DEBUG is on while serving beyond loopback ({BIND_HOST}): students would see tracebacks. "
        "Unset DEBUG (or DEBUG=0), or serve on 127.0.0.1."
    )

# The key signs students' class cookies and every session. Unset, it is drawn once and kept in var/ (0600).
DEFAULT_SECRET_KEY = "orchestra-lab-insecure-development-key-change-me"  # refused outside DEBUG: it is public
SECRET_KEY = env_str("SECRET_KEY", "") or secret_key.load_or_create(
    Path(env_str("SECRET_KEY_FILE", str(BASE_DIR / "var" / "secret_key")))
)
if not DEBUG and SECRET_KEY == DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is the built-in development key: unset SECRET_KEY (a key is generated "
        "in var/secret_key) or set it to a long random value."
    )

# The address students open (the join link and QR code); unset, it is worked out per request (course.classroom.join_link).
PUBLIC_URL = env_str("PUBLIC_URL", "").strip().rstrip("/")
_public = urlsplit(PUBLIC_URL)
if PUBLIC_URL and (_public.scheme not in {"http", "https"} or not _public.hostname or _public.path):
    raise ImproperlyConfigured(
        f"PUBLIC_URL must look like http://192.168.0.10:8000 (no path); got {PUBLIC_URL!r}"
    )
# The addresses other machines reach this server at, best first (empty on loopback).
LAN_ADDRESSES = lan.reachable_addresses(BIND_HOST) if LAN_MODE else []

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Phones reach the classroom server by its LAN address; the websocket origin check reads the same list.
if LAN_MODE:
    ALLOWED_HOSTS += [
        h for h in lan.lan_host_names(LAN_ADDRESSES, socket.gethostname()) if h not in ALLOWED_HOSTS
    ]
if PUBLIC_URL:
    ALLOWED_HOSTS.append(lan.url_host(_public.hostname))
    CSRF_TRUSTED_ORIGINS.append(f"{_public.scheme}://{_public.netloc}")

INSTALLED_APPS = [
    # daphne first, so `runserver` serves ASGI (websockets included).
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
    "csp",
    "course",
    "visualizer",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = None
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # A whole class reconnecting at once exhausts redis-py's default pool of 100.
                "hosts": [{"address": REDIS_URL, "max_connections": env_int("REDIS_MAX_CONNECTIONS", 1000)}],
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# How live clusters are shared between Daphne processes (visualizer.host): the lease an owner holds, how often
# it is renewed (and dead owners looked for), how often a changing cluster is saved.
VISUALIZER_HOST = {
    "lease_ttl": float(env_str("VISUALIZER_LEASE_TTL", "15")),
    "housekeeping": float(env_str("VISUALIZER_HOUSEKEEPING", "5")),
    "save_every": float(env_str("VISUALIZER_SAVE_EVERY", "3")),
    # Each viewer's bounded outgoing buffer (visualizer.viewer_buffer, bytes and seconds): past high water it
    # gets no diffs, below low water one fresh snapshot; behind longer than BEHIND_SECONDS or past the hard cap
    # it is closed with 4008.
    "viewer_high_water": env_int("VISUALIZER_VIEWER_HIGH_WATER", 256 * 1024),
    "viewer_low_water": env_int("VISUALIZER_VIEWER_LOW_WATER", 64 * 1024),
    "viewer_hard_cap": env_int("VISUALIZER_VIEWER_HARD_CAP", 4 * 1024 * 1024),
    "viewer_behind_seconds": float(env_str("VISUALIZER_VIEWER_BEHIND_SECONDS", "30")),
    # Seconds of reading (at the viewer's measured rate) a viewer may hold before it skips to a coalesced
    # catch-up, and at most left to read when it gets it (visualizer.viewer_buffer).
    "viewer_max_lag": float(env_str("VISUALIZER_VIEWER_MAX_LAG", "1")),
    "viewer_drain_lead": float(env_str("VISUALIZER_VIEWER_DRAIN_LEAD", "0.5")),
    # The kernel's send buffer per viewer socket (SO_SNDBUF; 0 leaves Linux's autotuning, up to 4 MiB each).
    "viewer_sndbuf": env_int("VISUALIZER_VIEWER_SNDBUF", 128 * 1024) or None,
}

# The clusters' Kubernetes API for students' own kubectl (visualizer.kubeapi): the TLS port `make run` listens
# on (API_PORT, 6443 as kube-apiserver) and where its certificate authority is kept (made on first run).
KUBEAPI_PORT = env_int("KUBEAPI_PORT", 6443)
KUBEAPI_TLS_DIR = Path(env_str("KUBEAPI_TLS_DIR", str(BASE_DIR / "var" / "tls")))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", "한국어"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.storage.StaticStorage"},
}
# Vendored sources keep maps and licences that need not be hashed strictly.
WHITENOISE_MANIFEST_STRICT = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "admin:login"

# Cookies travel only over HTTPS when SECURE_COOKIES is on (behind TLS); the students' class cookie follows
# SESSION_COOKIE_SECURE (course.classroom.identity).
SECURE_COOKIES = env_bool("SECURE_COOKIES", False) and not DEBUG
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
# HSTS only once the site is served over HTTPS for good: browsers remember it for this many seconds.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
# Browsers ignore Cross-Origin-Opener-Policy on plain HTTP at a LAN address and log an error on every page
# for it: send it only where it can work (behind HTTPS).
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin" if SECURE_COOKIES else None

# Rate-limit counters (course.classroom.ratelimit) and nothing else: shared by every Daphne process through
# Redis when REDIS_URL is set, per process otherwise (one process is what `make run` starts).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "orchestra-lab",
        }
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "orchestra-lab"}
    }

# Behind a reverse proxy every client has the proxy's address: with this on, the visualizer's per-address
# limits (visualizer.identity.client_address) read the last X-Forwarded-For hop, the one the proxy appended.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
# New visitors (browsers without a session, each given a sandbox cluster) per address: "COUNT/SECONDS" (COUNT at
# once, refilled over SECONDS) or "off" (visualizer.views; a browser that keeps its cookie is not counted again).
RATE_LIMIT_SANDBOX_ADDRESS = env_str("RATE_LIMIT_SANDBOX_ADDRESS", "60/600")
if not re.fullmatch(r"[1-9][0-9]*/[1-9][0-9]*|off|0|none", RATE_LIMIT_SANDBOX_ADDRESS.strip().lower()):
    raise ImproperlyConfigured(
        f"RATE_LIMIT_SANDBOX_ADDRESS must look like 60/600 (count/seconds) or off; got {RATE_LIMIT_SANDBOX_ADDRESS!r}"
    )

# Per client (address, and browser session once it has one): attempts allowed per window, "COUNT/SECONDS" or
# "off". A class of 12 behind one shared address still fits; a script creating students or guessing codes does not.
RATE_LIMITS = {
    "join": {
        "address": env_str("RATE_LIMIT_JOIN_ADDRESS", "40/600"),
        "session": env_str("RATE_LIMIT_JOIN_SESSION", "10/600"),
    },
    "pair": {
        "address": env_str("RATE_LIMIT_PAIR_ADDRESS", "60/600"),
        "session": env_str("RATE_LIMIT_PAIR_SESSION", "10/600"),
    },
}

# Admin sign-in locks out after repeated failures (django-axes, attempts stored in the database, so shared by
# every process). Locked per user name *and* address: a student failing on the instructor's name locks only
# their own machine out, never the instructor's.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("ADMIN_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
AXES_VERBOSE = False

# Content-Security-Policy (django-csp 4): scripts only from this server's files, never inline; styles may be
# inline because mermaid draws diagrams with <style> elements and style attributes. connect-src 'self'
# covers the websockets (ws:/wss: to the same host, CSP level 3).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes logs every sign-in at INFO; lockouts and failures are warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}

# SQLite (the default: `make run` on a laptop) in write-ahead-log mode: readers (the pages of a class) no longer
# wait for a writer (a live cluster's saves, ten a second in a demo), and a commit appends to the log instead of
# rewriting a rollback journal and syncing twice; synchronous=NORMAL is SQLite's advice for WAL (a power cut may
# lose the last commits, never corrupt the file). https://www.sqlite.org/wal.html, Django's SQLite notes
# ("init_command").
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL"
    )

# Browser tests run Daphne in a subprocess against the test database, so SQLite's test database is a file
# (one per test run, so two runs side by side do not share it).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
