"""Output helpers for list endpoints, where DRF's field-by-field
serialization dominated the cost of a page (bench/api.py, issue #16).

A list serializer keeps its declared fields (they are the OpenAPI schema)
and writes its rows in one ``to_representation``; each one is tested equal
to DRF's own field-by-field output (``drf_representation``) so the two
cannot drift apart."""

import datetime as dt
from functools import cached_property

from django.utils import timezone
from rest_framework import serializers


def datetime_out(value: dt.datetime | None, tz: dt.tzinfo) -> str | None:
    """What DRF's ``DateTimeField`` writes (ISO 8601 in the current
    timezone ``tz``, ``Z`` for UTC), without building a field per value."""
    if not value:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class RowsOutput:
    """For a serializer whose ``to_representation`` writes a row at once."""

    @cached_property
    def tz(self) -> dt.tzinfo:
        # Looked up once per serializer, not per value: on a 50-row page the
        # per-value lookup (a context-local read) was a tenth of the page.
        return timezone.get_current_timezone()

    def dt(self, value: dt.datetime | None) -> str | None:
        return datetime_out(value, self.tz)


def drf_representation(serializer: serializers.Serializer, instance) -> dict:
    """DRF's field-by-field output of ``instance`` through ``serializer``'s
    declared fields: what a hand-written ``to_representation`` must equal."""
    return dict(serializers.Serializer.to_representation(serializer, instance))
