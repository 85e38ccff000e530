from django.conf import settings

from .devices import _MAX_AGE


class DeviceCookieMiddleware:
    """Sets the trusted-device cookie after a successful web log-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_steady_device_key", None)
        if key:
            response.set_cookie(
                settings.STEADY_DEVICE_COOKIE,
                key,
                max_age=_MAX_AGE,
                httponly=True,
                secure=request.is_secure(),
                samesite="Lax",
            )
        return response
