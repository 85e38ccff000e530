"""The daily question's reminder (issue #22): opt-in, off by default; at the
person's chosen time, in their own timezone, DST-true; not after they
answered; never in quiet hours; counted in the daily cap; content-free."""

import datetime as dt
import uuid

import pytest
import time_machine

from couples.services import couple_leave
from daily import services
from reminders.dispatch import dispatch_tick
from reminders.kinds import KINDS, is_enabled
from reminders.models import Delivery, Notification, Preference, Reminder

from .factories import PASSWORD

pytestmark = pytest.mark.django_db

UTC = dt.UTC
TITLE = "Today's question is here, whenever you like"


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def turn_on(user, at="19:00", now=None):
    with time_machine.travel(now or utc(2026, 3, 2, 8), tick=False):
        services.daily_preferences_update(user=user, data={"reminder_time": dt.time.fromisoformat(at)})


def tick(at):
    with time_machine.travel(at, tick=False):
        return dispatch_tick()


@pytest.fixture
def no_quiet(alice, bob):
    for u in (alice, bob):
        u.quiet_hours_start = u.quiet_hours_end = None
        u.save()


def test_off_unless_turned_on(alice, bob, couple):
    kind = KINDS["daily_question"]
    assert kind.opt_in and not is_enabled(kind, {})
    with time_machine.travel(utc(2026, 3, 2, 8), tick=False):
        services.daily_question_for(couple=couple)
    assert not Reminder.objects.filter(kind="daily_question").exists()
    assert services.reminder_time_for(alice) is None


def test_the_title_says_nothing_of_the_question_or_the_partner(alice, bob, couple, no_quiet):
    turn_on(alice)
    with time_machine.travel(utc(2026, 3, 2, 9), tick=False):
        question = services.daily_question_for(couple=couple)
        services.daily_answer_submit(user=bob, question_id=question.pk, text="SECRET-BOB")
    tick(utc(2026, 3, 2, 18, 0, 30))  # 19:00 in Berlin
    note = Notification.objects.get(user=alice)
    assert note.title == TITLE and note.url == "/daily/"
    for secret in (question.text, "SECRET-BOB", "Bob", "answered"):
        assert secret not in note.title
    assert not Notification.objects.filter(user=bob).exists()  # bob did not turn it on


def test_not_once_the_person_answered_today(alice, bob, couple, no_quiet):
    turn_on(alice)
    with time_machine.travel(utc(2026, 3, 2, 9), tick=False):
        question = services.daily_question_for(couple=couple)
        services.daily_answer_submit(user=alice, question_id=question.pk, text="done")
    tick(utc(2026, 3, 2, 18, 0, 30))
    assert not Notification.objects.exists()
    assert Delivery.objects.get().outcome == "stale"
    # The series goes on: tomorrow, same local time.
    assert Reminder.objects.get(kind="daily_question", status="pending").due_at == utc(2026, 3, 3, 18)


def test_every_day_at_the_same_local_time_across_dst(alice, bob, couple, no_quiet):
    # Berlin springs forward on 29 March: 19:00 is 18:00 UTC before, 17:00 after.
    turn_on(alice, now=utc(2026, 3, 28, 8))
    tick(utc(2026, 3, 28, 18, 0, 30))
    assert Reminder.objects.get(kind="daily_question", status="pending").due_at == utc(2026, 3, 29, 17)
    tick(utc(2026, 3, 29, 17, 0, 30))
    assert Notification.objects.filter(user=alice).count() == 2
    assert Reminder.objects.get(kind="daily_question", status="pending").due_at == utc(2026, 3, 30, 17)


def test_waits_for_the_end_of_quiet_hours(alice, bob, couple):
    alice.quiet_hours_start, alice.quiet_hours_end = dt.time(21), dt.time(7, 30)
    alice.save()
    turn_on(alice, at="22:00")
    result = tick(utc(2026, 3, 2, 21, 0, 30))  # 22:00 in Berlin: quiet
    assert result.outcomes["sent"] == 0 and not Notification.objects.exists()
    reminder = Reminder.objects.get(kind="daily_question", status="pending")
    assert reminder.fire_at == utc(2026, 3, 3, 6, 30)  # 07:30 in Berlin


def test_counted_in_the_daily_cap(alice, bob, couple, no_quiet):
    Preference.objects.create(user=alice, daily_cap=1)
    turn_on(alice)
    # One reminder already sent today (alice's own local day).
    earlier = Reminder.objects.create(
        user=alice, kind="checkin_open", target_id=1, due_at=utc(2026, 3, 2, 9), fire_at=utc(2026, 3, 2, 9)
    )
    Delivery.objects.create(
        reminder=earlier,
        occurrence="once",
        user=alice,
        kind="checkin_open",
        outcome="sent",
        due_at=utc(2026, 3, 2, 9),
        decided_at=utc(2026, 3, 2, 9),
        tick=uuid.uuid4(),
    )
    result = tick(utc(2026, 3, 2, 18, 0, 30))
    assert result.outcomes["capped"] == 1
    assert not Notification.objects.filter(kind="daily_question").exists()


def test_silent_once_the_couple_ended(alice, bob, couple, no_quiet):
    turn_on(alice)
    with time_machine.travel(utc(2026, 3, 2, 9), tick=False):
        couple_leave(user=bob, password=PASSWORD)
    tick(utc(2026, 3, 2, 18, 0, 30))
    assert not Notification.objects.exists()
    assert Delivery.objects.get().outcome == "stale"
