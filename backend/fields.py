from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
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
    """DRF's CharField turns 42 into "42"; a wrong type here is a 400. And
    DRF measures max_length after trimming whitespace; here it is the
    length sent, as the schema's maxLength says."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class AwareDateTimeField(serializers.DateTimeField):
    """Instants come with their offset (API.md): a bare "20:00" means
    different instants to two partners in different timezones."""

    default_error_messages = {"naive": _("Include the timezone offset, like 2026-03-02T20:00:00+01:00.")}

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("naive")
        return super().to_internal_value(value)


class StrictIntegerField(serializers.IntegerField):
    """DRF's IntegerField takes "7" and 7.0; in JSON a whole number is a
    number, and anything else is a 400."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """DRF's BooleanField takes 1, "yes" and "true"; in JSON a boolean is
    true or false, and anything else is a 400."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data
