"""The optional app lock on the web (issue #23, "Quick exit"; docs/applock.md).

A person may turn it on in Settings and choose N minutes. After N minutes
without a request, every web page of their session-cookie sessions asks
again before showing anything: the lock page (``/lock/``), which names
nobody and shows nothing private. It opens with

- the account's password, through allauth's re-authentication
  (``ReauthenticateForm``, recorded by ``reauthenticate_by_password``),
- a passkey registered with allauth's MFA (allauth's own
  ``mfa_reauthenticate_webauthn`` view records it), or
- a PIN of the person's own, stored hashed with Django's password hashers.

Any allauth re-authentication (or sign-in) recorded in the session after the
lock engaged opens it, so the password and the passkey are allauth's flows,
not copies. Wrong PINs and passwords on the lock page are throttled like
log-in (allauth's rate limit ``applock_failed``: per address, and per
account).

Enforced here, server-side, in ``AppLockMiddleware``: not a client overlay.
The state lives in the session (``SEEN``: the last request; ``LOCKED``: when
the lock engaged), so a signed-in request costs no extra query: the setting
is on the user row the authentication middleware loads anyway.

API requests with a token (the native app) are out of scope and unaffected;
a locked session cookie authenticates no API request (``request.user`` is
anonymous for ``/api/``), so the address bar cannot read the API either.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import ratelimit
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from backend.errors import DomainError

# The choices offered in Settings, in minutes.
MINUTES_CHOICES = (1, 5, 15, 60)
PIN_MIN, PIN_MAX = 4, 12

SEEN = "steady_applock_seen"  # epoch seconds of the last request that counts
LOCKED = "steady_applock_locked"  # epoch seconds when the lock engaged

# allauth's rate limit for wrong PINs and passwords on the lock page (and
# when turning the lock off), like log-in's ``login_failed``.
RATE_ACTION = "applock_failed"

# Pages reachable while locked: the lock page itself, and what any page
# needs to load (the web app manifest, the service worker, the offline page,
# which is rendered without a request). Nothing else answers with content.
OPEN_WHILE_LOCKED = frozenset({"applock", "pwa-manifest", "pwa-service-worker", "pwa-offline", "javascript-catalog"})
# Reachable only by POST while locked (their GET pages show the signed-in
# header): signing out, and allauth's passkey check the lock page posts to.
POST_WHILE_LOCKED = frozenset({"account_logout", "mfa_reauthenticate_webauthn"})


def _now() -> float:
    return time.time()


def _session_user(request):
    """The user this session is signed in as, or None (an API request with a
    token and no cookie has no session user)."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not session.get("_auth_user_id"):
        return None
    return user if user.is_authenticated else None


def lock_is_on(user) -> bool:
    return bool(getattr(user, "app_lock_minutes", None))


def session_is_locked(session, user, *, now: float | None = None) -> bool:
    """Whether this session is locked now (reads only; the middleware writes).
    Locked: engaged before and not opened since, or the last request longer
    ago than the person's N minutes."""
    if not lock_is_on(user):
        return False
    if session.get(LOCKED) is not None:
        return True
    seen = session.get(SEEN)
    now = _now() if now is None else now
    return seen is not None and now - seen > user.app_lock_minutes * 60


def socket_is_locked(scope, user) -> bool:
    """A live check-in socket opened with this session cookie while the
    session is locked (``checkins.consumers`` refuses it at the handshake).
    A socket with a Bearer header (the native app) is never locked. Sync:
    reading the session may query."""
    headers = dict(scope.get("headers") or [])
    if headers.get(b"authorization") or not lock_is_on(user):
        return False
    session = scope.get("session")
    return session is not None and session_is_locked(session, user)


def _reauthenticated_since(request, user, since: float) -> bool:
    """allauth recorded a sign-in or a re-authentication (password, passkey)
    in this session after ``since``."""
    return any(r.get("at", 0) >= since for r in get_authentication_records(request, user))


def safe_next(request, url: str | None) -> str:
    """Where to go after unlocking: the page asked for, if it is one of ours,
    never the lock page itself; else home."""
    ours = url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if ours and not url.startswith(reverse("applock")):
        return url
    return reverse("home")


def lock_url(request) -> str:
    url = reverse("applock")
    if request.method == "GET":
        url += "?" + urlencode({"next": request.get_full_path()})
    return url


