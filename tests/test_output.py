"""backend.output.datetime_out writes exactly what DRF's DateTimeField
writes, in every time zone, though orjson writes most of it."""

import datetime as dt
import random
import zoneinfo

from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers

from backend import output
from backend.output import datetime_out


def drf(value: dt.datetime, tz: dt.tzinfo) -> str:
    with timezone.override(tz):
        return serializers.DateTimeField().to_representation(value)


def instants(rng: random.Random, count: int) -> list[dt.datetime]:
    """From the 1800s (local mean times, offsets with seconds) to 2100, with
    and without microseconds."""
    found = []
    for _ in range(count):
        value = dt.datetime.fromtimestamp(rng.uniform(-5.5e9, 4.1e9), dt.UTC)
        found.append(value.replace(microsecond=rng.choice([0, 1, rng.randrange(10**6)])))
    return found


def test_every_zone_reads_as_drf_writes_it():
    rng = random.Random(16)
    checked = 0
    for name in sorted(zoneinfo.available_timezones()):
        tz = zoneinfo.ZoneInfo(name)
        for value in instants(rng, 12):
            assert datetime_out(value, tz) == drf(value, tz), (name, value)
            checked += 1
    assert checked > 4000


def test_offsets_with_seconds_keep_them():
    # orjson would write -00:16; DRF (isoformat) writes -00:16:08.
    abidjan = zoneinfo.ZoneInfo("Africa/Abidjan")
    value = dt.datetime(1900, 6, 1, 12, 0, tzinfo=dt.UTC)
    assert datetime_out(value, abidjan) == "1900-06-01T11:43:52-00:16:08" == drf(value, abidjan)


def test_utc_is_written_with_a_z_and_microseconds_only_when_there_are_some():
    utc = zoneinfo.ZoneInfo("UTC")
    assert datetime_out(dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC), utc) == "2026-03-29T01:30:00Z"
    assert datetime_out(dt.datetime(2026, 3, 29, 1, 30, 0, 5, tzinfo=dt.UTC), utc) == "2026-03-29T01:30:00.000005Z"
    # A zone at offset zero other than UTC also reads "Z", as in DRF.
    london = zoneinfo.ZoneInfo("Europe/London")
    assert datetime_out(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), london) == "2026-01-05T09:00:00Z"


def test_nothing_is_none():
    assert datetime_out(None, dt.UTC) is None


@given(
    value=st.datetimes(min_value=dt.datetime(1800, 1, 2), max_value=dt.datetime(2200, 1, 1), timezones=st.just(dt.UTC)),
    tz=st.timezones(),
)
def test_any_instant_in_any_zone(value, tz):
    assert datetime_out(value, tz) == drf(value, tz)


def test_rows_output_uses_the_current_zone():
    class Out(output.RowsOutput):
        pass

    value = dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC)
    with timezone.override(zoneinfo.ZoneInfo("Asia/Kolkata")):
        assert Out().dt(value) == "2026-07-01T17:30:00+05:30"


def test_utc_is_written_from_pythons_own_utc_as_drf_writes_zoneinfos():
    utc = zoneinfo.ZoneInfo("UTC")
    with timezone.override(utc):
        assert output.current_zone() is dt.UTC
    with timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        assert output.current_zone() == zoneinfo.ZoneInfo("Europe/Berlin")
    for value in instants(random.Random(6), 200):
        assert datetime_out(value, dt.UTC) == drf(value, utc)
