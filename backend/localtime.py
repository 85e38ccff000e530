"""Local time: the one place that turns a person's or couple's wall clock
into UTC instants and back.

Every "local midnight", "week start" and "wall-clock time → UTC" in Steady
goes through here, so a schedule, a daily cap, a review date and a
therapist's weekly summary agree on where a local day begins.

The DST policy, the same for every function:

- **Gap** (spring forward: a wall-clock time that does not exist): the time
  moves forward to the instant the clocks jump, i.e. the first wall-clock
  time after it that exists. 02:30 on New York's spring-forward day is
  03:00 EDT; a day whose midnight is skipped starts at the first instant
  that exists. A day skipped entirely (Pacific/Apia, 30 December 2011) is
  empty: its midnight is the next day's.
- **Fold** (fall back: a wall-clock time that happens twice): the first
  occurrence (``fold=0``), so a check-in never happens twice in one night
  and a local day starts at its first midnight.
- **A day, once begun, does not go back.** Where clocks fall back across
  midnight (Moncton until 2006 went from 00:01 back to 23:01; São Paulo
  from 24:00 to 23:00), the repeated hour's second pass reads as the
  previous date on the wall but comes after the next day's first midnight.
  ``local_date`` counts it in the new day, so that every instant lies in
  exactly one ``day_bounds`` and the days tile time without overlap.

Instants returned are aware and in UTC. Weeks run Monday to Sunday, the ISO
week, as the database's ``TruncWeek`` counts them.
"""

import datetime as dt
import zoneinfo
from functools import cache

from backend.timezones import validate_timezone

UTC = dt.UTC

Tz = zoneinfo.ZoneInfo | str  # a ZoneInfo, or an IANA name checked by zone()


@cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    # One validation for the whole product: the same IANA list the API and
    # forms accept. A ValidationError is a 400 through backend.errors.
    validate_timezone(name)
    return zoneinfo.ZoneInfo(name)


def zone(*, name: str) -> zoneinfo.ZoneInfo:
    """The ZoneInfo for an IANA name ("Europe/Berlin"), cached. An unknown
    name raises django's ``ValidationError`` (code ``invalid_timezone``),
    which the API's exception handler turns into a 400."""
    return _zone(name)


def _tz(tz: Tz) -> zoneinfo.ZoneInfo:
    return _zone(tz) if isinstance(tz, str) else tz


def local_date(*, instant: dt.datetime, tz: Tz) -> dt.date:
    """The local day of an aware ``instant`` in ``tz``: the date on its wall
    clock, except in the second pass of a fall-back hour that crosses
    midnight, which belongs to the day whose first midnight it follows."""
    zi = _tz(tz)
    local = instant.astimezone(zi)
    day = local.date()
    if local.fold:  # rare: only in a repeated hour's second pass
        following = day + dt.timedelta(days=1)
        if instant >= local_midnight(day=following, tz=zi):
            return following
    return day


def local_to_utc(*, day: dt.date, time: dt.time, tz: Tz) -> dt.datetime:
    """The UTC instant of wall-clock ``time`` on ``day`` in ``tz``.

    Gap: a time that does not exist moves forward to the instant the clocks
    jump (02:30 on New York's spring-forward day is 03:00 EDT). Fold: a time
    that happens twice is its first occurrence (01:30 EDT, not 01:30 EST).
    """
    zi = _tz(tz)
    naive = dt.datetime.combine(day, time.replace(tzinfo=None))
    instant = naive.replace(tzinfo=zi, fold=0).astimezone(UTC)
    if instant.astimezone(zi).replace(tzinfo=None) == naive:
        return instant  # it exists; fold=0 is the first of two occurrences
    return _jump(naive, zi)


def _jump(naive: dt.datetime, zi: zoneinfo.ZoneInfo) -> dt.datetime:
    """The UTC instant the clocks jump over ``naive``, which is in a gap.

    Read with the offset before the jump (fold=0) a gap time lands after
    the jump; with the offset after it (fold=1), before. The jump lies
    between: bisect on whole seconds (transitions are whole seconds), at
    most ~17 steps even for a whole skipped day."""
    # Floored to a whole second, still before the jump (which is whole).
    before = naive.replace(tzinfo=zi, fold=1).astimezone(UTC).replace(microsecond=0)
    after = naive.replace(tzinfo=zi, fold=0).astimezone(UTC)
    offset = before.astimezone(zi).utcoffset()
    lo, hi = 0, int((after - before).total_seconds())
    while lo < hi:
        mid = (lo + hi) // 2
        if (before + dt.timedelta(seconds=mid)).astimezone(zi).utcoffset() == offset:
            lo = mid + 1
        else:
            hi = mid
    return before + dt.timedelta(seconds=lo)


def local_midnight(*, day: dt.date, tz: Tz) -> dt.datetime:
    """The UTC instant ``day`` begins in ``tz``: its 00:00, or, when midnight
    is skipped, the first instant of the day that exists; when midnight
    happens twice, the first."""
    return local_to_utc(day=day, time=dt.time(0), tz=tz)


def day_bounds(*, day: dt.date, tz: Tz) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of local ``day`` in ``tz`` as UTC instants: this
    midnight to the next. Usually 24 hours; 23 or 25 on a change, and empty
    for a day the zone skipped."""
    return local_midnight(day=day, tz=tz), local_midnight(day=day + dt.timedelta(days=1), tz=tz)


def week_start(*, day: dt.date) -> dt.date:
    """The Monday of ``day``'s week (weeks run Monday to Sunday)."""
    return day - dt.timedelta(days=day.weekday())


def week_starts(*, first: dt.date, last: dt.date) -> list[dt.date]:
    """The Mondays of every week from ``first``'s to ``last``'s, in order."""
    monday, weeks = week_start(day=first), []
    while monday <= last:
        weeks.append(monday)
        monday += dt.timedelta(weeks=1)
    return weeks
