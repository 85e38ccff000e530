"""Steady settings.

Everything is read from the environment (django-environ). With nothing set,
Steady runs embedded: SQLite, the in-memory channel layer and a filesystem
Celery broker that works across processes. With DATABASE_URL and REDIS_URL it
runs on PostgreSQL and Redis. Production hardening lives in
``backend.settings_production``.
"""

from email.utils import parseaddr
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("STEADY_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# A development-only fallback; settings_production refuses to start without
# a real SECRET_KEY in the environment.
SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-steady-key-change-me-0123456789abcdef")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
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
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_prometheus",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "accounts",
    "couples",
    "checkins",
    "reminders",
    "gratitude",
    "space",
    "agreements",
    "journal",
    # The daily question, revealed together.
    "daily",
    # The relationship check-up (a therapist's progress scope reads it).
    "checkups",
    # Time-out rules and time-outs (on space), later the repair conversation.
    "repair",
    # The promise ledger (on space, repair, agreements, check-ins) and the
    # time-to-repair trend.
    "promises",
    # The reassurance ritual and "I steadied myself" (on repair's time-outs).
    "reassurance",
    "therapists",
    "pwa",
    # The first run after pairing (a schedule, notifications, quiet hours, privacy).
    "firstrun",
    # The private safety check and the quiet pause (docs/safety.md).
    "safety",
    # On top: gathers every feature (home page, export, demo data).
    "home",
]

MIDDLEWARE = [
    # First: every later line logged for this request carries its id.
    "backend.observability.RequestIdMiddleware",
    "backend.observability.InternalEndpointsMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "backend.middleware.ApiNoStoreMiddleware",
    "backend.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of a request: the cookie, then Accept-Language
    # (docs/translations.md); a signed-in person's own setting comes after
    # AuthenticationMiddleware (accounts.middleware.UserLanguageMiddleware).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's own language (User.language) for their pages;
    # for the API, Accept-Language first (accounts.language).
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "therapists.middleware.TherapistIdleTimeoutMiddleware",
    # The optional app lock (docs/applock.md): after the person's N minutes
    # away, session-cookie pages ask again before showing anything.
    "accounts.applock.AppLockMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "accounts.middleware.DeviceCookieMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "backend.templates.DjangoTemplates",  # a rendered context freed at once
        "NAME": "django",  # the alias Django's own backend has (engines["django"])
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "couples.context_processors.couple",
                "reminders.context_processors.unread",
                "home.context_processors.current_tab",
            ],
            # |when: dates in the reader's language (backend/dates.py);
            # {% arrow %}, |arrow_join: "3 → 5", the right way in Arabic.
            "builtins": ["backend.templatetags.when", "backend.templatetags.arrows"],
        },
    },
]

# --- Database ---------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "steady.sqlite3"
# An empty DATABASE_URL means "not set" (as in a template .env file).
DATABASES = {"default": environ.Env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the web process, the worker and beat
    # share one SQLite file without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # Django's, with timestamps parsed by psycopg's C loader (backend/postgresql/base.py).
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "backend.postgresql"
    # Under ASGI every sync view runs in a thread of its own, so a
    # connection kept per thread (CONN_MAX_AGE) is a connection per request
    # ever served. Instead each process keeps a bounded pool (psycopg_pool,
    # Django 5.1+): threads borrow a connection for a request and give it
    # back. DB_POOL_MAX_SIZE=0 turns the pool off for an external pooler
    # (PgBouncer in transaction mode): then each request opens and closes a
    # connection to PgBouncer, and server-side cursors (which do not survive
    # transaction pooling) are off. Sizing: docs/operations.md.
    DB_POOL_MAX_SIZE = env.int("DB_POOL_MAX_SIZE", default=10)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DB_POOL_MAX_SIZE > 0:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(env.int("DB_POOL_MIN_SIZE", default=2), DB_POOL_MAX_SIZE),
            "max_size": DB_POOL_MAX_SIZE,
            # Seconds a request waits for a free connection before it gets a
            # 503 with Retry-After (backend/errors.py), rather than queueing
            # without end.
            "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
            # Idle connections above min_size are closed after this long.
            "max_idle": env.float("DB_POOL_MAX_IDLE", default=300.0),
            "name": "steady",
        }
        # backend.prepared runs the list queries as prepared statements on the
        # pooled connections. psycopg refuses any prepare while this is None
        # (Django's default); it is so high that nothing is prepared unless
        # asked. Django's own cursors bind on the client and never prepare.
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 2**31 - 1
    else:
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, channels, Celery -----------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")


