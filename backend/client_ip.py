"""The address a request came from: the one rule every per-address limit and
every recorded address uses (DRF throttles, allauth's rate limits and
sign-in records, security events, the therapist access log).

``X-Forwarded-For`` is written by whoever sends the request; only the
entries appended by our own proxies can be believed. With
``TRUSTED_PROXY_COUNT`` proxies in front (docs/operations.md), the last
``TRUSTED_PROXY_COUNT`` hops were added by them, and the leftmost of those
is the address the outermost proxy saw: the client. With no proxy (0, the
default) the header is ignored and the socket's peer address is the client.
Anything to the left of that is the client's own claim and is never read,
so a forged header cannot change a throttle key.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest, *, trusted_proxy_count: int | None = None) -> str | None:
    """The client's address, or None when there is no usable one."""
    count = settings.TRUSTED_PROXY_COUNT if trusted_proxy_count is None else trusted_proxy_count
    address = request.META.get("REMOTE_ADDR") or ""
    if count > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if hops:
            # Fewer hops than proxies means one of them did not append (a
            # misconfiguration); take the outermost, as DRF's NUM_PROXIES does,
            # so that the throttles and this agree.
            address = hops[-min(count, len(hops))]
    return _clean(address)


def _clean(address: str) -> str | None:
    # Some proxies write the port too: "203.0.113.7:4711", "[2001:db8::1]:4711".
    if address.startswith("[") and "]" in address:
        address = address[1 : address.index("]")]
    elif address.count(":") == 1:
        address = address.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        # Not an address (a unix socket, a proxy that wrote a name): record
        # nothing rather than a string the database would refuse.
        return None
