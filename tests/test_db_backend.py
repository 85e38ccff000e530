"""backend/postgresql: timestamps parsed by psycopg's C loader give exactly
what Django's own loader gives (the same instant, the same tzinfo)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

VALUES = [
    "2026-03-08 02:30:00-05",  # a DST gap elsewhere: instants are instants
    "2026-11-01 01:30:00.000001+00",
    "2026-12-04 18:41:08.225952+00",
    "2000-02-29 23:59:59.999999+14",
    "1970-01-01 00:00:00+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
    "2026-06-30 12:00:00+05:45",
]


def _read(cursor) -> list:
    cursor.execute("SELECT unnest(%s::timestamptz[])", [VALUES])
    return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_the_same_values_as_djangos_loader():
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    from backend.postgresql.base import TimestamptzLoader

    with connection.cursor() as cursor:
        assert issubclass(cursor.cursor.adapters.get_loader(1184, 0), TimestamptzLoader)
        ours = _read(cursor)
    with connection.cursor() as cursor:
        register_tzloader(connection.timezone, cursor.cursor)  # Django's own, on this cursor only
        assert not issubclass(cursor.cursor.adapters.get_loader(1184, 0), TimestamptzLoader)
        djangos = _read(cursor)
    assert ours == djangos
    assert [v.tzinfo for v in ours] == [v.tzinfo for v in djangos] == [connection.timezone] * len(VALUES)
    assert [v.isoformat() for v in ours] == [v.isoformat() for v in djangos]
