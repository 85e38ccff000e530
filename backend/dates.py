"""Dates as people read them, in their own language (issue #26).

Django names some shapes of a date and gives each language its own pattern
(``DATE_FORMAT`` "5 December 2026" / "5. Dezember 2026" / "5 de diciembre de
2026"; ``DATETIME_FORMAT``, ``MONTH_DAY_FORMAT``, ``YEAR_MONTH_FORMAT``):
use those through ``|date:"DATE_FORMAT"`` or ``date_format(value,
"DATE_FORMAT")`` (Steady's own overrides are in ``backend/formats``).

The shapes Django has no name for — with the weekday, with a time, with a
short month — are named here, each with one pattern per language. Templates
use ``{{ value|when:"weekday_day_month" }}`` (a builtin filter,
``backend.templatetags.when``); Python uses ``when(value, "…")``. A pattern
written into a template or a call (``|date:"l j F"``) would put English's
word order into every language; ``tests/test_dates.py`` fails on one.

Patterns use Django's date format syntax; a backslash escapes a letter. A
time is always the 24-hour clock, as everywhere in Steady. Arabic writes
the year after a comma, as Django's Arabic DATE_FORMAT does ("5 ديسمبر، 2026").
"""

from django.conf import settings
from django.utils import dateformat, translation

# shape -> language -> pattern. Every shape has every language of
# settings.LANGUAGES (tests/test_dates.py checks it).
SHAPES: dict[str, dict[str, str]] = {
    # Saturday 5 December / sábado 5 de diciembre / Samstag, 5. Dezember
    "weekday_day_month": {
        "en": "l j F",
        "es": r"l j \d\e F",
        "de": "l, j. F",
        "ar": "l، j F",
    },
    # Saturday 5 December 2026
    "weekday_day_month_year": {
        "en": "l j F Y",
        "es": r"l j \d\e F \d\e Y",
        "de": "l, j. F Y",
        "ar": "l، j F، Y",
    },
    # Saturday 5 December, 18:30
    "weekday_day_month_time": {
        "en": "l j F, H:i",
        "es": r"l j \d\e F, H:i",
        "de": "l, j. F, H:i",
        "ar": "l، j F، H:i",
    },
    # Saturday 5 December 2026, 18:30
    "weekday_day_month_year_time": {
        "en": "l j F Y, H:i",
        "es": r"l j \d\e F \d\e Y, H:i",
        "de": "l, j. F Y, H:i",
        "ar": "l، j F، Y، H:i",
    },
    # 5 December, 18:30
    "day_month_time": {
        "en": "j F, H:i",
        "es": r"j \d\e F, H:i",
        "de": "j. F, H:i",
        "ar": "j F، H:i",
    },
    # Saturday 18:30
    "weekday_time": {
        "en": "l H:i",
        "es": "l, H:i",
        "de": "l, H:i",
        "ar": "l، H:i",
    },
    # The day alone, as the start of a range within one month: "2–15 March",
    # "2.–15. März".
    "day_of_month": {
        "en": "j",
        "es": "j",
        "de": "j.",
        "ar": "j",
    },
    # Short forms, where space is tight (charts' axes, lists). Arabic has no
    # customary short month or weekday names: it writes them in full.
    # 5 Dec
    "day_month_short": {
        "en": "j M",
        "es": "j b",
        "de": "j. M",
        "ar": "j F",
    },
    # 5 Dec 2026
    "day_month_year_short": {
        "en": "j M Y",
        "es": "j b Y",
        "de": "j. M Y",
        "ar": "j F، Y",
    },
    # Sat 5 Dec 2026
    "weekday_day_month_year_short": {
        "en": "D j M Y",
        "es": "D j b Y",
        "de": "D, j. M Y",
        "ar": "l، j F، Y",
    },
    # Sat 5 Dec
    "weekday_day_month_short": {
        "en": "D j M",
        "es": "D j b",
        "de": "D, j. M",
        "ar": "l، j F",
    },
    # Sat 5 Dec, 18:30
    "weekday_day_month_time_short": {
        "en": "D j M, H:i",
        "es": "D j b, H:i",
        "de": "D, j. M, H:i",
        "ar": "l، j F، H:i",
    },
    # Sat 18:30
    "weekday_time_short": {
        "en": "D H:i",
        "es": "D H:i",
        "de": "D, H:i",
        "ar": "l، H:i",
    },
    # Dec 2026
    "month_year_short": {
        "en": "M Y",
        "es": "b Y",
        "de": "M Y",
        "ar": "F Y",
    },
}


def pattern(shape: str, *, language: str | None = None) -> str:
    """The pattern of ``shape`` in ``language`` (default: the active one; a
    regional variant, "es-mx", reads as its language; an unknown one as the
    site's)."""
    try:
        patterns = SHAPES[shape]
    except KeyError:
        raise ValueError(f"unknown date shape {shape!r}; the shapes are in backend/dates.py") from None
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
    return patterns.get(code) or patterns.get(code.split("-")[0]) or patterns[settings.LANGUAGE_CODE]


def when(value, shape: str) -> str:
    """``value`` (a date or datetime, already in the reader's time zone) in
    ``shape``, in the active language: ``when(day, "weekday_day_month")``."""
    return dateformat.format(value, pattern(shape))
