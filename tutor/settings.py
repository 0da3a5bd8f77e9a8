"""Stepwise settings, driven by the environment.

Every variable is listed in .env.example. The defaults suit a laptop: SQLite, a Redis on
localhost (the run script starts an embedded one when REDIS_URL is unset) and the tiny
demo model when the real weights are not present.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from tutor.env import env_bool, env_choice, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("STEPWISE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# The key in the source is for DEBUG runs only (./scripts/run.sh sets DEBUG=1). Anything else
# is treated as production: with no key of its own it refuses to start, rather than sign
# sessions with a key anyone can read.
DEVELOPMENT_SECRET_KEY = "stepwise-insecure-development-key-change-me-0123456789abcdef"
SECRET_KEY = env_str("SECRET_KEY", "")
if not DEBUG and SECRET_KEY.strip() in ("", DEVELOPMENT_SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in production: DEBUG is off and SECRET_KEY is empty or the "
        "development key. Set SECRET_KEY to 50 or more random characters, or DEBUG=1 for a "
        "local run."
    )
SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    # django-lti: platform registrations, deployments, Stepwise's own keys (docs/lti.md).
    "lti_tool",
    "tutor",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Above the session middleware, to see its cookie: SameSite=None for LTI sessions only.
    "tutor.lti.embedding.LtiCookieMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a signed-in user's own choice beats the browser's languages.
    "tutor.language.UserLanguageMiddleware",
    "tutor.middleware_denials.DenialLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tutor.password_change.ForcePasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After the clickjacking middleware, so it sees the response first: LTI sessions only.
    "tutor.lti.embedding.LtiFramingMiddleware",
]

ROOT_URLCONF = "tutor.urls"
ASGI_APPLICATION = "tutor.asgi.application"

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
                "tutor.context_processors.stepwise",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'stepwise.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_int("DB_POOL_MAX_SIZE", 0):
    # Under ASGI every request in flight holds a connection; a pool caps that below
    # PostgreSQL's max_connections instead of failing with "too many clients".
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DB_POOL_MIN_SIZE", 2),
        "max_size": env_int("DB_POOL_MAX_SIZE", 0),
        "timeout": env_int("DB_POOL_TIMEOUT_S", 20),
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so that the test run's daphne and worker processes share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-stepwise.sqlite3")}
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

AUTH_USER_MODEL = "tutor.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# English and Spanish pages; the browser's Accept-Language picks one until the user chooses
# (tutor/language.py). The tutor's model explanations stay English whatever the page says.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"

# An idle timeout: the expiry moves forward with every request, so a session left alone
# for SESSION_COOKIE_AGE seconds is gone. Login rotates the session key, logout deletes it
# (Django's own behaviour).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 2)
SESSION_SAVE_EVERY_REQUEST = True
AUTHENTICATION_BACKENDS = ["tutor.login_throttle.ThrottledModelBackend"]
# Failed logins (tutor/login_throttle.py): one client may fail this often on one account, and
# all clients together LOGIN_ACCOUNT_FAILURE_LIMIT times, per LOGIN_LOCKOUT_S. No limit is on
# an address alone: a school behind one NAT, or every client behind the proxy, shares one.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", LOGIN_FAILURE_LIMIT * 4)
LOGIN_LOCKOUT_S = env_int("LOGIN_LOCKOUT_S", 15 * 60)
# Join codes that match no class, per student or per sign-up address, per 15 minutes; and new
# accounts per address per hour, high enough for a school whose classes share one address.
JOIN_CODE_FAILURE_LIMIT = env_int("JOIN_CODE_FAILURE_LIMIT", 20)
SIGNUPS_PER_HOUR_PER_ADDRESS = env_int("SIGNUPS_PER_HOUR_PER_ADDRESS", 300)
# The request header that the trusted proxy sets to the client's address (X-Forwarded-For,
# whose last entry is the one the proxy added, or X-Real-IP). Empty: the peer address. Set
# it only behind a proxy that clients cannot get around, or anyone can pick their address.
LOGIN_CLIENT_ADDRESS_HEADER = env_str("LOGIN_CLIENT_ADDRESS_HEADER", "")
# Websocket messages per user per minute, over all of the user's sockets, and the least time
# between two full snapshots on one socket (a sync sooner than that is answered then).
WS_MESSAGES_PER_MINUTE = env_int("WS_MESSAGES_PER_MINUTE", 120)
WS_SYNC_INTERVAL_S = env_float("WS_SYNC_INTERVAL_S", 2.0)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    # Only behind a proxy that sets this header itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Mail: only password reset, and only for teachers and admins (students may have no address;
# their teacher sets a temporary password instead). DEBUG runs print mail to the console;
# otherwise it goes out over SMTP with these settings. A timeout, because a hung mail server
# would otherwise hold the request that asked for the reset.
EMAIL_DELIVERY = env_choice("EMAIL_DELIVERY", "console" if DEBUG else "smtp", ("console", "smtp"))
_SMTP = {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25),
    "username": env_str("EMAIL_HOST_USER", ""),
    "password": env_str("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", False),
    "use_ssl": env_bool("EMAIL_USE_SSL", False),
    "timeout": env_int("EMAIL_TIMEOUT_S", 10),
}
if _SMTP["use_tls"] and _SMTP["use_ssl"]:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS and EMAIL_USE_SSL are both on: use one (TLS for port 587, SSL for 465)."
    )
# Django 6.1's MAILERS, not the deprecated EMAIL_* settings (they may not be mixed).
MAILERS = {
    "default": {
        "BACKEND": f"django.core.mail.backends.{EMAIL_DELIVERY}.EmailBackend",
        "OPTIONS": _SMTP if EMAIL_DELIVERY == "smtp" else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Stepwise <noreply@localhost>")
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_S", 60 * 60)
PASSWORD_RESET_MAILS_PER_HOUR = env_int("PASSWORD_RESET_MAILS_PER_HOUR", 3)


def _refuse_debug_in_production() -> None:
    """DEBUG pages show settings and tracebacks: never on a site served to the public.

    A TLS proxy, an HTTPS redirect or HSTS only make sense on such a site, so DEBUG together
    with any of them is a mistake (a production .env with DEBUG=1), not a local run.
    """
    public = {
        "BEHIND_TLS_PROXY": BEHIND_TLS_PROXY,
        "SECURE_SSL_REDIRECT": SECURE_SSL_REDIRECT,
        "SECURE_HSTS_SECONDS": SECURE_HSTS_SECONDS > 0,
    }
    named = [name for name, on in public.items() if on]
    if DEBUG and named:
        raise ImproperlyConfigured(
            f"DEBUG is on with production settings ({', '.join(named)}): set DEBUG=0."
        )


_refuse_debug_in_production()
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Scripts and styles come only from our own static files. No page has an inline script or
# style (tests/test_content_security_policy.py keeps it so), hence no CSP.NONCE and no csp
# context processor: the admin's templates then render no nonce either, and need none.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# The problem page only: its optional math keypad (MathLive, loaded when a student asks for
# it) lays out formulas with style attributes in markup it builds, which `style-src 'self'`
# blocks (fractions and roots then overlap). `style-src-attr` lets style attributes through
# and nothing else: <style> elements, style sheets and scripts keep the policy above.
# docs/security.md, item 5.
PROBLEM_PAGE_CSP = {**SECURE_CSP, "style-src-attr": [CSP.UNSAFE_INLINE]}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
# Any request body, uploads included (an import is up to 2 MB, as multipart), refused with
# 413 before Django reads it (tutor.body_limit).
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 3 * 1024 * 1024)

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_db(url: str) -> int:
    """The database number of a redis:// URL (its path, or ?db=), 0 when it names none."""
    parsed = urlparse(url)
    number = parse_qs(parsed.query).get("db", [parsed.path.strip("/")])[0]
    return int(number) if number.isdigit() else 0


