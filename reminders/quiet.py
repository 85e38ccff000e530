import datetime as dt

from backend.localtime import local_to_utc, zone


def quiet_until(*, start: dt.time | None, end: dt.time | None, tz_name: str, now: dt.datetime) -> dt.datetime | None:
    """If ``now`` falls inside the person's quiet hours (wall-clock times in
    their own timezone, possibly across midnight), the UTC instant they end;
    otherwise None."""
    if start is None or end is None or start == end:
        return None
    tz = zone(name=tz_name)
    local = now.astimezone(tz)
    t = local.time().replace(tzinfo=None)
    if start < end:  # e.g. 13:00–15:00
        if not start <= t < end:
            return None
        end_day = local.date()
    else:  # across midnight, e.g. 22:00–07:30
        if end <= t < start:
            return None
        end_day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    return local_to_utc(day=end_day, time=end, tz=tz)
