"""Production settings: the base settings with every safety on.

Nothing insecure has a default here: the secret key must come from the
environment, DEBUG is off, cookies are secure, HSTS is on.
"""

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import LOGGING, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # no default: refuse to start without one
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30

# The journal's key-encryption key (docs/journal.md): no default and no
# generated fallback. Losing it loses every journal; keep it in the secret store.
STEADY_KEK = env.str("STEADY_KEK")
if not STEADY_KEK.strip():
    raise ImproperlyConfigured("Set STEADY_KEK; `python manage.py journal_keys new-kek` makes one.")
STEADY_KEK_DEV_FALLBACK = False

# Structured logs: one JSON object per line, with the request id.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
LOGGING["loggers"]["steady.request"]["level"] = env.str(
    "ACCESS_LOG_LEVEL", default="INFO" if LOG_FORMAT == "json" else "WARNING"
)
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"