# socket_timeout=None: with redis-py 8 the default cuts off the layer's blocking reads after
# 5 s, which killed idle websockets (channels_redis#422). After a Redis restart every pooled
# connection is dead; without retries each one failed a consumer once (websocket closed with
# 1011) before the pool had reconnected them all.
_CHANNEL_REDIS_HOST = {
    "address": REDIS_URL,
    "socket_timeout": None,
    "retry": AsyncRetry(ExponentialBackoff(cap=1.0, base=0.05), 6),
    "retry_on_error": [RedisConnectionError, RedisTimeoutError],
    "health_check_interval": 15,
}
# "pubsub" (the default): a group_send is one PUBLISH, pushed to the daphne processes that have
# subscribers. "core": one inbox per daphne process in Redis (a sorted set shared by all its
# sockets), with capacity and expiry; every message costs the receiving daphne three or four
# round trips to Redis, which at 50 streams
# was most of its CPU (docs/benchmarks.md). Neither keeps a message across a Redis restart;
# the browser resyncs from the saved transcript when a seq is missing, so at-most-once is
# enough for everything Stepwise sends.
CHANNEL_LAYER = env_choice("CHANNEL_LAYER", "pubsub", ("pubsub", "core"))
# Pub/sub channels belong to the whole Redis server, not to one of its numbered databases, so
# two deployments on one server (a test run on /15 beside the app on /0) would hear each
# other's events for the same session ids. Every pub/sub name starts with this prefix, which
# by default carries the database number.
REDIS_PUBSUB_PREFIX = env_str("REDIS_PUBSUB_PREFIX", f"stepwise{_redis_db(REDIS_URL)}")
if CHANNEL_LAYER == "pubsub":
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [_CHANNEL_REDIS_HOST], "prefix": f"{REDIS_PUBSUB_PREFIX}:asgi"},
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [_CHANNEL_REDIS_HOST],
                # The default capacity of 100 silently dropped messages in a burst; deltas
                # are coalesced as well, so this is headroom, not the main defence.
                "capacity": 1000,
                "expiry": 60,
            },
        }
    }

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
}

