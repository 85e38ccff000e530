"""Local time in one module: properties over many zones, then DST dates
chosen on purpose.

The strategies lean towards clock changes: an instant is drawn within a few
hours of one of the zone's real transitions that year (found by scanning the
zone), so gaps and folds are hit on most examples rather than by luck.
"""

import datetime as dt
import os
import zoneinfo
from functools import cache

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.localtime import day_bounds, local_date, local_midnight, local_to_utc, week_start, week_starts, zone

UTC = dt.UTC
SECOND = dt.timedelta(seconds=1)

DST_ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",  # 30-minute DST
    "America/Santiago",  # changes at midnight
    "Asia/Tehran",  # skipped midnight until 2022
    "Pacific/Apia",  # skipped 30 December 2011 whole
    "Africa/Casablanca",  # DST suspended for Ramadan: four changes some years
    "America/Havana",  # midnight happens twice in November
    "America/Sao_Paulo",  # fell back from 24:00 to 23:00
]
ALL_ZONES = sorted(zoneinfo.available_timezones())

zones = st.one_of(st.sampled_from(DST_ZONES), st.sampled_from(ALL_ZONES))
years = st.integers(min_value=1995, max_value=2037)
times = st.times()
whole_minutes = st.builds(dt.time, st.integers(0, 23), st.integers(0, 59))

