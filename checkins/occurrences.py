"""A schedule's occurrences: its wall-clock time on its weekdays, as UTC
instants. The DST policy is ``backend.localtime``'s. Pure functions, no
database."""

import datetime as dt
import zoneinfo
from collections.abc import Iterator

from backend import localtime


def local_to_utc(day: dt.date, time: dt.time, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """``backend.localtime.local_to_utc`` at whole minutes, for the callers
    that still import it from here (gratitude, space, therapist views)."""
    return localtime.local_to_utc(day=day, time=time.replace(second=0, microsecond=0), tz=tz)


def occurrences(
    *, weekdays: list[int], time: dt.time, tz: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime
) -> Iterator[tuple[dt.date, dt.datetime]]:
    """(local date, UTC instant) of every occurrence with start <= instant < end."""
    wanted = set(weekdays)
    at = time.replace(second=0, microsecond=0)
    day = localtime.local_date(instant=start, tz=tz)
    last = localtime.local_date(instant=end, tz=tz)
    while day <= last:
        if day.weekday() in wanted:
            instant = localtime.local_to_utc(day=day, time=at, tz=tz)
            if start <= instant < end:
                yield day, instant
        day += dt.timedelta(days=1)
