"""Each person's own language (issue #26, docs/translations.md).

One home for the rule: which language a request, an email or a push is in.

- A page of a signed-in person: their own setting (``User.language``); blank
  (not chosen yet), the request's (the ``django_language`` cookie, then
  ``Accept-Language``, as ``LocaleMiddleware`` found it).
- The API: ``Accept-Language`` first, falling back to the person's setting,
  then the request's. A session user is known to the middleware; a token
  user only once DRF authenticates, so ``accounts.auth`` calls
  :func:`activate_for_api` there.
- Emails and pushes: the recipient's setting (:func:`in_language_of`),
  never the partner's nor the sender's.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

API_PREFIX = "/api/"


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_choices() -> list[tuple[str, str]]:
    """Each language in its own name ("Español", "Deutsch"): a person who
    cannot read the page's language can still find theirs."""
    return list(settings.LANGUAGES)


def language_of(user) -> str:
    """The language a person reads Steady in: theirs, or the site's default."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def in_language_of(user):
    """``with in_language_of(recipient):`` renders an email's or a push's
    text in the recipient's own language."""
    return translation.override(language_of(user))


def accept_language(request) -> str | None:
    """The first of Steady's languages the request's ``Accept-Language``
    asks for (``es-MX`` finds ``es``), or None when it asks for none of them
    or there is no header."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    if not header:
        return None
    for code, q in parse_accept_lang_header(header):
        if code == "*":
            break
        if q <= 0:  # "not this one"
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def request_language(request) -> str:
    """The language a new account starts with: the one this request is in
    (the cookie, then Accept-Language), when it is one of Steady's."""
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if cookie in language_codes():
        return cookie
    return accept_language(request) or ""


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def language_for_request(request, user) -> str | None:
    """The language this request is answered in, for a known ``user`` (None:
    keep what ``LocaleMiddleware`` chose)."""
    if is_api(request):
        return accept_language(request) or getattr(user, "language", "") or None
    return getattr(user, "language", "") or None


def activate_for_api(request, user) -> None:
    """For an API request whose user has just been authenticated (a token):
    ``Accept-Language`` first, then the person's own setting."""
    language = language_for_request(request, user)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language