# HYP_N=5000 for a deeper local search.
SETTINGS = settings(
    max_examples=int(os.environ.get("HYP_N", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@cache
def transitions(name: str, year: int) -> tuple[dt.datetime, ...]:
    """The zone's UTC-offset changes in ``year`` (one per day at most)."""
    tz = zoneinfo.ZoneInfo(name)
    found = []
    t = dt.datetime(year, 1, 1, tzinfo=UTC)
    while t.year == year:
        nxt = t + dt.timedelta(days=1)
        if t.astimezone(tz).utcoffset() != nxt.astimezone(tz).utcoffset():
            lo, hi = t, nxt
            while hi - lo > SECOND:
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if mid.astimezone(tz).utcoffset() == t.astimezone(tz).utcoffset() else (lo, mid)
            found.append(hi.replace(microsecond=0))
        t = nxt
    return tuple(found)


@st.composite
def zone_and_instant(draw) -> tuple[zoneinfo.ZoneInfo, dt.datetime]:
    """A zone and an instant, usually within three hours of a clock change."""
    name, year = draw(zones), draw(years)
    changes = transitions(name, year)
    if changes and draw(st.integers(0, 9)) > 0:
        base = draw(st.sampled_from(changes))
        instant = base + dt.timedelta(seconds=draw(st.integers(-3 * 3600, 3 * 3600)))
    else:
        instant = dt.datetime(year, 1, 1, tzinfo=UTC) + dt.timedelta(seconds=draw(st.integers(0, 365 * 86400)))
    return zoneinfo.ZoneInfo(name), instant


@st.composite
def zone_and_day(draw) -> tuple[zoneinfo.ZoneInfo, dt.date]:
    """A zone and a local day, usually a day with a clock change."""
    tz, instant = draw(zone_and_instant())
    return tz, instant.astimezone(tz).date()


def wall(instant: dt.datetime, tz) -> dt.datetime:
    return instant.astimezone(tz).replace(tzinfo=None, fold=0)


def exists(naive: dt.datetime, tz) -> bool:
    return wall(naive.replace(tzinfo=tz).astimezone(UTC), tz) == naive


# --- properties ------------------------------------------------------------------------------


@SETTINGS
@given(zone_and_instant())
def test_an_instant_round_trips_through_its_wall_clock(case):
    tz, instant = case
    local = instant.astimezone(tz)

    back = local_to_utc(day=local.date(), time=local.time(), tz=tz)

    if local.fold == 0:
        assert back == instant
    else:  # the second pass of a repeated hour maps to the first
        assert back < instant
        assert wall(back, tz) == wall(instant, tz)


@SETTINGS
@given(zone_and_day(), times)
def test_a_wall_time_maps_to_itself_or_to_the_jump_over_it(case, time):
    tz, day = case
    naive = dt.datetime.combine(day, time)

    instant = local_to_utc(day=day, time=time, tz=tz)

    assert instant.tzinfo is UTC
    if exists(naive, tz):
        assert wall(instant, tz) == naive
        # Fold: the first occurrence, never the second.
        assert instant <= naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    else:
        # Gap: the instant the clocks jump, which is after the wall time
        # and the first wall time that exists after it.
        assert wall(instant, tz) > naive
        assert wall(instant - SECOND, tz) < naive
        assert (instant - SECOND).astimezone(tz).utcoffset() != instant.astimezone(tz).utcoffset()


@SETTINGS
@given(zone_and_day(), times, times)
def test_later_in_a_day_is_never_earlier_in_utc(case, a, b):
    tz, day = case
    a, b = sorted([a, b])

    assert local_to_utc(day=day, time=a, tz=tz) <= local_to_utc(day=day, time=b, tz=tz)


@SETTINGS
@given(zone_and_instant())
def test_every_instant_lies_between_its_days_midnights(case):
    tz, instant = case
    day = local_date(instant=instant, tz=tz)

    start, end = day_bounds(day=day, tz=tz)

    assert start <= instant < end
    assert start == local_midnight(day=day, tz=tz)
    assert local_date(instant=start, tz=tz) == day
    assert local_date(instant=end - SECOND, tz=tz) == day


@SETTINGS
@given(zone_and_day())
def test_days_follow_each_other_without_overlap(case):
    tz, day = case
    _, end = day_bounds(day=day, tz=tz)
    start, _ = day_bounds(day=day + dt.timedelta(days=1), tz=tz)

    assert end == start
    assert dt.timedelta(0) <= end - local_midnight(day=day, tz=tz) <= dt.timedelta(hours=26)


def _minute_stepping(day: dt.date, time: dt.time, tz) -> dt.datetime:
    """The implementation this module replaced (checkins/occurrences.py),
    kept as the reference: behaviour must not change."""
    probe = dt.datetime.combine(day, time)
    for _ in range(2 * 24 * 60):
        if exists(probe, tz):
            break
        probe += dt.timedelta(minutes=1)
    return probe.replace(tzinfo=tz, fold=0).astimezone(UTC)


@SETTINGS
@given(zone_and_day(), whole_minutes)
def test_agrees_with_the_minute_stepping_it_replaced(case, time):
    tz, day = case

    assert local_to_utc(day=day, time=time, tz=tz) == _minute_stepping(day, time, tz)


@settings(max_examples=200, deadline=None)
@given(st.dates(), st.dates())
def test_weeks_start_on_monday(a, b):
    first, last = sorted([a, b])
    monday = week_start(day=first)

    assert monday.weekday() == 0
    assert monday <= first < monday + dt.timedelta(days=7)
    weeks = week_starts(first=first, last=min(last, first + dt.timedelta(days=100)))
    assert weeks[0] == monday
    assert all(b - a == dt.timedelta(days=7) for a, b in zip(weeks, weeks[1:], strict=False))


# --- chosen DST dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "day", "time", "expected"),
    [
        # Berlin springs forward at 02:00: 02:30 is 03:00 CEST.
        ("Europe/Berlin", dt.date(2026, 3, 29), dt.time(2, 30), "2026-03-29T03:00:00+02:00"),
        # …and falls back at 03:00: 02:30 is the first, summer-time, one.
        ("Europe/Berlin", dt.date(2026, 10, 25), dt.time(2, 30), "2026-10-25T02:30:00+02:00"),
        ("America/New_York", dt.date(2026, 3, 8), dt.time(2, 30), "2026-03-08T03:00:00-04:00"),
        ("America/New_York", dt.date(2026, 11, 1), dt.time(1, 30), "2026-11-01T01:30:00-04:00"),
        # Lord Howe moves 30 minutes: 02:00–02:30 is missing in October.
        ("Australia/Lord_Howe", dt.date(2026, 10, 4), dt.time(2, 10), "2026-10-04T02:30:00+11:00"),
        ("Australia/Lord_Howe", dt.date(2026, 4, 5), dt.time(1, 45), "2026-04-05T01:45:00+11:00"),
        # Casablanca leaves summer time for Ramadan and comes back.
        ("Africa/Casablanca", dt.date(2026, 2, 15), dt.time(2, 30), "2026-02-15T02:30:00+01:00"),
        ("Africa/Casablanca", dt.date(2026, 3, 22), dt.time(2, 30), "2026-03-22T03:00:00+01:00"),
    ],
)
def test_chosen_changes(name, day, time, expected):
    tz = zone(name=name)

    assert local_to_utc(day=day, time=time, tz=name).astimezone(tz).isoformat() == expected


@pytest.mark.parametrize(
    ("name", "day", "start", "hours"),
    [
        ("Europe/Berlin", dt.date(2026, 3, 29), "2026-03-29T00:00:00+01:00", 23),
        ("Europe/Berlin", dt.date(2026, 10, 25), "2026-10-25T00:00:00+02:00", 25),
        ("Australia/Lord_Howe", dt.date(2026, 10, 4), "2026-10-04T00:00:00+10:30", 23.5),
        ("Australia/Lord_Howe", dt.date(2026, 4, 5), "2026-04-05T00:00:00+11:00", 24.5),
        # Santiago springs forward at midnight: the day starts at 01:00.
        ("America/Santiago", dt.date(2026, 9, 6), "2026-09-06T01:00:00-03:00", 23),
        # …and falls back from 24:00 to 23:00: the 4th is 25 hours, the 5th starts once.
        ("America/Santiago", dt.date(2026, 4, 4), "2026-04-04T00:00:00-03:00", 25),
        ("America/Santiago", dt.date(2026, 4, 5), "2026-04-05T00:00:00-04:00", 24),
        # Tehran skipped midnight on 22 March 2021.
        ("Asia/Tehran", dt.date(2021, 3, 22), "2021-03-22T01:00:00+04:30", 23),
        # Havana repeats 00:00–01:00 on 2 November 2025: the day starts at the first.
        ("America/Havana", dt.date(2025, 11, 2), "2025-11-02T00:00:00-04:00", 25),
        # Moncton fell back from 00:01 to 23:01 on 29 October 1995: the 29th
        # began at its first midnight and keeps the repeated hour.
        ("America/Moncton", dt.date(1995, 10, 28), "1995-10-28T00:00:00-03:00", 24),
        ("America/Moncton", dt.date(1995, 10, 29), "1995-10-29T00:00:00-03:00", 25),
        # Apia skipped 30 December 2011: an empty day, then the 31st.
        ("Pacific/Apia", dt.date(2011, 12, 29), "2011-12-29T00:00:00-10:00", 24),
        ("Pacific/Apia", dt.date(2011, 12, 30), "2011-12-31T00:00:00+14:00", 0),
        ("Pacific/Apia", dt.date(2011, 12, 31), "2011-12-31T00:00:00+14:00", 24),
    ],
)
def test_chosen_days(name, day, start, hours):
    lo, hi = day_bounds(day=day, tz=name)

    assert lo.astimezone(zone(name=name)).isoformat() == start
    assert (hi - lo) / dt.timedelta(hours=1) == hours


def test_local_date_is_the_wall_clock_date():
    instant = dt.datetime(2026, 6, 7, 12, 45, tzinfo=UTC)

    assert local_date(instant=instant, tz="Australia/Lord_Howe") == dt.date(2026, 6, 7)
    assert local_date(instant=instant, tz="Pacific/Kiritimati") == dt.date(2026, 6, 8)
    assert local_date(instant=instant, tz="Pacific/Pago_Pago") == dt.date(2026, 6, 7)


def test_a_day_once_begun_does_not_go_back():
    """Found by hypothesis in CI: Moncton's clocks went from 00:01 on the
    29th back to 23:01 on the 28th. The wall clock reads the 28th again, but
    the 29th had begun; the instant is counted in the day that contains it."""
    second_pass = dt.datetime(1995, 10, 29, 3, 1, tzinfo=UTC)  # 23:01 AST, again
    tz = zone(name="America/Moncton")
    assert second_pass.astimezone(tz).date() == dt.date(1995, 10, 28)

    assert local_date(instant=second_pass, tz=tz) == dt.date(1995, 10, 29)
    start, end = day_bounds(day=dt.date(1995, 10, 29), tz=tz)
    assert start <= second_pass < end
    # The first pass of the same wall time is still the 28th.
    assert local_date(instant=second_pass - dt.timedelta(hours=1), tz=tz) == dt.date(1995, 10, 28)


def test_a_monday_is_its_own_week_start_and_a_sunday_ends_it():
    assert week_start(day=dt.date(2026, 3, 2)) == dt.date(2026, 3, 2)
    assert week_start(day=dt.date(2026, 3, 8)) == dt.date(2026, 3, 2)
    assert week_starts(first=dt.date(2026, 3, 8), last=dt.date(2026, 3, 16)) == [
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 16),
    ]


def test_zone_is_cached_and_refuses_unknown_names():
    assert zone(name="Europe/Berlin") is zone(name="Europe/Berlin")
    for bad in ["Mars/Olympus_Mons", "../etc/passwd", "europe/berlin", ""]:
        with pytest.raises(ValidationError) as info:
            zone(name=bad)
        assert info.value.code == "invalid_timezone"
    with pytest.raises(ValidationError):
        local_midnight(day=dt.date(2026, 1, 1), tz="Not/AZone")
