from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle

from .client_ip import client_ip


class ClientIpMixin:
    """Signed-out requests are counted per client address as backend.client_ip
    sees it, never by DRF's own reading of X-Forwarded-For (which, with
    NUM_PROXIES unset, believes whatever the client wrote)."""

    def get_ident(self, request):
        return client_ip(request) or "unknown"


class ScopedThrottle(ClientIpMixin, ScopedRateThrottle):
    pass


class PersonThrottle(ClientIpMixin, UserRateThrottle):
    """Per person when signed in, per address otherwise."""


class WriteThrottle(PersonThrottle):
    """Every write endpoint is throttled per person (per IP when signed
    out); reads are not. Stricter per-action limits (log-in, sign-up, codes,
    leave) stack on top."""

    scope = "writes"

    def allow_request(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)
