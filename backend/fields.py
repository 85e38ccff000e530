from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


@extend_schema_field(
    {
        "type": "string",
        "pattern": LOCAL_TIME_PATTERN,
        "example": "20:30",
        "description": "A wall-clock time (HH:MM) in the timezone it belongs with; no offset, by design.",
    }
)
class LocalTimeField(serializers.TimeField):
    """A local wall-clock time ("22:00"). OpenAPI's ``format: time`` means an
    RFC 3339 time with an offset, which a local time has not: the schema
    says what it is instead."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M")
        kwargs.setdefault("input_formats", ["%H:%M", "%H:%M:%S"])
        super().__init__(**kwargs)


class StrictCharField(serializers.CharField):
    """DRF's CharField turns 42 into "42"; a wrong type here is a 400."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class AwareDateTimeField(serializers.DateTimeField):
    """Instants come with their offset (API.md): a bare "20:00" means
    different instants to two partners in different timezones."""

    default_error_messages = {"naive": "Include the timezone offset, like 2026-03-02T20:00:00+01:00."}

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("naive")
        return super().to_internal_value(value)
