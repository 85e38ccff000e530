"""Issue #26: dates read as each language writes them.

Django's named formats (backend/formats over django/conf/locale) and
Steady's own shapes (backend/dates.py, ``|when``) give the exact text in
English, Spanish, German and Arabic; no template or Python code writes an
English date pattern of its own."""

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.utils import timezone, translation
from django.utils.formats import date_format, get_format

from backend.dates import SHAPES, pattern, when

ROOT = Path(__file__).resolve().parent.parent
SATURDAY = dt.datetime(2026, 12, 5, 18, 30)  # Saturday 5 December 2026, 18:30

NAMED = {
    "DATE_FORMAT": {
        "en": "5 December 2026",
        "es": "5 de diciembre de 2026",
        "de": "5. Dezember 2026",
        "ar": "5 ديسمبر، 2026",
    },
    "DATETIME_FORMAT": {
        "en": "5 December 2026, 18:30",
        "es": "5 de diciembre de 2026 a las 18:30",
        "de": "5. Dezember 2026, 18:30",
        "ar": "5 ديسمبر، 2026، 18:30",
    },
    "MONTH_DAY_FORMAT": {
        "en": "5 December",
        "es": "5 de diciembre",
        "de": "5. Dezember",
        "ar": "5 ديسمبر",
    },
    "YEAR_MONTH_FORMAT": {
        "en": "December 2026",
        "es": "diciembre de 2026",
        "de": "Dezember 2026",
        "ar": "ديسمبر 2026",
    },
}

SHAPED = {
    "weekday_day_month": {
        "en": "Saturday 5 December",
        "es": "sábado 5 de diciembre",
        "de": "Samstag, 5. Dezember",
        "ar": "السبت، 5 ديسمبر",
    },
    "weekday_day_month_year": {
        "en": "Saturday 5 December 2026",
        "es": "sábado 5 de diciembre de 2026",
        "de": "Samstag, 5. Dezember 2026",
        "ar": "السبت، 5 ديسمبر، 2026",
    },
    "weekday_day_month_time": {
        "en": "Saturday 5 December, 18:30",
        "es": "sábado 5 de diciembre, 18:30",
        "de": "Samstag, 5. Dezember, 18:30",
        "ar": "السبت، 5 ديسمبر، 18:30",
    },
    "weekday_day_month_year_time": {
        "en": "Saturday 5 December 2026, 18:30",
        "es": "sábado 5 de diciembre de 2026, 18:30",
        "de": "Samstag, 5. Dezember 2026, 18:30",
        "ar": "السبت، 5 ديسمبر، 2026، 18:30",
    },
    "day_month_time": {
        "en": "5 December, 18:30",
        "es": "5 de diciembre, 18:30",
        "de": "5. Dezember, 18:30",
        "ar": "5 ديسمبر، 18:30",
    },
    "weekday_time": {
        "en": "Saturday 18:30",
        "es": "sábado, 18:30",
        "de": "Samstag, 18:30",
        "ar": "السبت، 18:30",
    },
    "day_of_month": {"en": "5", "es": "5", "de": "5.", "ar": "5"},
    "day_month_short": {"en": "5 Dec", "es": "5 dic", "de": "5. Dez", "ar": "5 ديسمبر"},
    "day_month_year_short": {
        "en": "5 Dec 2026",
        "es": "5 dic 2026",
        "de": "5. Dez 2026",
        "ar": "5 ديسمبر، 2026",
    },
    "weekday_day_month_short": {
        "en": "Sat 5 Dec",
        "es": "sáb 5 dic",
        "de": "Sa, 5. Dez",
        "ar": "السبت، 5 ديسمبر",
    },
    "weekday_day_month_year_short": {
        "en": "Sat 5 Dec 2026",
        "es": "sáb 5 dic 2026",
        "de": "Sa, 5. Dez 2026",
        "ar": "السبت، 5 ديسمبر، 2026",
    },
    "weekday_day_month_time_short": {
        "en": "Sat 5 Dec, 18:30",
        "es": "sáb 5 dic, 18:30",
        "de": "Sa, 5. Dez, 18:30",
        "ar": "السبت، 5 ديسمبر، 18:30",
    },
    "weekday_time_short": {
        "en": "Sat 18:30",
        "es": "sáb 18:30",
        "de": "Sa, 18:30",
        "ar": "السبت، 18:30",
    },
    "month_year_short": {"en": "Dec 2026", "es": "dic 2026", "de": "Dez 2026", "ar": "ديسمبر 2026"},
}

LANGUAGES = [code for code, _ in settings.LANGUAGES]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", NAMED)
def test_django_named_formats_read_as_each_language_writes_dates(name, language):
    with translation.override(language):
        assert date_format(SATURDAY, name) == NAMED[name][language]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("shape", SHAPED)
def test_steady_shapes_read_as_each_language_writes_dates(shape, language):
    with translation.override(language):
        assert when(SATURDAY, shape) == SHAPED[shape][language]


def test_every_shape_is_tested_and_has_every_language():
    assert set(SHAPED) == set(SHAPES)
    for shape, patterns in SHAPES.items():
        assert set(patterns) == set(LANGUAGES), shape


