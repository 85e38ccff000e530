"""WebSocket authentication: the session cookie (web) or an
``Authorization: Bearer`` header on the upgrade request (native clients).

A token in the URL is never accepted: URLs end up in logs and histories.
"""

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from rest_framework import exceptions

from accounts.auth import TokenAuthentication

from .authentication import bearer_token_is_wellformed


@database_sync_to_async
def _user_for_token(token: bytes):
    try:
        user, _auth_token = TokenAuthentication().authenticate_credentials(token)
    except exceptions.AuthenticationFailed:
        return None
    return user


class _BearerMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers") or [])
        auth = headers.get(b"authorization", b"")
        if auth:
            parts = auth.split()
            user = None
            if len(parts) == 2 and parts[0].lower() == b"bearer" and bearer_token_is_wellformed(parts[1]):
                user = await _user_for_token(parts[1])
            # A bad or revoked token never falls back to the cookie.
            scope = dict(scope, user=user or AnonymousUser())
        return await self.inner(scope, receive, send)


def BearerOrSessionAuthMiddleware(inner):  # noqa: N802 - mirrors AuthMiddlewareStack
    # The session stack sets scope["user"] first; a Bearer header, when
    # present, then decides alone.
    return AuthMiddlewareStack(_BearerMiddleware(inner))


def OriginValidated(inner):  # noqa: N802 - an ASGI middleware factory
    """Browsers send Origin and carry cookies, so a cookie-authenticated
    socket must come from our own origin (no cross-site hijacking). A native
    client sends a Bearer header and usually no Origin; browsers cannot set
    Authorization on a websocket, so that combination is not a browser."""
    from channels.security.websocket import AllowedHostsOriginValidator

    validated = AllowedHostsOriginValidator(inner)

    async def app(scope, receive, send):
        headers = dict(scope.get("headers") or [])
        if b"origin" not in headers and headers.get(b"authorization", b"").lower().startswith(b"bearer "):
            return await inner(scope, receive, send)
        return await validated(scope, receive, send)

    return app
