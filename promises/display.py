"""Words and the chart for people: what a promise was, and the time to
repair as the shared line chart (``checkins.charts.line_chart``: an SVG with
a title, a description and the numbers as a table). Never a count, a score,
a percentage or a streak."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend import dates

COPY = _("Plans change; saying so in time keeps trust.")

# What a kept promise was, in the timeline ("mine", "partner", "couple").
KEPT_WORDS = {
    "timeout": {"mine": _("You came back from a time-out"), "partner": _("{name} came back from a time-out")},
    "space": {"mine": _("You reconnected after taking space"), "partner": _("{name} reconnected after taking space")},
    "commitment": {"mine": _("You kept a repair commitment"), "partner": _("{name} kept a repair commitment")},
    "checkin": {"couple": _("You checked in together")},
    "agreement_review": {"couple": _("You looked at an agreement together")},
    "practice": {"couple": _("You did a practice together")},
}

OPEN_WORDS = {
    "timeout": _("a time-out, back by"),
    "space": _("some space, back by"),
    "commitment": _("a repair commitment, by"),
    "practice": _("a practice you both accepted, by"),
    "agreement_review": _("an agreement review, by"),
}


def when(instant: dt.datetime | None, tz) -> str:
    """'Tue 8 Mar, 20:00' on the viewer's own clock, day and month names in
    the viewer's language."""
    if instant is None:
        return ""
    return dates.when(instant.astimezone(tz), "weekday_day_month_time_short")


def kept_sentence(row: dict, *, viewer_id: int, partner_name: str) -> str:
    words = KEPT_WORDS.get(row["p_kind"], {})
    if row["p_made_by"] is None:
        return words.get("couple") or gettext("You kept a promise together")
    if row["p_made_by"] == viewer_id:
        return words.get("mine") or gettext("You kept a promise")
    return (words.get("partner") or gettext("{name} kept a promise")).format(name=partner_name)
