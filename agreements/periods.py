"""Reflection periods and review dates, in the couple's own timezone.

An agreement with a review interval of N days has periods of N days counted
from the local day its current version was accepted: the first runs from
that day to N - 1 days later, the next starts the day after. The review
reminder comes on the evening of each period's last day, so the two of you
look at it together while the period you reflect on is still the current
one. An agreement without a review interval has the ISO week (Monday to
Sunday) as its period, and no review reminders.
"""

import datetime as dt
from dataclasses import dataclass

from backend import localtime

# The review reminder's wall-clock time, on the last day of a period.
REVIEW_AT = dt.time(18, 0)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date


def local_date(instant: dt.datetime, tz_name: str) -> dt.date:
    return localtime.local_date(instant=instant, tz=tz_name)


def period_containing(*, day: dt.date, anchor: dt.date | None, every_days: int | None) -> Period:
    if every_days:
        anchor = anchor or day
        # A day before the anchor (a check-in held just before the version
        # was accepted) belongs to the first period.
        steps = max((day - anchor).days, 0) // every_days
        start = anchor + dt.timedelta(days=steps * every_days)
        return Period(start, start + dt.timedelta(days=every_days - 1))
    start = localtime.week_start(day=day)
    return Period(start, start + dt.timedelta(days=6))


def review_at(day: dt.date, tz_name: str) -> dt.datetime:
    """18:00 on ``day`` in the couple's timezone, as a UTC instant: the
    same wall-clock time before and after a clock change (DST policy:
    ``backend.localtime``)."""
    return localtime.local_to_utc(day=day, time=REVIEW_AT, tz=tz_name)


def first_review_due(*, active_since: dt.datetime, every_days: int, tz_name: str) -> dt.datetime:
    anchor = local_date(active_since, tz_name)
    return review_at(anchor + dt.timedelta(days=every_days - 1), tz_name)


def next_review_due(*, previous: dt.datetime, every_days: int, tz_name: str, now: dt.datetime) -> dt.datetime:
    """The review after ``previous``, skipping any already past (after an
    outage, one reminder for the next review, not a burst of old ones)."""
    day = local_date(previous, tz_name) + dt.timedelta(days=every_days)
    due = review_at(day, tz_name)
    while due <= now:
        day += dt.timedelta(days=every_days)
        due = review_at(day, tz_name)
    return due
