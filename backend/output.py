"""Output helpers for list endpoints, where DRF's field-by-field
serialization dominated the cost of a page (bench/api.py, issue #16).

A list serializer keeps its declared fields (they are the OpenAPI schema)
and writes its rows in one ``to_representation``; each one is tested equal
to DRF's own field-by-field output (``drf_representation``) so the two
cannot drift apart."""

import datetime as dt
from functools import cached_property

import orjson
from django.utils import timezone
from rest_framework import serializers


def datetime_out(value: dt.datetime | None, tz: dt.tzinfo) -> str | None:
    """What DRF's ``DateTimeField`` writes (ISO 8601 in the current
    timezone ``tz``, ``Z`` for UTC), without building a field per value.

    Written by orjson, in Rust: ``isoformat`` and the ``Z`` in Python were
    the largest part of a list row (a page writes 100-250 of them;
    bench/api.py, issue #16). orjson writes the same text, except that it
    drops the seconds of an offset (the local mean times of some zones
    before about 1900, such as -00:16:08): those go through ``isoformat``.
    ``tests/test_output.py`` holds the two equal across every zone."""
    if not value:
        return None
    value = value.astimezone(tz)
    offset = value.utcoffset()
    if offset is None or offset.seconds % 60:
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return orjson.dumps(value, option=orjson.OPT_UTC_Z)[1:-1].decode()


def current_zone() -> dt.tzinfo:
    """The current time zone for ``datetime_out``; UTC as Python's own
    ``datetime.UTC``, the object the database's values carry, so that they
    are written without a conversion (the same text either way)."""
    zone = timezone.get_current_timezone()
    return dt.UTC if getattr(zone, "key", None) == "UTC" else zone


class RowsOutput:
    """For a serializer whose ``to_representation`` writes a row at once."""

    @cached_property
    def tz(self) -> dt.tzinfo:
        # Looked up once per serializer, not per value: on a 50-row page the
        # per-value lookup (a context-local read) was a tenth of the page.
        return current_zone()

    def dt(self, value: dt.datetime | None) -> str | None:
        return datetime_out(value, self.tz)


def drf_representation(serializer: serializers.Serializer, instance) -> dict:
    """DRF's field-by-field output of ``instance`` through ``serializer``'s
    declared fields: what a hand-written ``to_representation`` must equal."""
    return dict(serializers.Serializer.to_representation(serializer, instance))
