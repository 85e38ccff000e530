"""Leaving, explicit (couples.closing): inside couple_leave's transaction,
each app's on_couple_closed ends what was tied to the couple, each in its own
savepoint; none can make leaving fail, and consent never waits on one."""

import logging

import pytest
from django.utils import timezone

from checkins import services as checkins
from checkins.models import Format, LiveSession
from couples import closing
from couples.models import Couple
from couples.services import couple_leave
from journal import services as journal
from journal.models import Share
from reminders.models import Reminder
from therapists.models import Grant

from .factories import PASSWORD
from .test_therapists_support import (  # noqa: F401 - fixtures
    active_grant,
    as_theo_ready,
    keystore,
    theo_totp,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(request, couple, alice, bob, theo):
    """Bob approved theo's grant, alice shares an entry with bob, and a
    check-in is being answered live."""
    request.getfixturevalue("keystore")
    grant = active_grant(couple, alice, bob, theo)
    entry = journal.entry_create(author=alice, kind="entry", text="A calm day")
    journal.entry_share(entry=entry, author=alice)
    checkin = checkins.checkin_start(couple=couple, user=alice, format=Format.objects.get(key="daily-pulse"))
    session = LiveSession.objects.create(checkin=checkin)
    return {"grant": grant, "checkin": checkin, "session": session}


def test_every_app_registers_its_part_without_couples_importing_it():
    names = set(closing.handlers())

    assert {
        "therapists.couple_closed.on_couple_closed",
        "journal.couple_closed.on_couple_closed",
        "checkins.couple_closed.close_sockets",
        "checkins.couple_closed.live_sessions_finish",
        "checkins.couple_closed.reminders_end",
        "checkins.couple_closed.schedules_stop",
    } <= names


def test_leaving_ends_grants_shares_live_sessions_and_reminders_in_the_same_transaction(
    world, couple, alice, bob, django_capture_on_commit_callbacks, monkeypatch
):
    closed = []
    monkeypatch.setattr("checkins.live.close_couple_sockets", closed.append)
    assert Reminder.objects.filter(target_id=world["checkin"].pk, status=Reminder.Status.PENDING).exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        couple_leave(user=alice, password=PASSWORD)

    # Already done before the commit: nothing waits for it.
    grant = Grant.objects.get(pk=world["grant"].pk)
    assert grant.ended_at is not None and grant.end_reason == Grant.EndReason.COUPLE_CLOSED
    assert not Share.objects.filter(couple=couple).exists()
    assert LiveSession.objects.get(pk=world["session"].pk).finished_at is not None
    assert not Reminder.objects.filter(target_id=world["checkin"].pk, status=Reminder.Status.PENDING).exists()
    # The sockets only hear of it after the commit.
    assert closed == []
    for callback in callbacks:
        callback()
    assert closed == [couple.pk]


def test_a_handler_that_raises_is_rolled_back_alone_and_leaving_still_succeeds(
    world, couple, alice, monkeypatch, caplog
):
    def broken(couple_id):
        Couple.objects.filter(pk=couple_id).update(timezone="Europe/Paris")  # rolled back with its savepoint
        raise RuntimeError("a feature's tidy-up broke")

    # Run it first: the ones after it must still run.
    monkeypatch.setattr(closing, "_HANDLERS", {"tests.broken": broken, **closing._HANDLERS})

    with caplog.at_level(logging.INFO, logger="couples.closing"):
        couple_leave(user=alice, password=PASSWORD)

    couple.refresh_from_db()
    assert couple.ended_at is not None
    assert couple.timezone != "Europe/Paris"
    assert Grant.objects.get(pk=world["grant"].pk).end_reason == Grant.EndReason.COUPLE_CLOSED
    assert not Share.objects.filter(couple=couple).exists()
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failures) == 1 and "tests.broken" in failures[0].getMessage()
    assert failures[0].exc_info is not None


def test_consent_ends_with_the_couple_even_if_no_handler_ran(request, world, couple, alice, monkeypatch):
    theo_client = request.getfixturevalue("as_theo_ready")
    monkeypatch.setattr(closing, "_HANDLERS", {})
    assert Grant.objects.active(timezone.now()).filter(pk=world["grant"].pk).exists()

    couple_leave(user=alice, password=PASSWORD)

    grant = Grant.objects.select_related("couple").get(pk=world["grant"].pk)
    assert grant.ended_at is None  # no handler ended it...
    assert not Grant.objects.active(timezone.now()).filter(pk=grant.pk).exists()  # ...and yet it is not active
    assert grant.status_at(timezone.now()) != "active"
    assert theo_client.get(f"/api/v1/therapist/couples/{couple.pk}/summary/").status_code == 404


def test_a_closed_couples_schedules_stop_making_check_ins(couple, alice, bob):
    """Found in the fifth session: a couple's schedules went on creating
    check-ins (and their reminders) for years after it closed."""
    import datetime as dt

    from checkins.models import CheckIn, Schedule

    schedule = checkins.schedule_propose(
        couple=couple,
        user=alice,
        format=Format.objects.get(key="daily-pulse"),
        weekdays=list(range(7)),
        time=dt.time(20, 0),
        timezone_name="Europe/Berlin",
    )
    schedule = checkins.schedule_accept(schedule=schedule, user=bob)
    future = CheckIn.objects.filter(schedule=schedule, scheduled_for__gt=timezone.now()).order_by("scheduled_for")
    assert future.count() >= 7

    couple_leave(user=alice, password=PASSWORD)

    schedule.refresh_from_db()
    assert schedule.status == Schedule.Status.PAUSED and schedule.paused_by is None
    assert not future.exists()
    assert checkins.schedules_extend_horizon(now=timezone.now() + dt.timedelta(days=30)) == 0
    assert not CheckIn.objects.filter(couple=couple, scheduled_for__gt=timezone.now()).exists()
