"""Recording security events (accounts.models.SecurityEvent)."""

import logging

from django.http import HttpRequest

from backend.client_ip import client_ip

from .models import SecurityEvent

log = logging.getLogger("steady.security")


def security_event_record(*, kind: str, user_id: int | None, request: HttpRequest | None = None, via: str = "") -> None:
    SecurityEvent.objects.create(
        kind=kind, user_id=user_id, ip=client_ip(request) if request is not None else None, via=via
    )
    # Logs carry the kind and the account id only: never emails or content.
    log.info("security event %s user=%s via=%s", kind, user_id, via or "-")


# --- wrong passwords on a signed-in device, per person ----------------------------------
# Leaving a couple and closing the account ask for the password on a device
# that is already signed in: a phone left unlocked must not become a way to
# guess its owner's password. One counter per person, for the leave page,
# the Settings delete page and DELETE /api/v1/me/ alike.

PASSWORD_TRIES = 5
PASSWORD_TRIES_WINDOW = 15 * 60


def password_tries_key(user_id: int) -> str:
    return f"steady:leave-password-tries:{user_id}"


def password_tries_exhausted(*, user_id: int) -> bool:
    from django.core.cache import cache

    return cache.get(password_tries_key(user_id), 0) >= PASSWORD_TRIES


def password_try_failed(*, user_id: int) -> None:
    from django.core.cache import cache

    key = password_tries_key(user_id)
    cache.add(key, 0, PASSWORD_TRIES_WINDOW)
    cache.incr(key)


def password_tries_clear(*, user_id: int) -> None:
    from django.core.cache import cache

    cache.delete(password_tries_key(user_id))
