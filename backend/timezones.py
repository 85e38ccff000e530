import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError


@cache
def valid_timezones() -> frozenset[str]:
    # available_timezones() is the IANA list the system knows; checking
    # membership (rather than just constructing ZoneInfo) also rejects
    # paths and odd spellings that ZoneInfo might resolve.
    return frozenset(zoneinfo.available_timezones())


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(valid_timezones())]


def validate_timezone(value: str) -> None:
    if value not in valid_timezones():
        raise ValidationError(
            "%(value)s is not a known IANA timezone (for example Europe/Berlin).",
            code="invalid_timezone",
            params={"value": value},
        )
