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


class UserLanguageMiddleware:
    """A signed-in person's pages in their own language (accounts.language).

    After AuthenticationMiddleware (it needs ``request.user``) and after
    LocaleMiddleware (which chose from the cookie and Accept-Language, and
    stays the fallback). For an API request ``Accept-Language`` comes first;
    a token's user is known only inside DRF, where ``accounts.auth``
    applies the same rule. The response says which language it is in
    (Content-Language) and that it depends on who asks (Vary: Cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        from .language import language_for_request

        user = getattr(request, "user", None)
        known = user is not None and user.is_authenticated
        # Pages: the person's own setting. The API: Accept-Language first,
        # also before the cookie for someone not (yet) known.
        language = language_for_request(request, user if known else None)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers["Content-Language"] = translation.get_language()
        if known:
            patch_vary_headers(response, ("Cookie",))
        return response
