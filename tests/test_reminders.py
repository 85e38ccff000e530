import datetime as dt
import json
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from checkins import services as checkins
from checkins.models import CheckIn, Format, Schedule
from reminders import delivery as sending
from reminders import services
from reminders.dispatch import dispatch_tick
from reminders.models import Delivery, Notification, Preference, PushSubscription, Reminder
from reminders.recovery import requeue_stalled

from .factories import CheckInFactory, web_login

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NY = zoneinfo.ZoneInfo("America/New_York")
PULSE = {"mood": 4, "appreciated": "SECRET-APPRECIATION-TEXT", "need": "SECRET-NEED-TEXT"}


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def no_quiet_hours(*users):
    for u in users:
        u.quiet_hours_start = u.quiet_hours_end = None
        u.save()


def active_schedule(couple, alice, bob, *, weekdays=(0, 1, 2, 3, 4, 5, 6), time=dt.time(20, 0), tz="America/New_York"):
    schedule = checkins.schedule_propose(
        couple=couple,
        user=alice,
        format=Format.objects.get(key="daily-pulse"),
        weekdays=list(weekdays),
        time=time,
        timezone_name=tz,
    )
    return checkins.schedule_accept(schedule=schedule, user=bob)


@pytest.fixture
def quiet_free(alice, bob):
    no_quiet_hours(alice, bob)


class TestScheduling:
    def test_a_scheduled_checkin_gets_three_reminders_for_each_partner(self, couple, alice, bob, quiet_free):
        with time_machine.travel(utc(2026, 3, 2, 12), tick=False):
            active_schedule(couple, alice, bob, weekdays=[0])
        first = CheckIn.objects.order_by("scheduled_for").first()

        # A reminder's target is its kind's object: the check-in's kinds here
        # (the schedule's own "proposed" reminder may share the number).
        rows = Reminder.objects.filter(target_id=first.pk, kind__startswith="checkin_").order_by("user_id", "due_at")
        assert sorted((r.user_id, r.kind, r.due_at) for r in rows) == sorted(
            [(u.pk, "checkin_before", first.scheduled_for - dt.timedelta(minutes=30)) for u in (alice, bob)]
            + [(u.pk, "checkin_open", first.scheduled_for) for u in (alice, bob)]
            + [(u.pk, "checkin_unanswered", first.scheduled_for + dt.timedelta(hours=24)) for u in (alice, bob)]
        )

    def test_lead_time_is_per_person(self, couple, alice, bob, quiet_free):
        Preference.objects.create(user=bob, lead_minutes=90)
        with time_machine.travel(utc(2026, 3, 2, 12), tick=False):
            active_schedule(couple, alice, bob, weekdays=[0])
        first = CheckIn.objects.order_by("scheduled_for").first()
        before = dict(
            Reminder.objects.filter(target_id=first.pk, kind="checkin_before").values_list("user_id", "due_at")
        )
        assert first.scheduled_for - before[bob.pk] == dt.timedelta(minutes=90)
        assert first.scheduled_for - before[alice.pk] == dt.timedelta(minutes=30)

    def test_an_ad_hoc_checkin_tells_the_other_partner_only(self, couple, alice, bob, quiet_free):
        with time_machine.travel(utc(2026, 3, 2, 12), tick=False):
            checkin = CheckInFactory(couple=couple, user=alice)
            dispatch_tick()
        assert list(Notification.objects.values_list("user_id", "title", "url")) == [
            (bob.pk, "Your partner started a check-in", f"/checkins/{checkin.pk}/")
        ]
        # Said as what it is (issue #20): not as if it had been scheduled, and
        # with no name in it.
        assert "Alice" not in Notification.objects.get().title

    @pytest.mark.parametrize(
        ("tz", "local_day", "expected_before_utc"),
        [
            # Spring forward in New York: 20:00 EDT, reminder 19:30 EDT.
            ("America/New_York", dt.date(2026, 3, 9), utc(2026, 3, 9, 23, 30)),
            ("America/New_York", dt.date(2026, 3, 6), utc(2026, 3, 7, 0, 30)),
            ("Europe/London", dt.date(2026, 3, 30), utc(2026, 3, 30, 18, 30)),
            ("Europe/London", dt.date(2026, 3, 27), utc(2026, 3, 27, 19, 30)),
            ("Australia/Lord_Howe", dt.date(2026, 4, 6), utc(2026, 4, 6, 9, 0)),
            ("Australia/Lord_Howe", dt.date(2026, 4, 3), utc(2026, 4, 3, 8, 30)),
        ],
    )
    def test_reminders_keep_local_time_across_dst(
        self, couple, alice, bob, quiet_free, tz, local_day, expected_before_utc
    ):
        with time_machine.travel(dt.datetime.combine(local_day - dt.timedelta(days=6), dt.time(), UTC), tick=False):
            active_schedule(couple, alice, bob, tz=tz)
        checkin = CheckIn.objects.get(local_date=local_day)
        before = Reminder.objects.get(target_id=checkin.pk, kind="checkin_before", user=alice)

        assert before.fire_at == expected_before_utc
        assert before.fire_at.astimezone(zoneinfo.ZoneInfo(tz)).strftime("%H:%M") == "19:30"
        # And the dispatcher fires it then, not an hour off.
        with time_machine.travel(expected_before_utc - dt.timedelta(minutes=1), tick=False):
            dispatch_tick()
        assert not Notification.objects.filter(user=alice, kind="checkin_before").exists()
        with time_machine.travel(expected_before_utc, tick=False):
            dispatch_tick()
        assert Notification.objects.filter(user=alice, kind="checkin_before").count() >= 1


