"""Countries: the list a person picks from, and the default guessed from
their timezone (issue #23: safety resources are per country, and the
country on the profile defaults from the timezone).

The data are the IANA time zone database's own tables, copied into
``accounts/data`` (public domain) so that a server without the system's
tzdata still knows them: ``iso3166.tab`` (code and name) and ``zone.tab``
(each zone's country)."""

from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError

DATA = Path(__file__).resolve().parent / "data"


def _rows(name: str) -> list[list[str]]:
    with open(DATA / name, encoding="utf-8") as handle:
        return [line.rstrip("\n").split("\t") for line in handle if line.strip() and not line.startswith("#")]


@cache
def countries() -> dict[str, str]:
    """ISO 3166 code → name, sorted by name."""
    pairs = [(row[0], row[1]) for row in _rows("iso3166.tab")]
    return dict(sorted(pairs, key=lambda pair: pair[1]))


@cache
def _zone_countries() -> dict[str, str]:
    return {row[2]: row[0] for row in _rows("zone.tab")}


# Zones that are links or names zone.tab leaves out, and that people pick.
_ALIASES = {
    "Europe/Kiev": "UA",
    "Asia/Calcutta": "IN",
    "Asia/Saigon": "VN",
    "America/Buenos_Aires": "AR",
    "Australia/ACT": "AU",
    "Australia/NSW": "AU",
    "US/Eastern": "US",
    "US/Central": "US",
    "US/Mountain": "US",
    "US/Pacific": "US",
    "GB": "GB",
    "Europe/Belfast": "GB",
}


def country_from_timezone(name: str) -> str:
    """The country of an IANA zone, or "" when the zone names none (UTC,
    Etc/GMT+5): the safety resources then fall back to the general list."""
    return _zone_countries().get(name) or _ALIASES.get(name, "")


def country_choices() -> list[tuple[str, str]]:
    return list(countries().items())


def validate_country(value: str) -> None:
    if value and value.upper() not in countries():
        raise ValidationError(
            "%(value)s is not a country code we know (two letters, for example GB).",
            code="invalid_country",
            params={"value": value},
        )