def unlock(request) -> None:
    """Opens the lock for this session (after a right PIN or password)."""
    request.session.pop(LOCKED, None)
    request.session[SEEN] = _now()


def session_forget(request) -> None:
    """The lock is off: this session keeps nothing of it."""
    request.session.pop(LOCKED, None)
    request.session.pop(SEEN, None)


# --- services --------------------------------------------------------------------------


def _pin_clean(pin: str) -> str:
    pin = (pin or "").strip()
    if not pin.isdigit() or not PIN_MIN <= len(pin) <= PIN_MAX:
        raise DomainError(
            gettext("A PIN is %(min)d to %(max)d digits.") % {"min": PIN_MIN, "max": PIN_MAX}, field="pin"
        )
    return pin


def app_lock_set(*, user, minutes: int, pin: str | None) -> None:
    """Turns the lock on, or changes it. ``pin``: a new PIN, "" for none (the
    password and a passkey still open it), None to keep the current one."""
    if minutes not in MINUTES_CHOICES:
        raise DomainError(gettext("Choose one of the times offered."), field="minutes")
    user.app_lock_minutes = minutes
    fields = ["app_lock_minutes"]
    if pin is not None:
        user.app_lock_pin = make_password(_pin_clean(pin)) if pin else ""
        fields.append("app_lock_pin")
    user.save(update_fields=fields)


def app_lock_off(*, user) -> None:
    user.app_lock_minutes = None
    user.app_lock_pin = ""
    user.save(update_fields=["app_lock_minutes", "app_lock_pin"])


def throttled(request, user) -> bool:
    return not ratelimit.consume(request, action=RATE_ACTION, user=user, dry_run=True)


def secret_check(request, user, *, pin: str = "", password: str = "") -> bool:
    """A PIN or the password, as the lock page and turning the lock off ask
    for it. Throttled: raises ``DomainError`` when too many were wrong; a
    wrong one counts against the limit (per address and per account)."""
    if throttled(request, user):
        raise DomainError(gettext("Too many tries. Wait a few minutes, then try again."), field=None)
    ok = False
    if pin and user.app_lock_pin:
        ok = check_password(pin.strip(), user.app_lock_pin)
    elif password:
        from allauth.account.adapter import get_adapter

        ok = get_adapter(request).reauthenticate(user, password)
    if not ok:
        ratelimit.consume(request, action=RATE_ACTION, user=user)
    return ok


# --- middleware ------------------------------------------------------------------------


def _is_background(request) -> bool:
    """A page's own background read (a poll), not the person: it neither
    counts as activity nor keeps the lock away."""
    mode = request.headers.get("Sec-Fetch-Mode")
    return request.method in ("GET", "HEAD") and mode is not None and mode != "navigate"


def _no_store(response):
    add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
    return response


class AppLockMiddleware:
    """Goes after ``AuthenticationMiddleware`` and allauth's
    ``AccountMiddleware`` in ``MIDDLEWARE``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = _session_user(request)
        if user is None or not lock_is_on(user):
            return self.get_response(request)
        refused = self._check(request, user)
        if refused is not None:
            return _no_store(refused)
        # Under the lock, nothing is kept by the browser's cache or the
        # back-forward cache: Back after the lock engaged asks the server.
        return _no_store(self.get_response(request))

    def _check(self, request, user):
        session = request.session
        now = _now()
        locked_at = session.get(LOCKED)
        if locked_at is None and session_is_locked(session, user, now=now):
            locked_at = now
            session[LOCKED] = locked_at
        if locked_at is not None and _reauthenticated_since(request, user, locked_at):
            unlock(request)  # the password or a passkey, through allauth
            locked_at = None
        if locked_at is None:
            if not _is_background(request) or session.get(SEEN) is None:
                session[SEEN] = now
            return None
        # Locked.
        if request.path.startswith("/api/"):
            # The session authenticates nothing; a token still does.
            request.user = AnonymousUser()
            return None
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            name = None
        if name in OPEN_WHILE_LOCKED or (name in POST_WHILE_LOCKED and request.method == "POST"):
            return None
        if _is_background(request):
            return HttpResponse(status=403)
        return HttpResponseRedirect(lock_url(request))
