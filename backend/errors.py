"""Domain errors and the one exception handler that maps them to responses.

Services raise these; API views never build error responses by hand.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class DomainError(Exception):
    """A rule of the product was not met. ``field`` makes it a field error."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str = "", *, field: str | None = None, errors: dict | None = None):
        super().__init__(message or str(errors))
        self.message = message
        self.field = field
        self.errors = errors

    def as_data(self) -> dict:
        # Plain strings: a message may be a lazy translation, and the live
        # socket's json.dumps takes no proxy.
        if self.errors is not None:
            return _plain(self.errors)
        if self.field:
            return {self.field: [str(self.message)]}
        return {"detail": str(self.message)}


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Promise):
        return str(value)
    return value


class Invalid(DomainError):
    status_code = status.HTTP_400_BAD_REQUEST


class Conflict(DomainError):
    status_code = status.HTTP_409_CONFLICT


class Forbidden(DomainError):
    status_code = status.HTTP_403_FORBIDDEN


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND

    def __init__(self, message: str = ""):
        super().__init__(message or gettext("Not found."))


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_data(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data = {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        else:
            data = {"detail": " ".join(exc.messages)}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        return Response({"detail": gettext("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"detail": gettext("You do not have permission to do this.")}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, SuspiciousOperation):
        # A body over DATA_UPLOAD_MAX_MEMORY_SIZE, read by the parser. Django
        # would answer with handler400 too, but here it stays in the API's
        # own shape even with DEBUG on.
        _log_suspicious(exc)
        return Response({"detail": bad_request_message(exc)}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


# --- bad requests -----------------------------------------------------------------------

UNREADABLE = gettext_lazy("This request could not be read. Please check what was sent and try again.")


def bad_request_message(exc: BaseException | None) -> str:
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
        return gettext("The request body is too large; the limit is %(limit)s MB.") % {"limit": f"{limit:g}"}
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return gettext("The request has too many fields.")
    if isinstance(exc, BadInput):
        return str(exc.message)
    return str(UNREADABLE)


class BadInput(SuspiciousOperation):
    """Input that no view may see (backend.middleware.RefuseNulMiddleware)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _log_suspicious(exc: SuspiciousOperation) -> None:
    # As Django logs it for pages: django.security.<name>, no request body.
    logging.getLogger(f"django.security.{exc.__class__.__name__}").warning(str(exc))


def bad_request(request, exception=None):
    """handler400: JSON under /api/ (like every API error), else a calm page
    that says what happened. Rendered without the request's context
    processors, as server_error is."""
    from django.http import HttpResponse, JsonResponse
    from django.template.loader import render_to_string

    message = bad_request_message(exception)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    html = render_to_string(
        "errors/server_error.html", {"title": gettext("That could not be read"), "message": message}
    )
    return HttpResponse(html, status=400)


# --- server errors ----------------------------------------------------------------------

UNAVAILABLE = gettext_lazy("Steady is briefly unavailable. Nothing you saved is lost; please try again in a moment.")
BROKEN = gettext_lazy("Something went wrong on our side. Nothing you saved is lost; please try again.")


def page_not_found(request, exception=None):
    """handler404: JSON under /api/ (like every API 404), else 404.html."""
    from django.http import JsonResponse
    from django.views import defaults

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500. A database that is restarting or unreachable is a 503
    with Retry-After, not a 500: the request can simply be tried again. The
    page is rendered without the request context, whose processors would
    query the database that just failed; API paths get JSON."""
    import sys

    from django.db import InterfaceError, OperationalError
    from django.http import HttpResponse, JsonResponse
    from django.template.loader import render_to_string

    unavailable = isinstance(sys.exc_info()[1], (OperationalError, InterfaceError))
    status_code, message = (503, str(UNAVAILABLE)) if unavailable else (500, str(BROKEN))
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=status_code)
    else:
        title = gettext("Back in a moment") if unavailable else gettext("Something went wrong")
        html = render_to_string("errors/server_error.html", {"title": title, "message": message})
        response = HttpResponse(html, status=status_code)
    if unavailable:
        response["Retry-After"] = "5"
    response["Cache-Control"] = "no-store"
    return response
