"""Words and the chart for people: what a promise was, and the time to
repair as the shared line chart (``checkins.charts.line_chart``: an SVG with
a title, a description and the numbers as a table). Never a count, a score,
a percentage or a streak."""

from __future__ import annotations

import datetime as dt

COPY = "Plans change; saying so in time keeps trust."

# What a kept promise was, in the timeline ("mine", "partner", "couple").
KEPT_WORDS = {
    "timeout": {"mine": "You came back from a time-out", "partner": "{name} came back from a time-out"},
    "space": {"mine": "You reconnected after taking space", "partner": "{name} reconnected after taking space"},
    "commitment": {"mine": "You kept a repair commitment", "partner": "{name} kept a repair commitment"},
    "checkin": {"couple": "You checked in together"},
    "agreement_review": {"couple": "You looked at an agreement together"},
    "practice": {"couple": "You did a practice together"},
}

OPEN_WORDS = {
    "timeout": "a time-out, back by",
    "space": "some space, back by",
    "commitment": "a repair commitment, by",
    "practice": "a practice you both accepted, by",
    "agreement_review": "an agreement review, by",
}


def when(instant: dt.datetime | None, tz) -> str:
    """'Tue 8 Mar, 20:00' on the viewer's own clock."""
    if instant is None:
        return ""
    local = instant.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def kept_sentence(row: dict, *, viewer_id: int, partner_name: str) -> str:
    words = KEPT_WORDS.get(row["p_kind"], {})
    if row["p_made_by"] is None:
        return words.get("couple", "You kept a promise together")
    if row["p_made_by"] == viewer_id:
        return words.get("mine", "You kept a promise")
    return words.get("partner", "{name} kept a promise").format(name=partner_name)