# The tutor model. A hub id or a local path; when the weights are not present the tiny
# demo model is built into TUTOR_TINY_DIR and used, and the UI says so.
TUTOR_BACKEND = env_str("TUTOR_BACKEND", "transformers")
TUTOR_MODEL = env_str("TUTOR_MODEL", "microsoft/Phi-4-mini-reasoning")
TUTOR_TINY_DIR = Path(env_str("TUTOR_TINY_DIR", str(VAR_DIR / "tiny-model")))
# The model card samples up to 32,768 new tokens; a reasoning model cut off much earlier often
# never reaches its answer. The wall-clock cap follows from it at the slowest rate a student
# should wait through (TUTOR_MIN_TOKENS_PER_S), unless set.
TUTOR_MAX_NEW_TOKENS = env_int("TUTOR_MAX_NEW_TOKENS", 32768)
TUTOR_MIN_TOKENS_PER_S = env_float("TUTOR_MIN_TOKENS_PER_S", 20.0)
TUTOR_WALL_CLOCK_S = env_float(
    "TUTOR_WALL_CLOCK_S", 60.0 + TUTOR_MAX_NEW_TOKENS / max(TUTOR_MIN_TOKENS_PER_S, 0.001)
)
# The model's context window: the prompt is cut (oldest answers first) to fit in it together
# with TUTOR_MAX_NEW_TOKENS. Phi-4-mini-reasoning has 128K.
TUTOR_CONTEXT_TOKENS = env_int("TUTOR_CONTEXT_TOKENS", 131072)
# A step of the tutor's answer proven wrong is taken back and written again this many times.
TUTOR_STEP_RETRIES = env_int("TUTOR_STEP_RETRIES", 2)
TUTOR_TEMPERATURE = env_float("TUTOR_TEMPERATURE", 0.8)
TUTOR_TOP_P = env_float("TUTOR_TOP_P", 0.95)
# TUTOR_BACKEND=scripted (tests and benchmarks): the exact text to stream, or a file holding it
# (a 32,768-token answer is about 120 KB, near the kernel's limit for one environment string).
TUTOR_SCRIPT_FILE = env_str("TUTOR_SCRIPT_FILE", "")
TUTOR_SCRIPT = (
    Path(TUTOR_SCRIPT_FILE).read_text(encoding="utf-8")
    if TUTOR_SCRIPT_FILE
    else env_str("TUTOR_SCRIPT", "")
)
TUTOR_SCRIPT_TOKENS_PER_S = env_float("TUTOR_SCRIPT_TOKENS_PER_S", 0.0)
# TUTOR_BACKEND=openai: an OpenAI-compatible server (vLLM, SGLang, Ollama, llama.cpp) runs the
# model; the worker only streams from it. The model name defaults to TUTOR_MODEL.
TUTOR_OPENAI_BASE_URL = env_str("TUTOR_OPENAI_BASE_URL", "http://127.0.0.1:8000")
TUTOR_OPENAI_MODEL = env_str("TUTOR_OPENAI_MODEL", "") or TUTOR_MODEL
TUTOR_OPENAI_API_KEY = env_str("TUTOR_OPENAI_API_KEY", "")
# vLLM and SGLang continue an assistant prefix (continue_final_message); a server that cannot
# turns off the rewriting of wrong steps for this backend (steps are still checked).
TUTOR_OPENAI_CONTINUE = env_bool("TUTOR_OPENAI_CONTINUE", True)
# The Celery queue this deployment's generation tasks go to; a worker consumes it with -Q.
TUTOR_QUEUE = env_str("TUTOR_QUEUE", "gpu")
# A running turn whose worker has not renewed its heartbeat for this long is failed. The
# worker beats every third of it and every worker (and each web process) reaps every third,
# so a student sees a dead worker's turn fail within about 1.3 times this.
TURN_HEARTBEAT_TTL_S = env_int("TURN_HEARTBEAT_TTL_S", 6)
# Web processes reap dead turns too (tutor.reaper), so a student hears that the tutor stopped
# even when no worker is alive. Off only where no server runs (the test process itself).
TURN_REAPER_IN_WEB = env_bool("TURN_REAPER_IN_WEB", True)
# Token deltas are coalesced into frames at most this often per stream. 0.1 s (10 frames/s)
# reads as smooth streaming and halves the channel-layer traffic of 0.05 s, which one daphne
# on two cores could not sustain for 50 streams (bench/fanout.py).
TUTOR_FRAME_INTERVAL_S = env_float("TUTOR_FRAME_INTERVAL_S", 0.1)
TUTOR_QUESTION_MAX_CHARS = env_int("TUTOR_QUESTION_MAX_CHARS", 2000)
TUTOR_REQUESTS_PER_MINUTE = env_int("TUTOR_REQUESTS_PER_MINUTE", 6)
TUTOR_REQUESTS_PER_DAY = env_int("TUTOR_REQUESTS_PER_DAY", 150)

