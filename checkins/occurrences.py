"""Local wall-clock times to UTC instants, the way people expect across
daylight-saving changes. Pure functions, no database."""

import datetime as dt
import zoneinfo
from collections.abc import Iterator

UTC = dt.UTC


def _exists(naive: dt.datetime, tz: zoneinfo.ZoneInfo) -> bool:
    aware = naive.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive


def local_to_utc(day: dt.date, time: dt.time, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The UTC instant of ``time`` on ``day`` in ``tz``.

    - A time that does not exist (the spring-forward gap) moves to the first
      valid time after it: 02:30 on a New York spring-forward day is 03:00.
    - A time that exists twice (fall-back) is taken once, at its first
      occurrence (fold=0), so a check-in never happens twice in one night.
    """
    naive = dt.datetime.combine(day, time.replace(tzinfo=None, second=0, microsecond=0))
    # Gaps are at most a few hours (usually 60 or 30 minutes): step forward
    # minute by minute to the first wall time that exists.
    probe = naive
    for _ in range(24 * 60):
        if _exists(probe, tz):
            break
        probe += dt.timedelta(minutes=1)
    return probe.replace(tzinfo=tz, fold=0).astimezone(UTC)


def occurrences(
    *, weekdays: list[int], time: dt.time, tz: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[dt.date, dt.datetime]]:
    """(local date, UTC instant) of every occurrence with start <= instant < end."""
    wanted = set(weekdays)
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        if day.weekday() in wanted:
            instant = local_to_utc(day, time, tz)
            if start <= instant < end:
                yield day, instant
        day += dt.timedelta(days=1)