def redis_db(url: str, offset: int) -> str:
    """``url`` with its database number moved up by ``offset``. The cache,
    the channel layer and the broker each get a database of their own, so
    that clearing the cache (Django's RedisCache.clear() is FLUSHDB) can
    never drop the live sockets' groups or queued reminders."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    if base + offset > 15:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"REDIS_URL uses database {base}; Steady also needs {base + 1} and {base + 2} "
            "(channel layer, broker). Use a database of 13 or lower, or set CHANNELS_REDIS_URL "
            "and CELERY_BROKER_URL."
        )
    return urlunsplit(parts._replace(path=f"/{base + offset}"))


if REDIS_URL:
    from urllib.parse import urlsplit

    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="steady"),
        }
    }
    CHANNELS_REDIS_URL = env.str("CHANNELS_REDIS_URL", default="") or redis_db(REDIS_URL, 1)
    CHANNEL_LAYERS = {
        "default": {
            # Redis pub/sub: one PUBLISH per hint, pushed to the subscribed
            # web processes (the list-based RedisChannelLayer took four round
            # trips to send and four to receive each message, one message at
            # a time per process). Delivery is at most once, which is what a
            # hint needs: the database is the truth and every socket re-reads
            # it on `sync` (docs/realtime.md). After a Redis restart redis-py
            # reconnects and subscribes again by itself.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [{"address": CHANNELS_REDIS_URL, "socket_timeout": 15}],
                # Pub/sub channels are not scoped by Redis database number:
                # the prefix keeps apart deployments (and test runs) that
                # share a Redis, by default as their database numbers did.
                "prefix": env.str("CHANNELS_PREFIX", default="")
                or f"steady-db{urlsplit(CHANNELS_REDIS_URL).path.strip('/') or 0}.",
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_EMBEDDED_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or redis_db(REDIS_URL, 2)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    # kombu's filesystem transport: a broker with no server that the web
    # process, the worker and beat share through a folder.
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
    for sub in ("out", "processed", "control"):
        (CELERY_EMBEDDED_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_EMBEDDED_DIR / "out"),
        "data_folder_out": str(CELERY_EMBEDDED_DIR / "out"),
        "processed_folder": str(CELERY_EMBEDDED_DIR / "processed"),
        "control_folder": str(CELERY_EMBEDDED_DIR / "control"),
        "store_processed": False,
    }
CELERY_BROKER_IS_EMBEDDED = CELERY_BROKER_URL.startswith("filesystem://")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Deployments (or test runs) that share one Redis database keep their
# queues apart by name.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Beat on Redis (backend/beat.py): how long a beat that died holding the
# lock holds up the next one, and where its keys live.
STEADY_BEAT_LOCK_SECONDS = env.int("STEADY_BEAT_LOCK_SECONDS", default=30)
STEADY_BEAT_KEY_PREFIX = env.str("STEADY_BEAT_KEY_PREFIX", default="steady:beat:")
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # On Redis, beat keeps its schedule and its one-beat lock there, so a
    # second beat, on any machine, sends nothing twice. Embedded (no Redis),
    # beat is Celery's own with its schedule in a file: one machine, one beat.
    CELERY_BEAT_SCHEDULER = "backend.beat:Scheduler"
    CELERY_REDBEAT_REDIS_URL = CELERY_BROKER_URL
    CELERY_REDBEAT_KEY_PREFIX = STEADY_BEAT_KEY_PREFIX
    CELERY_REDBEAT_LOCK_TIMEOUT = STEADY_BEAT_LOCK_SECONDS
    # No retrying inside redbeat (it would hold a tick as long): a tick
    # without Redis returns and tries again (backend.beat.Scheduler.tick).
    CELERY_REDBEAT_REDIS_OPTIONS = {}
    # How often the holder extends the lock and a standby beat tries it.
    CELERY_BEAT_MAX_LOOP_INTERVAL = max(1, min(5, STEADY_BEAT_LOCK_SECONDS // 4))
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # with acks_late: one unacknowledged task per process

# --- Client addresses -------------------------------------------------------
# How many proxies of ours stand in front of the app, each appending to
# X-Forwarded-For. Every per-address limit and every recorded address reads
# the client through backend.client_ip with this count; 0 (no proxy) ignores
# the header, which any client can write. The two libraries' own settings
# follow it so that no code path reads the header differently.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
# Web sign-up answers alike for a new address and a taken one (allauth's
# enumeration prevention, ACCOUNT_PREVENT_ENUMERATION below, can only do
# that with mandatory verification): both see "check your email"; a new
# address gets a link to confirm, a taken one an "account already exists"
# email. So a web sign-in needs a confirmed address (an unconfirmed one is
# sent the link at sign-in), and confirming in the same browser signs the
# person in. The API sign-up and log-in do not go through this (see
# docs/operations.md, "Sign-up and enumeration").
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True  # one address per account: changing replaces it
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = True
# After a password change the browser that made it stays signed in; every
# other web session and API token ends (accounts.services.password_changed_sign_out).
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
# Web sessions are recorded per user (allauth usersessions) so that a person
# can see and end their signed-in devices, and erasure can end them all.
USERSESSIONS_TRACK_ACTIVITY = False

# Two-factor authentication (TOTP with recovery codes); therapists must set
# it up before they see any couple data.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Steady"
# Accept the code of the step before and after the current one (RFC 6238
# section 5.2): a phone's clock a few seconds off, or a code typed as it
# turns over, is not a failed sign-in. A used code is still refused again.
MFA_TOTP_TOLERANCE = 1
ACCOUNT_RATE_LIMITS = {
    # Failed log-ins: per IP, and per account *per device* (see
    # accounts.adapter): a partner guessing at the other's password throttles
    # only untrusted devices, never the owner's own phone. No hard lockout.
    "login_failed": env.str("RATE_LOGIN_FAILED", default="20/m/ip,10/15m/key"),
    "signup": env.str("RATE_SIGNUP", default="20/h/ip"),
    # Wrong PINs and passwords on the app lock page, like failed log-ins:
    # per IP, and per account (accounts.applock).
    "applock_failed": env.str("RATE_APPLOCK_FAILED", default="20/m/ip,10/15m/user"),
}

REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_TTL": None if env.bool("KNOX_NO_EXPIRY", default=False) else __import__("datetime").timedelta(days=60),
    "AUTO_REFRESH": True,
    "TOKEN_LIMIT_PER_USER": None,
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # knox's, without the per-request sweep of the user's other tokens.
        "accounts.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["backend.renderers.JSONRenderer"],
    # Bounds nesting and refuses text no database can store (backend/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["backend.parsers.JSONParser"],
    # drf-spectacular's, with the error responses of docs/API.md (backend/schema.py).
    "DEFAULT_SCHEMA_CLASS": "backend.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "backend.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "backend.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_CLASSES": ["backend.throttles.WriteThrottle"],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "writes": env.str("RATE_WRITES", default="600/hour"),
        "signup": env.str("RATE_API_SIGNUP", default="20/hour"),
        "signup_email": env.str("RATE_API_SIGNUP_EMAIL", default="10/day"),
        "login_ip": env.str("RATE_API_LOGIN", default="60/hour"),
        "pair_join": env.str("RATE_PAIR_JOIN", default="10/hour"),
        "pair_invite": env.str("RATE_PAIR_INVITE", default="30/hour"),
        "pair_leave": env.str("RATE_PAIR_LEAVE", default="10/hour"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Steady API",
    "DESCRIPTION": "Check-ins, appreciation, agreements and kept promises for couples.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Served from our own static files: the docs page works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Accept-Language on every operation, Content-Language on every response.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.schema.language_headers",
    ],
    # Stable names for choice sets that share a field name across apps.
    "ENUM_NAME_OVERRIDES": {
        "JournalKindEnum": "journal.models.Kind",
        "JournalTriggerCategoryEnum": "journal.models.Category",
        "SpaceKindEnum": "space.models.Kind",
        "SpaceStatusEnum": "space.models.Status",
        "PracticeKindEnum": [
            "ritual",
            "conversation",
            "checkin_format",
            "repair_conversation",
            "appreciation_notes",
        ],
        "PracticeStatusEnum": [
            "proposed",
            "accepted",
            "missed",
            "not_taken_up",
            "done",
            "renegotiated",
            "closed",
        ],
        "AttentionKindEnum": ["checkup_drop", "practice_missed", "presession_note"],
    },
}

# --- I18N, static -----------------------------------------------------------
LANGUAGE_CODE = "en"
# Steady's languages (docs/translations.md). Each person has their own; the
# catalogs live in locale/ (scripts/i18n.py makes, fills and checks them).
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("de", "Deutsch"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Steady's own locale formats over Django's (backend/formats): English dates
# stay "5 December 2026", Arabic weeks are shown from Saturday
# (backend/weekdays.py); the shapes Django has no name for are
# backend/dates.py's (docs/translations.md, "Dates").
FORMAT_MODULE_PATH = ["backend.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development (and tests serving the ASGI app) whitenoise serves straight
# from the apps' static folders; production serves what collectstatic made.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
EMAIL_TIMEOUT = 10  # seconds; a hung SMTP server must not hold a worker
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Steady <no-reply@steady.invalid>")
# Where people write about barriers to access (the accessibility statement,
# /accessibility/): by default accessibility@ the sender's domain.
STEADY_ACCESSIBILITY_CONTACT = env.str(
    "STEADY_ACCESSIBILITY_CONTACT",
    default="accessibility@" + (parseaddr(DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "steady.invalid"),
)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# A strict Content-Security-Policy: our own scripts, styles and connections
# only (websockets included: 'self' covers ws/wss to this host), no inline
# script or style, no framing. The API docs page is the one exception.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Steady ------------------------------------------------------------------
STEADY_INVITE_TTL_HOURS = 72
# A closed account is erased this many days later, unless restored by the
# link emailed to its address (accounts.services.account_close).
STEADY_ACCOUNT_ERASE_DAYS = env.int("STEADY_ACCOUNT_ERASE_DAYS", default=14)
STEADY_DEVICE_COOKIE = "steady_device"
STEADY_DEVICE_HEADER = "HTTP_X_STEADY_DEVICE"
STEADY_CHECKIN_WINDOW_HOURS = env.int("STEADY_CHECKIN_WINDOW_HOURS", default=48)
# A repair conversation left open this long closes silently (docs/repair.md).
STEADY_REPAIR_OPEN_DAYS = env.int("STEADY_REPAIR_OPEN_DAYS", default=7)
# Live check-in sockets re-join their groups and re-send the last event
# number this often (checkins.consumers): heals a restarted Redis.
STEADY_LIVE_SYNC_SECONDS = env.float("STEADY_LIVE_SYNC_SECONDS", default=15)
# Threads (each with its own database connection) for the live sockets'
# reads and writes, per web process.
STEADY_LIVE_DB_THREADS = env.int("STEADY_LIVE_DB_THREADS", default=6)
# See reminders.delivery.lease(); shorter only in the fault-injection run.
STEADY_SEND_LEASE_SECONDS = env.int("STEADY_SEND_LEASE_SECONDS", default=300)
STEADY_BASE_URL = env.str("STEADY_BASE_URL", default="http://localhost:8000")
# Web Push (VAPID). `manage.py vapid_keys` makes a pair for development;
# without a private key, push is simply not offered.
STEADY_VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
STEADY_VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
STEADY_VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="mailto:hello@steady.invalid")
# Journal encryption at rest (docs/journal.md). Each person's data key is
# stored wrapped with STEADY_KEK (url-safe base64 32-byte keys, comma
# separated; the first wraps) in the key store, STEADY_KEYSTORE: "database"
# (default: the table journal_journalkey, reached by every process on every
# machine) or "files" (one file per person in STEADY_KEYSTORE_DIR: one
# machine, development only). Without STEADY_KEK, development generates a KEK
# into STEADY_KEYSTORE_DIR on first use; production settings refuse that.
STEADY_KEYSTORE = env.str("STEADY_KEYSTORE", default="database")
STEADY_KEYSTORE_DIR = Path(env.str("STEADY_KEYSTORE_DIR", default=str(VAR_DIR / "keys")))
STEADY_KEK = env.str("STEADY_KEK", default="")
STEADY_KEK_DEV_FALLBACK = True

# --- Seeing it run (backend/observability.py, docs/scaling.md) ---------------
# /metrics for Prometheus, only with `Authorization: Bearer <this>`; unset,
# there is no /metrics at all. Workers serve theirs on an internal port
# (STEADY_WORKER_METRICS_PORT).
STEADY_METRICS_TOKEN = env.str("STEADY_METRICS_TOKEN", default="")
# "json" (production's default): one JSON object per line, with the request
# id; "text": the message alone, for reading in a terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "backend.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "backend.observability.JsonFormatter"},
        "text": {"format": "%(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per request (backend.observability); uvicorn's own access
        # log is off where this is on (the deployments pass --no-access-log).
        "steady.request": {"level": env.str("ACCESS_LOG_LEVEL", default="INFO" if LOG_FORMAT == "json" else "WARNING")},
    },
}
# The worker and beat log through the configuration above when it is JSON,
# instead of Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"

# Sentry, only with SENTRY_DSN (no personal data, no bodies: backend/observability.py).
if env.str("SENTRY_DSN", default=""):
    from backend.observability import sentry_init

    sentry_init()