CHECKER_TIMEOUT_S = env_float("CHECKER_TIMEOUT_S", 2.0)
# One student's share of the step-checker: checks at once (two tabs, a debounced page), and
# checks a minute (a fast typist sends about one a second).
CHECKS_IN_FLIGHT_PER_STUDENT = env_int("CHECKS_IN_FLIGHT_PER_STUDENT", 2)
STEP_CHECKS_PER_MINUTE = env_int("STEP_CHECKS_PER_MINUTE", 120)


def _check_tutor_settings() -> None:
    """Refuse to start on generation settings every answer would fail on, naming the variable."""
    from inference.backends.base import GenerationParams

    given = {
        "TUTOR_MAX_NEW_TOKENS": ("max_new_tokens", TUTOR_MAX_NEW_TOKENS),
        "TUTOR_TEMPERATURE": ("temperature", TUTOR_TEMPERATURE),
        "TUTOR_TOP_P": ("top_p", TUTOR_TOP_P),
        "TUTOR_WALL_CLOCK_S": ("wall_clock_s", TUTOR_WALL_CLOCK_S),
    }
    for variable, (name, value) in given.items():
        try:
            GenerationParams.validated(**{name: value})
        except ValueError as error:
            raise ImproperlyConfigured(f"{variable}={value!r}: {error}.") from None
    if TUTOR_CONTEXT_TOKENS <= TUTOR_MAX_NEW_TOKENS:
        raise ImproperlyConfigured(
            f"TUTOR_CONTEXT_TOKENS={TUTOR_CONTEXT_TOKENS} leaves no room for a prompt beside "
            f"TUTOR_MAX_NEW_TOKENS={TUTOR_MAX_NEW_TOKENS}."
        )
    if not 0 <= TUTOR_STEP_RETRIES <= 5:
        raise ImproperlyConfigured(f"TUTOR_STEP_RETRIES={TUTOR_STEP_RETRIES}: use 0 to 5.")


_check_tutor_settings()

# Tutoring sessions, attempts and resolved flags older than this are deleted by
# `manage.py purge_old_data` (run it daily).
RETENTION_DAYS = env_int("RETENTION_DAYS", 365)

CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
# acks_late + reject_on_worker_lost: a worker killed mid-generation leaves its message
# unacknowledged, so the turn is redelivered (and the task's own guard decides whether a
# half-finished turn is retried or marked failed) instead of vanishing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than the longest allowed generation, or Redis would hand a running turn to a
    # second worker.
    "visibility_timeout": int(TUTOR_WALL_CLOCK_S * 2 + 60),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Scores for an LMS (tutor/lti/tasks.py) are short HTTP calls; by default the tutor's worker
# takes them between turns, so a local run needs no second worker. LTI_QUEUE moves them.
LTI_QUEUE = env_str("LTI_QUEUE", TUTOR_QUEUE)
# The first wait before a failed score is sent again; each later wait doubles.
LTI_SCORE_RETRY_S = env_float("LTI_SCORE_RETRY_S", 15.0)
CELERY_TASK_ROUTES = {
    "tutor.worker.*": {"queue": TUTOR_QUEUE},
    "tutor.lti.*": {"queue": LTI_QUEUE},
}
CELERY_TASK_DEFAULT_QUEUE = "default"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_ROOT = BASE_DIR / "static" / "root"  # /favicon.ico
