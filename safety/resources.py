"""Safety resources per country, kept as data (``data/resources.json``):
the emergency number always first, then helplines; a general list for any
country without its own."""

import json
from functools import cache
from pathlib import Path

from django.utils.translation import gettext, gettext_noop

DATA_FILE = Path(__file__).resolve().parent / "data" / "resources.json"
GENERAL = "general"

# What the reader reads in their own language (``resources_for`` passes these
# through gettext): the list names, the generic emergency entries and every
# note. Organisation names and numbers stay as they are. tests/test_safety.py
# checks that every note in the data file is listed here.
TRANSLATED = (
    gettext_noop("Wherever you are"),
    gettext_noop("United States"),
    gettext_noop("United Kingdom"),
    gettext_noop("Germany"),
    gettext_noop("Spain"),
    gettext_noop("Australia"),
    gettext_noop("Your local emergency number"),
    gettext_noop("Emergency"),
    gettext_noop("If you are in danger now, call it. 112 works from most mobile phones in many countries."),
    gettext_noop("Free, confidential helplines in many countries, searchable by topic."),
    gettext_noop("24/7, free and confidential. Text START to 88788, or chat on the site."),
    gettext_noop("Call or text, 24/7."),
    gettext_noop("If you cannot speak, stay on the line and press 55 when asked (mobiles)."),
    gettext_noop("24/7, free and confidential."),
    gettext_noop("For men experiencing domestic abuse."),
    gettext_noop("112 for an ambulance or the fire service."),
    gettext_noop("24/7, free, anonymous, in many languages."),
    gettext_noop("24/7, free; it does not appear on the phone bill, but does appear in the phone's call list."),
    gettext_noop("24/7 counselling for domestic, family and sexual violence."),
    gettext_noop("24/7 crisis support."),
)
# Entry names that are words, not an organisation's name.
GENERIC_NAMES = frozenset({"Your local emergency number", "Emergency"})


@cache
def _all() -> dict[str, dict]:
    with open(DATA_FILE, encoding="utf-8") as handle:
        data = json.load(handle)
    data.pop("_about", None)
    return data


def seeded_countries() -> list[str]:
    return sorted(code for code in _all() if code != GENERAL)


def _read(resource: dict) -> dict:
    """One entry in the reader's language: the note, and the name when it is
    a word rather than an organisation's name."""
    shown = dict(resource)
    if shown["name"] in GENERIC_NAMES:
        shown["name"] = gettext(shown["name"])
    if shown["note"]:
        shown["note"] = gettext(shown["note"])
    return shown


def resources_for(country: str) -> dict:
    """``{"country", "name", "resources": [...]}`` for an ISO code; the
    general list (``country: ""``) when the country has none of its own.
    The general list's pointer to find a helpline is added to every
    country's list, last. Names of lists and notes are in the reader's
    language; organisation names, numbers and addresses as they are."""
    data = _all()
    general = data[GENERAL]
    own = data.get((country or "").upper())
    if own is None:
        return {"country": "", "name": gettext(general["name"]), "resources": [_read(r) for r in general["resources"]]}
    finder = [_read(r) for r in general["resources"] if r["kind"] != "emergency"]
    return {
        "country": country.upper(),
        "name": gettext(own["name"]),
        "resources": [_read(r) for r in own["resources"]] + finder,
    }
