import zoneinfo
from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy


@cache
def valid_timezones() -> frozenset[str]:
    # available_timezones() is the IANA list the system knows; checking
    # membership (rather than just constructing ZoneInfo) also rejects
    # paths and odd spellings that ZoneInfo might resolve.
    return frozenset(zoneinfo.available_timezones())


@cache
def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(valid_timezones())]


TIMEZONE_DATALIST_ID = "timezone-options"


@cache
def timezone_datalist() -> SafeString:
    """The ~600 names as one ``<datalist>``, built once per process: a
    ``<select>`` rendered each of them through a widget template on every
    request (about 100 ms of the sign-up and settings pages)."""
    options = format_html_join("", '<option value="{}"></option>', ((name,) for name, _label in timezone_choices()))
    return format_html('<datalist id="{}">{}</datalist>', TIMEZONE_DATALIST_ID, options)


class TimezoneInput(forms.TextInput):
    """A searchable timezone picker without a framework: a text input the
    browser completes from the datalist (type "berl" to find Europe/Berlin).
    Validation stays on the server (``validate_timezone``)."""

    def __init__(self, attrs=None):
        base = {
            "list": TIMEZONE_DATALIST_ID,
            "autocomplete": "off",
            "autocapitalize": "none",
            "spellcheck": "false",
            "placeholder": gettext_lazy("Type a city, e.g. Berlin"),
        }
        super().__init__({**base, **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        return super().render(name, value, attrs, renderer) + timezone_datalist()


def validate_timezone(value: str) -> None:
    if value not in valid_timezones():
        raise ValidationError(
            gettext_lazy("%(value)s is not a known IANA timezone (for example Europe/Berlin)."),
            code="invalid_timezone",
            params={"value": value},
        )
