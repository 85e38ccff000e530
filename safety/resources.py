"""Safety resources per country, kept as data (``data/resources.json``):
the emergency number always first, then helplines; a general list for any
country without its own."""

import json
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "resources.json"
GENERAL = "general"


@cache
def _all() -> dict[str, dict]:
    with open(DATA_FILE, encoding="utf-8") as handle:
        data = json.load(handle)
    data.pop("_about", None)
    return data


def seeded_countries() -> list[str]:
    return sorted(code for code in _all() if code != GENERAL)


def resources_for(country: str) -> dict:
    """``{"country", "name", "resources": [...]}`` for an ISO code; the
    general list (``country: ""``) when the country has none of its own.
    The general list's pointer to find a helpline is added to every
    country's list, last."""
    data = _all()
    general = data[GENERAL]
    own = data.get((country or "").upper())
    if own is None:
        return {"country": "", "name": general["name"], "resources": [dict(r) for r in general["resources"]]}
    finder = [dict(r) for r in general["resources"] if r["kind"] != "emergency"]
    return {"country": country.upper(), "name": own["name"], "resources": [dict(r) for r in own["resources"]] + finder}
