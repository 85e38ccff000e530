"""Reminders against real services: PostgreSQL row locks and a real Celery
worker and beat over Redis."""

import datetime as dt
import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from reminders.dispatch import dispatch_tick
from reminders.models import Delivery, Notification, Preference, Reminder

from .factories import UserFactory


def _due_reminders(n_users: int, per_user: int, *, at: dt.datetime) -> list:
    users = [UserFactory(quiet_hours_start=None, quiet_hours_end=None) for _ in range(n_users)]
    Preference.objects.bulk_create([Preference(user=u, daily_cap=50) for u in users])
    # A kind whose target check is cheap and always true for this test.
    from checkins.models import CheckIn, Format
    from couples.models import Couple

    couple = Couple.objects.create()
    checkin = CheckIn.objects.create(
        couple=couple,
        format=Format.objects.get(key="daily-pulse"),
        steps=[],
        scheduled_for=at,
        closes_at=at + dt.timedelta(hours=48),
    )
    rows = [
        Reminder(user=u, kind="checkin_open", target_id=checkin.pk, due_at=at, fire_at=at, occurrence=f"o{i}")
        for u in users
        for i in range(per_user)
    ]
    Reminder.objects.bulk_create(rows)
    return users


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_dispatchers_in_parallel_send_each_reminder_once():
    now = timezone.now()
    _due_reminders(40, 5, at=now - dt.timedelta(minutes=1))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(dispatch_tick(now=now, batch_size=7))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert not errors
    assert sum(r.claimed for r in results) == 200
    assert all(r.claimed > 0 for r in results), "both dispatchers should have taken work"
    assert Notification.objects.count() == 200
    assert Delivery.objects.count() == 200
    assert Reminder.objects.filter(status="pending").count() == 0


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_and_beat_deliver_a_due_reminder_end_to_end(tmp_path, settings):
    from celery.beat import EmbeddedService
    from celery.contrib.testing.worker import start_worker

    from backend.celery import app

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    users = _due_reminders(1, 1, at=timezone.now() - dt.timedelta(seconds=5))
    Preference.objects.filter(user=users[0]).update(email=True)
    mail.outbox = []

    original = app.conf.beat_schedule
    app.conf.beat_schedule = {"reminders-dispatch": {"task": "reminders.dispatch", "schedule": 1.0}}
    app.control.purge()
    beat = EmbeddedService(app, thread=True, schedule_filename=str(tmp_path / "beat-schedule"))
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
            beat.start()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not mail.outbox:
                time.sleep(0.25)
    finally:
        beat.stop()
        app.conf.beat_schedule = original

    assert Notification.objects.filter(user=users[0]).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Time for your check-in"
    assert Delivery.objects.get().email_state == "sent"