class TestDispatcher:
    @pytest.fixture
    def due(self, couple, alice, bob, quiet_free):
        with time_machine.travel(utc(2026, 3, 2, 12), tick=False):
            active_schedule(couple, alice, bob, weekdays=[0])
        return CheckIn.objects.order_by("scheduled_for").first()

    def test_fires_on_time_and_only_when_due(self, due, alice, bob):
        with time_machine.travel(due.scheduled_for - dt.timedelta(minutes=31), tick=False):
            assert dispatch_tick().outcomes["sent"] == 0
        with time_machine.travel(due.scheduled_for - dt.timedelta(minutes=30), tick=False):
            assert dispatch_tick().outcomes["sent"] == 2
        assert set(Notification.objects.values_list("user_id", "title")) == {
            (alice.pk, "Your check-in is coming up"),
            (bob.pk, "Your check-in is coming up"),
        }

    def test_running_twice_gives_one_notification(self, due):
        for at in (due.scheduled_for - dt.timedelta(minutes=30), due.scheduled_for):
            with time_machine.travel(at, tick=False):
                dispatch_tick()
                dispatch_tick()
        # alice and bob, once each
        assert Notification.objects.filter(kind="checkin_before").count() == 2
        assert Notification.objects.filter(kind="checkin_open").count() == 2
        assert Delivery.objects.count() == 4

    def test_a_replayed_decision_is_ignored_by_the_unique_constraint(self, due, alice):
        with time_machine.travel(due.scheduled_for, tick=False):
            dispatch_tick()
            # Simulate a crashed tick that left reminders pending after its
            # deliveries were recorded: the next tick must not notify again.
            Reminder.objects.update(status=Reminder.Status.PENDING)
            dispatch_tick()
        assert Notification.objects.filter(user=alice, kind="checkin_open").count() == 1

    def test_unanswered_reminder_only_for_who_has_not_answered(self, due, alice, bob):
        with time_machine.travel(due.scheduled_for + dt.timedelta(minutes=5), tick=False):
            checkins.checkin_answer(checkin=due, author=alice, values=PULSE)
        with time_machine.travel(due.scheduled_for + dt.timedelta(hours=24), tick=False):
            dispatch_tick()
        unanswered = Notification.objects.filter(kind="checkin_unanswered")
        assert list(unanswered.values_list("user_id", flat=True)) == [bob.pk]
        title = unanswered.get().title
        assert "Alice" not in title and "partner" not in title.lower()

    def test_nothing_after_the_reveal(self, due, alice, bob):
        with time_machine.travel(due.scheduled_for + dt.timedelta(minutes=5), tick=False):
            checkins.checkin_answer(checkin=due, author=alice, values=PULSE)
            checkins.checkin_answer(checkin=due, author=bob, values=PULSE)
        with time_machine.travel(due.scheduled_for + dt.timedelta(hours=24), tick=False):
            dispatch_tick()
        assert not Notification.objects.filter(kind="checkin_unanswered").exists()

    def test_catch_up_sends_recent_and_records_old_as_missed(self, due, alice):
        # The worker was down from before the reminder until 40 minutes after
        # it opened: "before" is useless now, "open" is still within grace.
        with time_machine.travel(due.scheduled_for + dt.timedelta(minutes=40), tick=False):
            result = dispatch_tick()
        assert result.outcomes["stale"] == 2  # "coming up" once it has started
        assert Notification.objects.filter(kind="checkin_open").count() == 2

        # Down for 3 hours instead: recorded as missed, never a burst.
        Notification.objects.all().delete()
        Delivery.objects.all().delete()
        Reminder.objects.update(status=Reminder.Status.PENDING)
        with time_machine.travel(due.scheduled_for + dt.timedelta(hours=3), tick=False):
            result = dispatch_tick()
        assert result.outcomes["missed"] == 2
        assert not Notification.objects.exists()

    def test_quiet_hours_across_midnight_defer_until_they_end(self, due, alice, bob):
        # Alice (Berlin) is quiet 22:00–07:30; bob has none.
        alice.quiet_hours_start, alice.quiet_hours_end = dt.time(22, 0), dt.time(7, 30)
        alice.save()
        reminder = Reminder.objects.get(user=alice, kind="checkin_unanswered", target_id=due.pk)
        # Due 01:00 UTC = 02:00 in Berlin: inside quiet hours.
        fire = reminder.fire_at
        assert fire.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).hour == 2
        with time_machine.travel(fire, tick=False):
            result = dispatch_tick()
        assert result.deferred == 1
        assert not Notification.objects.filter(user=alice, kind="checkin_unanswered").exists()
        reminder.refresh_from_db()
        assert reminder.fire_at.astimezone(zoneinfo.ZoneInfo("Europe/Berlin")).strftime("%H:%M") == "07:30"
        assert reminder.due_at == fire  # when it was due is kept

        with time_machine.travel(reminder.fire_at, tick=False):
            dispatch_tick()
        assert Notification.objects.filter(user=alice, kind="checkin_unanswered").count() == 1

    def test_daily_cap(self, couple, alice, bob, quiet_free):
        Preference.objects.create(user=bob, daily_cap=2)
        with time_machine.travel(utc(2026, 3, 2, 15), tick=False):
            for _ in range(4):
                CheckInFactory(couple=couple, user=alice)
            result = dispatch_tick()
        assert Notification.objects.filter(user=bob).count() == 2
        assert result.outcomes["capped"] == 2

    def test_cap_counts_by_the_persons_own_day(self, couple, alice, bob, quiet_free):
        Preference.objects.create(user=bob, daily_cap=1)  # bob is in New York
        with time_machine.travel(utc(2026, 3, 3, 4, 0), tick=False):  # 23:00 in NY, 2 March
            CheckInFactory(couple=couple, user=alice)
            dispatch_tick()
        with time_machine.travel(utc(2026, 3, 3, 5, 30), tick=False):  # 00:30 in NY, 3 March
            CheckInFactory(couple=couple, user=alice)
            dispatch_tick()
        assert Notification.objects.filter(user=bob).count() == 2

    def test_a_repeated_midnight_starts_the_day_once(self, couple, alice, bob, quiet_free):
        # Havana falls back from 01:00 to 00:00 on 2 November 2025: 00:30
        # happens twice, and both belong to one day with one cap.
        bob.timezone = "America/Havana"
        bob.save()
        Preference.objects.create(user=bob, daily_cap=1)
        with time_machine.travel(utc(2025, 11, 2, 4, 30), tick=False):  # 00:30 -04:00, the first
            CheckInFactory(couple=couple, user=alice)
            dispatch_tick()
        with time_machine.travel(utc(2025, 11, 2, 5, 30), tick=False):  # 00:30 -05:00, the second
            CheckInFactory(couple=couple, user=alice)
            result = dispatch_tick()
        assert Notification.objects.filter(user=bob).count() == 1
        assert result.outcomes["capped"] == 1

    def test_a_kind_turned_off(self, due, alice):
        services.preferences_update(user=alice, data={"kinds": {"checkin_before": False}})
        with time_machine.travel(due.scheduled_for - dt.timedelta(minutes=30), tick=False):
            dispatch_tick()
        assert not Notification.objects.filter(user=alice).exists()
        assert Delivery.objects.get(user=alice, kind="checkin_before").outcome == "disabled"

    def test_a_deleted_checkin_is_stale(self, due, alice, bob):
        with time_machine.travel(utc(2026, 3, 2, 13), tick=False):
            checkins.schedule_pause(schedule=Schedule.objects.get(), user=alice)
        with time_machine.travel(due.scheduled_for, tick=False):
            result = dispatch_tick()
        assert result.outcomes["sent"] == 0
        assert not Notification.objects.exists()

    def test_batches_cover_everything_due(self, due):
        with time_machine.travel(due.scheduled_for, tick=False):
            result = dispatch_tick(batch_size=1)
        assert result.batches >= 4
        assert result.claimed == 4  # two "coming up" (stale by now) and two "open"
        assert Notification.objects.count() == 2

    def test_query_count_per_batch_is_constant(self, quiet_free, django_assert_max_num_queries):
        """Queries per batch do not grow with the people or reminders in it."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from tests.factories import UserFactory, make_couple

        def due_for(n_couples: int) -> None:
            for _ in range(n_couples):
                a, b = UserFactory(quiet_hours_start=None), UserFactory(quiet_hours_start=None)
                Preference.objects.create(user=b, daily_cap=50, email=True)
                CheckInFactory(couple=make_couple(a, b), user=a)

        with time_machine.travel(utc(2026, 3, 2, 15), tick=False):
            due_for(1)
            with CaptureQueriesContext(connection) as small:
                dispatch_tick()
            due_for(25)
            with django_assert_max_num_queries(len(small.captured_queries)):
                result = dispatch_tick()
        assert result.outcomes["sent"] == 25


class TestDryRun:
    def test_prints_what_would_fire_and_changes_nothing(self, couple, alice, bob, quiet_free, capsys):
        with time_machine.travel(utc(2026, 3, 2, 12), tick=False):
            active_schedule(couple, alice, bob, weekdays=[0])
        first = CheckIn.objects.order_by("scheduled_for").first()
        at = first.scheduled_for - dt.timedelta(minutes=30)
        pending = set(Reminder.objects.filter(status="pending").values_list("id", "fire_at"))

        call_command("dispatch_reminders", "--now", at.isoformat(), "--dry-run")

        lines = sorted(capsys.readouterr().out.strip().splitlines())
        assert lines == sorted(
            [
                f"{alice.pk} checkin_before 2026-03-03T00:30:00Z 2026-03-03T01:30:00+0100",
                f"{bob.pk} checkin_before 2026-03-03T00:30:00Z 2026-03-02T19:30:00-0500",
            ]
        )
        assert not Notification.objects.exists() and not Delivery.objects.exists()
        assert set(Reminder.objects.filter(status="pending").values_list("id", "fire_at")) == pending

    def test_real_run_and_bad_now(self, couple, alice, bob, quiet_free, capsys):
        from django.core.management.base import CommandError

        call_command("dispatch_reminders", "--now", "2026-03-03T01:00:00Z")
        assert "claimed=" in capsys.readouterr().out
        with pytest.raises(CommandError):
            call_command("dispatch_reminders", "--now", "yesterday")
        with pytest.raises(CommandError):
            call_command("dispatch_reminders", "--now", "2026-03-03T01:00:00")


class TestEmailAndPush:
    @pytest.fixture
    def sent_delivery(self, couple, alice, bob, quiet_free, settings):
        settings.STEADY_VAPID_PRIVATE_KEY = "test-key"
        Preference.objects.create(user=bob, email=True, push=True)
        PushSubscription.objects.create(user=bob, endpoint="https://push.example/abc", p256dh="p", auth="a")
        with time_machine.travel(utc(2026, 3, 2, 15), tick=False):
            CheckInFactory(couple=couple, user=alice, answers={alice: PULSE})
            dispatch_tick()
        return Delivery.objects.get(user=bob, outcome="sent")

    @pytest.fixture
    def pushes(self, monkeypatch):
        sent = []

        def fake_webpush(**kwargs):
            sent.append(kwargs)

        monkeypatch.setattr("pywebpush.webpush", fake_webpush)
        return sent

    def test_email_is_content_free_and_sent_once(self, sent_delivery, pushes):
        assert sending.send(sent_delivery.pk, "email") == "sent"
        assert sending.send(sent_delivery.pk, "email") == "skipped"  # the task ran twice

        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["bob@example.com"]
        assert message.subject == "Your partner started a check-in"
        for secret in ("SECRET", "appreciat", "mood"):
            assert secret not in message.body and secret not in message.subject
        assert f"/checkins/{sent_delivery.reminder.target_id}/" in message.body

    def test_push_has_a_topic_and_no_private_text(self, sent_delivery, pushes):
        assert sending.send(sent_delivery.pk, "push") == "sent"
        assert sending.send(sent_delivery.pk, "push") == "skipped"

        assert len(pushes) == 1
        call = pushes[0]
        assert call["headers"]["Topic"] == f"checkin_started-{sent_delivery.reminder_id}"
        assert len(call["headers"]["Topic"]) <= 32
        payload = json.loads(call["data"])
        assert payload["title"] == "Your partner started a check-in"
        assert "SECRET" not in call["data"]

    def test_a_phone_signed_out_from_anywhere_gets_no_more_pushes(self, sent_delivery, pushes, bob):
        """A subscription is tied to the sign-in that registered it; signing
        that out, from another phone, stops it (the browser itself cannot
        be reached to unsubscribe)."""
        from knox.models import AuthToken
        from rest_framework.test import APIClient

        PushSubscription.objects.all().delete()  # the fixture's has no sign-in recorded
        app = APIClient()
        app.credentials(HTTP_AUTHORIZATION=f"Bearer {AuthToken.objects.create(user=bob)[1]}")
        web, other_web = web_login(bob), web_login(bob)
        for name, phone in (("app", app), ("web", web), ("other", other_web)):
            body = {"endpoint": f"https://push.example/{name}", "keys": {"p256dh": "p", "auth": "a"}}
            response = phone.post("/api/v1/push/subscriptions/", json.dumps(body), content_type="application/json")
            assert response.status_code == 201
        registered = {s.endpoint.rsplit("/", 1)[1]: s for s in PushSubscription.objects.all()}
        assert registered["app"].token_key and not registered["app"].session_key
        assert registered["web"].session_key and not registered["web"].token_key

        # From the web phone: sign out every other device.
        assert web.delete("/api/v1/me/sessions/").status_code == 204
        assert sending.send(sent_delivery.pk, "push") == "sent"

        assert [p["subscription_info"]["endpoint"] for p in pushes] == ["https://push.example/web"]
        assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == ["https://push.example/web"]

    def test_a_phone_whose_sign_in_expired_gets_nothing(self, sent_delivery, pushes, bob):
        from django.contrib.sessions.models import Session

        PushSubscription.objects.all().delete()
        web = web_login(bob)
        body = {"endpoint": "https://push.example/web", "keys": {"p256dh": "p", "auth": "a"}}
        response = web.post("/api/v1/push/subscriptions/", json.dumps(body), content_type="application/json")
        assert response.status_code == 201
        Session.objects.update(expire_date=utc(2020, 1, 1, 0))
        assert sending.send(sent_delivery.pk, "push") == "failed"
        assert pushes == [] and not PushSubscription.objects.exists()

    def test_gone_subscriptions_are_removed(self, sent_delivery, monkeypatch):
        from pywebpush import WebPushException

        class Gone:
            status_code = 410

        def gone(**kwargs):
            raise WebPushException("gone", response=Gone())

        monkeypatch.setattr("pywebpush.webpush", gone)
        assert sending.send(sent_delivery.pk, "push") == "failed"
        assert not PushSubscription.objects.exists()

    def test_transient_errors_retry_then_give_up(self, sent_delivery, monkeypatch):
        from pywebpush import WebPushException

        class Busy:
            status_code = 503

        def busy(**kwargs):
            raise WebPushException("busy", response=Busy())

        monkeypatch.setattr("pywebpush.webpush", busy)
        for _ in range(sending.MAX_ATTEMPTS - 1):
            with pytest.raises(sending.Transient):
                sending.send(sent_delivery.pk, "push")
        assert sending.send(sent_delivery.pk, "push") == "failed"
        sent_delivery.refresh_from_db()
        assert (sent_delivery.push_state, sent_delivery.push_attempts) == ("failed", sending.MAX_ATTEMPTS)

    def test_a_dead_workers_claim_is_taken_over_after_the_lease(self, sent_delivery, pushes):
        Delivery.objects.filter(pk=sent_delivery.pk).update(push_state="sending", push_claimed_at=utc(2026, 3, 2, 15))
        with time_machine.travel(utc(2026, 3, 2, 15, 2), tick=False):
            assert sending.send(sent_delivery.pk, "push") == "skipped"  # maybe still sending
        with time_machine.travel(utc(2026, 3, 2, 15, 6), tick=False):
            assert sending.send(sent_delivery.pk, "push") == "sent"
        assert len(pushes) == 1

    def test_no_private_text_in_any_notification(self, sent_delivery):
        for n in Notification.objects.all():
            assert "SECRET" not in n.title + n.url


class TestRecovery:
    """reminders.recovery: what the broker lost, the database still owes."""

    @pytest.fixture
    def queued(self, monkeypatch):
        calls = []
        monkeypatch.setattr("reminders.tasks.send_one.delay", lambda *args: calls.append(args))
        return calls

    @pytest.fixture
    def owed(self, couple, alice, bob, quiet_free, settings):
        """A delivery decided at 15:00 with email and push queued, whose
        Celery message never reached a worker."""
        settings.STEADY_VAPID_PRIVATE_KEY = "test-key"
        Preference.objects.create(user=bob, email=True, push=True)
        PushSubscription.objects.create(user=bob, endpoint="https://push.example/abc", p256dh="p", auth="a")
        with time_machine.travel(utc(2026, 3, 2, 15), tick=False):
            CheckInFactory(couple=couple, user=alice)
            dispatch_tick()
        return Delivery.objects.get(user=bob, outcome="sent")

    def test_a_lost_message_is_queued_again_after_the_lease_and_only_once(self, owed, queued):
        with time_machine.travel(utc(2026, 3, 2, 15, 4), tick=False):
            assert requeue_stalled() == 0  # the worker may just be busy
        with time_machine.travel(utc(2026, 3, 2, 15, 6), tick=False):
            assert requeue_stalled() == 2
            assert requeue_stalled() == 0  # the next minute's run does not pile on
        with time_machine.travel(utc(2026, 3, 2, 15, 12), tick=False):
            assert requeue_stalled() == 2  # still not sent: once per lease

        assert sorted(queued) == sorted([(owed.pk, "email"), (owed.pk, "push")] * 2)

    def test_a_dead_workers_send_is_queued_again_and_sent_once(self, owed, queued, monkeypatch):
        pushes = []
        monkeypatch.setattr("pywebpush.webpush", lambda **kwargs: pushes.append(kwargs))
        # A worker claimed the push at 15:00 and was killed before it finished.
        Delivery.objects.filter(pk=owed.pk).update(
            email_state="sent", push_state="sending", push_claimed_at=utc(2026, 3, 2, 15), push_attempts=1
        )
        with time_machine.travel(utc(2026, 3, 2, 15, 6), tick=False):
            assert requeue_stalled() == 1
            # The re-queued message and the original, redelivered late by the
            # broker, both arrive: one push.
            assert sending.send(owed.pk, "push") == "sent"
            assert sending.send(owed.pk, "push") == "skipped"

        assert queued == [(owed.pk, "push")]
        assert len(pushes) == 1
        owed.refresh_from_db()
        assert (owed.push_state, owed.push_attempts) == ("sent", 2)

    def test_a_live_workers_claim_and_a_waiting_retry_are_left_alone(self, owed, queued):
        # Push: claimed a minute ago by a worker that is still sending.
        # Email: failed at 15:04 and waits for its backoff.
        Delivery.objects.filter(pk=owed.pk).update(
            push_state="sending",
            push_claimed_at=utc(2026, 3, 2, 15, 5),
            email_claimed_at=utc(2026, 3, 2, 15, 4),
            email_attempts=1,
        )
        with time_machine.travel(utc(2026, 3, 2, 15, 6), tick=False):
            assert requeue_stalled() == 0
        with time_machine.travel(utc(2026, 3, 2, 15, 9, 30), tick=False):
            assert requeue_stalled() == 1  # the email's retry message was lost too

        assert queued == [(owed.pk, "email")]

    def test_finished_channels_are_never_queued_again(self, owed, queued):
        Delivery.objects.filter(pk=owed.pk).update(email_state="sent", push_state="failed")
        with time_machine.travel(utc(2026, 3, 3), tick=False):
            assert requeue_stalled() == 0
        assert queued == []

    def test_the_dispatcher_goes_on_when_the_broker_is_down(
        self, couple, alice, bob, quiet_free, monkeypatch, django_capture_on_commit_callbacks
    ):
        Preference.objects.create(user=bob, email=True)

        def broker_down(*args, **kwargs):
            raise ConnectionError("redis is restarting")

        monkeypatch.setattr("reminders.tasks.send_deliveries.delay", broker_down)
        with time_machine.travel(utc(2026, 3, 2, 15), tick=False):
            CheckInFactory(couple=couple, user=alice)
            with django_capture_on_commit_callbacks(execute=True) as callbacks:
                result = dispatch_tick()

        assert len(callbacks) == 1
        assert result.outcomes["sent"] == 1
        assert Delivery.objects.get(user=bob).email_state == "queued"  # recovery's to send

    def test_queries_do_not_grow_with_finished_deliveries(self, owed, queued, django_assert_num_queries):
        Delivery.objects.filter(pk=owed.pk).update(email_state="sent", push_state="sent")
        with time_machine.travel(utc(2026, 3, 3), tick=False), django_assert_num_queries(1):
            assert requeue_stalled() == 0


class TestApi:
    def test_list_and_read(self, as_bob, as_mallory, bob, couple, alice, quiet_free, mallory_couple):
        with time_machine.travel(utc(2026, 3, 2, 15), tick=False):
            CheckInFactory(couple=couple, user=alice)
            dispatch_tick()
        body = as_bob.get("/api/v1/notifications/").json()
        assert body["count"] == 1 and body["unread_count"] == 1
        item = body["results"][0]
        assert set(item) == {"id", "kind", "title", "url", "created_at", "read_at"}

        assert as_mallory.post(f"/api/v1/notifications/{item['id']}/read/").status_code == 404
        read = as_bob.post(f"/api/v1/notifications/{item['id']}/read/")
        assert read.status_code == 200 and read.json()["read_at"]
        assert as_bob.get("/api/v1/notifications/").json()["unread_count"] == 0
        assert as_mallory.get("/api/v1/notifications/").json()["count"] == 0

    def test_preferences(self, as_alice):
        body = as_alice.get("/api/v1/me/notification-preferences/").json()
        assert body["email"] is False and body["push"] is True and body["daily_cap"] == 6
        assert body["kinds"]["checkin_open"] is True

        changed = as_alice.patch(
            "/api/v1/me/notification-preferences/",
            {"email": True, "daily_cap": 3, "kinds": {"checkin_unanswered": False}},
            format="json",
        ).json()
        assert changed["email"] is True and changed["daily_cap"] == 3
        assert changed["kinds"]["checkin_unanswered"] is False and changed["kinds"]["checkin_open"] is True

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"daily_cap": 0}, "daily_cap"),
            ({"daily_cap": 500}, "daily_cap"),
            ({"email": "sometimes"}, "email"),
            ({"kinds": {"surveillance": True}}, "kinds"),
            ({"kinds": {"checkin_open": "yes please"}}, "kinds"),
            ({"kinds": []}, "kinds"),
            ({"lead_minutes": -5}, "lead_minutes"),
        ],
    )
    def test_bad_preferences(self, as_alice, body, field):
        response = as_alice.patch("/api/v1/me/notification-preferences/", body, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert as_alice.get("/api/v1/me/notification-preferences/").json()["daily_cap"] == 6

    def test_push_subscriptions(self, as_alice, as_bob, alice, bob):
        sub = {"endpoint": "https://push.example/xyz", "keys": {"p256dh": "BNc...", "auth": "tBH..."}}
        assert as_alice.post("/api/v1/push/subscriptions/", sub, format="json").status_code == 201
        assert as_alice.post("/api/v1/push/subscriptions/", sub, format="json").status_code == 201
        assert PushSubscription.objects.filter(user=alice).count() == 1
        # The same browser, now bob's: it is no longer alice's.
        as_bob.post("/api/v1/push/subscriptions/", sub, format="json")
        assert list(PushSubscription.objects.values_list("user_id", flat=True)) == [bob.pk]
        assert (
            as_alice.delete("/api/v1/push/subscriptions/", {"endpoint": sub["endpoint"]}, format="json").status_code
            == 204
        )
        assert PushSubscription.objects.count() == 1
        assert (
            as_bob.delete("/api/v1/push/subscriptions/", {"endpoint": sub["endpoint"]}, format="json").status_code
            == 204
        )
        assert not PushSubscription.objects.exists()

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"endpoint": "http://insecure.example/x", "keys": {"p256dh": "a", "auth": "b"}},
            {"endpoint": "https://push.example/x", "keys": {"p256dh": "a"}},
            {"endpoint": "not a url", "keys": {"p256dh": "a", "auth": "b"}},
            {"endpoint": "https://push.example/" + "x" * 2000, "keys": {"p256dh": "a", "auth": "b"}},
        ],
    )
    def test_bad_subscriptions(self, as_alice, body):
        assert as_alice.post("/api/v1/push/subscriptions/", body, format="json").status_code == 400
        assert not PushSubscription.objects.exists()

    def test_anonymous(self, api):
        assert api.get("/api/v1/notifications/").status_code == 401
        assert api.get("/api/v1/me/notification-preferences/").status_code == 401


class TestFixedWording:
    """A display name is free text its owner controls, and a title reaches a
    lock screen and an inbox: every kind's title, email and push is fixed
    wording, whoever the partner is and whatever they call themselves."""

    PARTNER_MARKER = "PARTNER-NAME-MARKER-9c1"
    OWN_MARKER = "OWN-NAME-MARKER-4e7"

    def test_no_display_name_in_any_title_email_or_push_of_any_kind(
        self, couple, alice, bob, quiet_free, settings, monkeypatch, as_bob
    ):
        import dataclasses

        from reminders.kinds import KINDS

        alice.display_name = self.PARTNER_MARKER
        alice.save()
        bob.display_name = self.OWN_MARKER
        bob.save()
        settings.STEADY_VAPID_PRIVATE_KEY = "test-key"
        Preference.objects.create(user=bob, email=True, push=True, daily_cap=50, kinds={k: True for k in KINDS})
        PushSubscription.objects.create(user=bob, endpoint="https://push.example/abc", p256dh="p", auth="a")
        pushes = []
        monkeypatch.setattr("pywebpush.webpush", lambda **kwargs: pushes.append(kwargs))
        # Every registered kind, each made due: what it says is what is tested,
        # not when it fires (each app's own tests drive the real flows).
        for key, kind in list(KINDS.items()):
            monkeypatch.setitem(
                KINDS,
                key,
                dataclasses.replace(
                    kind,
                    load=lambda ids: {i: object() for i in ids},
                    still_due=lambda r, target, now: True,
                    url=lambda target: "/",
                    next_due=None,
                ),
            )
        now = utc(2026, 3, 2, 15)
        for i, key in enumerate(KINDS):
            Reminder.objects.create(user=bob, kind=key, target_id=i + 1, due_at=now, fire_at=now)

        with time_machine.travel(now, tick=False):
            dispatch_tick()
        deliveries = list(Delivery.objects.filter(user=bob, outcome="sent"))
        for delivery in deliveries:
            assert sending.send(delivery.pk, "email") == "sent"
            assert sending.send(delivery.pk, "push") == "sent"

        assert sorted(d.kind for d in deliveries) == sorted(KINDS) and len(KINDS) >= 11
        assert len(mail.outbox) == len(pushes) == len(KINDS)
        sent = [m.subject + "\n" + m.body for m in mail.outbox] + [p["data"] for p in pushes]
        sent += list(Notification.objects.filter(user=bob).values_list("title", flat=True))
        sent.append(as_bob.get("/api/v1/notifications/").content.decode())
        # The page's list (the sign-in message around it greets Bob by name).
        page = web_login(bob).get("/notifications/").content.decode()
        listed = page.split('data-testid="notifications"', 1)[1].split("</ul>", 1)[0]
        assert listed.count("notification-title") == len(KINDS)
        sent.append(listed)
        assert [t for t in sent if self.PARTNER_MARKER in t] == []
        assert [t for t in sent if self.OWN_MARKER in t] == []

    def test_a_kind_cannot_be_registered_with_a_placeholder(self):
        from reminders.kinds import Kind, register

        with pytest.raises(ValueError, match="fixed wording"):
            register(
                Kind(
                    key="test_placeholder",
                    title="{partner} did something",
                    label="x",
                    load=lambda ids: {},
                    still_due=lambda r, t, now: False,
                    url=lambda t: "/",
                )
            )
