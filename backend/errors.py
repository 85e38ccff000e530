"""Domain errors and the one exception handler that maps them to responses.

Services raise these; API views never build error responses by hand.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
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
        if self.errors is not None:
            return self.errors
        if self.field:
            return {self.field: [self.message]}
        return {"detail": self.message}


class Invalid(DomainError):
    status_code = status.HTTP_400_BAD_REQUEST


class Conflict(DomainError):
    status_code = status.HTTP_409_CONFLICT


class Forbidden(DomainError):
    status_code = status.HTTP_403_FORBIDDEN


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND

    def __init__(self, message: str = "Not found."):
        super().__init__(message)


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
        return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"detail": "You do not have permission to do this."}, status=status.HTTP_403_FORBIDDEN)
    return drf_exception_handler(exc, context)
