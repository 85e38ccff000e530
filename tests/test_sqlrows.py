"""backend/sqlrows.py: hand-written SQL reads and writes values exactly as
the ORM does, on SQLite and on PostgreSQL."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from backend import sqlrows
from checkins import services
from checkins.models import CheckIn, Format, LiveSession


@pytest.fixture
def session(couple, alice, bob):
    checkin = services.checkin_start(couple=couple, user=alice, format=Format.objects.get(key="daily-pulse"))
    return LiveSession.objects.create(
        checkin=checkin,
        step_index=1,
        ready=[bob.pk],
        revealed_steps=["mood"],
        paused_until=timezone.now() + dt.timedelta(minutes=20),
        paused_by=alice,
    )


def _raw(model, pk):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sqlrows.columns(connection, model, 't')} FROM {sqlrows.qn(connection, model._meta.db_table)} t "  # noqa: S608
            "WHERE t.id = %s",
            [pk],
        )
        return sqlrows.instance(connection, model, cursor.fetchone())


@pytest.mark.parametrize("model", [CheckIn, LiveSession])
def test_a_raw_row_becomes_the_instance_the_orm_would_load(session, model):
    pk = session.checkin_id if model is CheckIn else session.pk
    raw, orm = _raw(model, pk), model.objects.get(pk=pk)
    for field in model._meta.concrete_fields:
        assert getattr(raw, field.attname) == getattr(orm, field.attname), field.name
    assert raw._state.adding is False
    assert raw.get_deferred_fields() == set()


def test_datetimes_come_back_aware_and_json_decoded(session):
    raw = _raw(LiveSession, session.pk)
    assert timezone.is_aware(raw.paused_until)
    assert raw.ready == session.ready and raw.revealed_steps == ["mood"]


def test_values_written_by_hand_read_back_through_the_orm(session, alice):
    until = timezone.now().replace(microsecond=123456) + dt.timedelta(minutes=45)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE checkins_livesession SET paused_until = %s, ready = %s WHERE id = %s",
            [
                sqlrows.to_db(connection, LiveSession, "paused_until", until),
                sqlrows.to_db(connection, LiveSession, "ready", [alice.pk, 7]),
                session.pk,
            ],
        )
    session.refresh_from_db()
    assert session.paused_until == until
    assert session.ready == [alice.pk, 7]
