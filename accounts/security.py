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
