"""Occurrences stay at the same wall-clock time across DST changes."""

import datetime as dt
import zoneinfo

import pytest

from checkins.occurrences import local_to_utc, occurrences

NY = zoneinfo.ZoneInfo("America/New_York")
LONDON = zoneinfo.ZoneInfo("Europe/London")
LORD_HOWE = zoneinfo.ZoneInfo("Australia/Lord_Howe")
UTC = dt.UTC


def local(instant: dt.datetime, tz) -> str:
    return instant.astimezone(tz).strftime("%Y-%m-%d %H:%M %z")


@pytest.mark.parametrize(
    ("tz", "day", "time", "expected_local", "expected_utc"),
    [
        # Same wall-clock time either side of a change, different UTC.
        (NY, dt.date(2026, 3, 7), dt.time(20, 0), "2026-03-07 20:00 -0500", "2026-03-08 01:00"),
        (NY, dt.date(2026, 3, 9), dt.time(20, 0), "2026-03-09 20:00 -0400", "2026-03-10 00:00"),
        # Spring forward: 02:30 does not exist in New York, moves to 03:00.
        (NY, dt.date(2026, 3, 8), dt.time(2, 30), "2026-03-08 03:00 -0400", "2026-03-08 07:00"),
        (NY, dt.date(2026, 3, 8), dt.time(2, 0), "2026-03-08 03:00 -0400", "2026-03-08 07:00"),
        (NY, dt.date(2026, 3, 8), dt.time(3, 0), "2026-03-08 03:00 -0400", "2026-03-08 07:00"),
        # Fall back: 01:30 happens twice; we take the first, once.
        (NY, dt.date(2026, 11, 1), dt.time(1, 30), "2026-11-01 01:30 -0400", "2026-11-01 05:30"),
        (LONDON, dt.date(2026, 3, 29), dt.time(1, 30), "2026-03-29 02:00 +0100", "2026-03-29 01:00"),
        (LONDON, dt.date(2026, 10, 25), dt.time(1, 15), "2026-10-25 01:15 +0100", "2026-10-25 00:15"),
        (LONDON, dt.date(2026, 10, 26), dt.time(19, 0), "2026-10-26 19:00 +0000", "2026-10-26 19:00"),
        # Lord Howe shifts by 30 minutes: 02:00–02:30 does not exist in October.
        (LORD_HOWE, dt.date(2026, 10, 4), dt.time(2, 15), "2026-10-04 02:30 +1100", "2026-10-03 15:30"),
        (LORD_HOWE, dt.date(2026, 10, 4), dt.time(2, 30), "2026-10-04 02:30 +1100", "2026-10-03 15:30"),
        # …and 01:30–02:00 happens twice in April.
        (LORD_HOWE, dt.date(2026, 4, 5), dt.time(1, 45), "2026-04-05 01:45 +1100", "2026-04-04 14:45"),
        (LORD_HOWE, dt.date(2026, 4, 6), dt.time(1, 45), "2026-04-06 01:45 +1030", "2026-04-05 15:15"),
    ],
)
def test_local_to_utc(tz, day, time, expected_local, expected_utc):
    instant = local_to_utc(day, time, tz)

    assert local(instant, tz) == expected_local
    assert instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M") == expected_utc


def test_daily_occurrences_keep_their_wall_time_across_a_change():
    start = dt.datetime(2026, 10, 20, tzinfo=UTC)
    end = dt.datetime(2026, 11, 5, tzinfo=UTC)

    found = list(occurrences(weekdays=list(range(7)), time=dt.time(20, 30), tz=NY, start=start, end=end))

    assert {i.astimezone(NY).strftime("%H:%M") for _, i in found} == {"20:30"}
    assert len(found) == len({d for d, _ in found}) == 16
    utc_hours = {i.astimezone(UTC).hour for _, i in found}
    assert utc_hours == {0, 1}  # EDT then EST


def test_a_fall_back_night_has_one_occurrence():
    start = dt.datetime(2026, 10, 31, tzinfo=UTC)
    end = dt.datetime(2026, 11, 3, tzinfo=UTC)

    found = [i for d, i in occurrences(weekdays=[6], time=dt.time(1, 30), tz=NY, start=start, end=end)]

    assert found == [dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)]


def test_weekdays_are_monday_zero_in_local_time():
    # 23:30 Sunday in Lord Howe is Sunday locally although it is Sunday noon UTC.
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)
    end = dt.datetime(2026, 6, 15, tzinfo=UTC)
    found = list(occurrences(weekdays=[6], time=dt.time(23, 30), tz=LORD_HOWE, start=start, end=end))

    assert [d.isoformat() for d, _ in found] == ["2026-06-07", "2026-06-14"]
    assert all(d.weekday() == 6 for d, _ in found)
