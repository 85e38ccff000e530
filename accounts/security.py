"""Recording security events (accounts.models.SecurityEvent)."""

import logging

from django.http import HttpRequest

from .models import SecurityEvent

log = logging.getLogger("steady.security")


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def security_event_record(*, kind: str, user_id: int | None, request: HttpRequest | None = None, via: str = "") -> None:
    SecurityEvent.objects.create(kind=kind, user_id=user_id, ip=client_ip(request), via=via)
    # Logs carry the kind and the account id only: never emails or content.
    log.info("security event %s user=%s via=%s", kind, user_id, via or "-")
