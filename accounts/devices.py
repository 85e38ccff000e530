"""Trusted-device keys: how log-in throttling avoids becoming a lockout.

After a successful log-in, the client gets a signed device key (a cookie on
the web, the ``device_key`` field for API clients, sent back in the
``X-Steady-Device`` header). Failed log-ins are counted per account *and per
device*: someone guessing at an account from an unknown device throttles only
unknown devices, while the owner's own phone, which logged in before, keeps
its own budget. This is the "device cookie" defence described by OWASP for
slowing online guessing without locking the owner out.
"""

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest

_SALT = "steady.device-key"
_MAX_AGE = 60 * 60 * 24 * 365


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]


def device_key_issue(*, email: str) -> str:
    return signing.dumps({"e": _email_digest(email), "d": secrets.token_hex(8)}, salt=_SALT)


def device_id_for(*, request: HttpRequest, email: str) -> str | None:
    """The trusted device id presented with this request for ``email``, if any."""
    raw = request.META.get(settings.STEADY_DEVICE_HEADER) or request.COOKIES.get(settings.STEADY_DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=_SALT, max_age=_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("e") != _email_digest(email):
        return None
    return str(data.get("d"))