def test_a_regional_variant_reads_as_its_language_and_an_unknown_language_as_the_sites():
    with translation.override("de-at"):
        assert when(SATURDAY, "weekday_day_month") == "Samstag, 5. Dezember"
    assert pattern("weekday_day_month", language="fr") == SHAPES["weekday_day_month"]["en"]


def test_an_unknown_shape_is_an_error_not_a_silent_english_date():
    with pytest.raises(ValueError, match="unknown date shape"):
        when(SATURDAY, "weekday_month_day")


def test_english_keeps_the_day_before_the_month_and_its_input_formats():
    """Steady's English is "5 December 2026" (backend/formats/en); what a
    form accepts is Django's English as before."""
    with translation.override("en"):
        assert get_format("DATE_INPUT_FORMATS")[:2] == ["%Y-%m-%d", "%m/%d/%Y"]
        assert get_format("TIME_FORMAT") == "P"
        assert get_format("FIRST_DAY_OF_WEEK") == 0


def test_the_when_filter_shows_the_instant_in_the_current_time_zone_as_date_does():
    """|when converts an aware datetime exactly as |date does: the instant
    shown never changes, only its words."""
    instant = dt.datetime(2026, 12, 5, 23, 30, tzinfo=dt.UTC)  # Sunday 00:30 in Berlin
    template = engines["django"].from_string(
        '{{ at|when:"weekday_day_month_time" }} | {{ at|date:"H:i" }} | {{ at|date:"DATE_FORMAT" }} | {{ none|when:"weekday_day_month" }}.'
    )
    with translation.override("de"), timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        assert (
            template.render({"at": instant, "none": None})
            == "Sonntag, 6. Dezember, 00:30 | 00:30 | 6. Dezember 2026 | ."
        )
    with translation.override("es"), timezone.override(zoneinfo.ZoneInfo("America/Mexico_City")):
        assert template.render({"at": instant, "none": None}) == (
            "sábado 5 de diciembre, 17:30 | 17:30 | 5 de diciembre de 2026 | ."
        )


# A |date pattern names a month or a weekday if it has one of these letters
# unescaped: the pattern would put one language's word order into all.
WORDY = set("FMNlDEb")
TEMPLATE_DATE = re.compile(r"\|date:(?P<q>[\"'])(?P<pattern>.*?)(?P=q)")
TEMPLATE_WHEN = re.compile(r"\|when:(?P<q>[\"'])(?P<shape>.*?)(?P=q)")
NAMED_FORMAT = re.compile(r"^[A-Z_]+_FORMAT$")


def _wordy(pattern: str) -> bool:
    if NAMED_FORMAT.match(pattern):
        return False
    letters, escaped = [], False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        else:
            letters.append(ch)
    return bool(WORDY & set(letters))


def test_the_scan_tells_a_wordy_pattern_from_a_time_or_a_named_format():
    assert _wordy("j F Y") and _wordy("l H:i") and _wordy("D j M") and _wordy("b")
    assert not _wordy("H:i") and not _wordy("c") and not _wordy("DATE_FORMAT") and not _wordy(r"\D\a\y H:i")


def _templates():
    return sorted(p for p in (ROOT / "templates").rglob("*") if p.is_file() and p.suffix in {".html", ".txt"})


def test_no_template_writes_a_date_pattern_with_month_or_weekday_names():
    """Dates with words go through a named format (|date:"DATE_FORMAT") or
    a shape (|when:"weekday_day_month"); |date:"H:i" alone is fine."""
    found = []
    for path in _templates():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in TEMPLATE_DATE.finditer(line):
                if _wordy(m["pattern"]):
                    found.append(f"{path.relative_to(ROOT)}:{n}: |date:{m['q']}{m['pattern']}{m['q']}")
    assert not found, "use a named format or |when (backend/dates.py):\n" + "\n".join(found)


def test_every_shape_a_template_names_exists():
    unknown = []
    for path in _templates():
        for m in TEMPLATE_WHEN.finditer(path.read_text(encoding="utf-8")):
            if m["shape"] not in SHAPES:
                unknown.append(f"{path.relative_to(ROOT)}: {m['shape']}")
    assert not unknown, unknown


PY_PATTERN = re.compile(
    r"(?:date_format|dateformat\.format|\bformat)\([^,()]+(?:\([^()]*\))?[^,()]*,\s*[\"'](?P<pattern>[^\"']*)[\"']"
)
PY_STRFTIME = re.compile(r"%[aAbBc]")


def test_no_python_code_writes_a_date_pattern_with_month_or_weekday_names():
    """Python that shows a date to a person (emails, notifications, charts'
    axes) uses date_format(value, "DATE_FORMAT") or backend.dates.when;
    strftime's %a/%b are always English."""
    skip = {".venv", "node_modules", "tests", "migrations", "bench"}
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if skip & set(rel.parts) or rel.parts[0] == "scripts":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            bad = [m["pattern"] for m in PY_PATTERN.finditer(line) if _wordy(m["pattern"]) and m["pattern"] != "l"]
            if bad or ("strftime" in line or ":%" in line) and PY_STRFTIME.search(line):
                found.append(f"{rel}:{n}: {line.strip()}")
    assert not found, "use a named format or backend.dates.when:\n" + "\n".join(found)
