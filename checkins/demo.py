"""Demo history for check-ins: an agreed schedule and four weeks of daily
pulses answered by both, so the history and mood chart have something to
show. Idempotent."""

import datetime as dt
import random

from django.utils import timezone

from . import services
from .models import Answer, CheckIn, Format, Schedule

APPRECIATED = ["The coffee in bed", "You listened to me vent", "The walk after dinner", "You called my mum back"]
NEEDS = ["An early night", "A hug when I get home", "Ten quiet minutes", "Nothing, I'm good"]


def demo_seed(*, couple, alice, bob) -> None:
    fmt = Format.objects.get(key="daily-pulse", couple__isnull=True)
    if not Schedule.objects.filter(couple=couple).exists():
        schedule = services.schedule_propose(
            couple=couple,
            user=alice,
            format=fmt,
            weekdays=[0, 2, 4],
            time=dt.time(20, 30),
            timezone_name=couple.timezone,
        )
        services.schedule_accept(schedule=schedule, user=bob)
    if CheckIn.objects.filter(couple=couple, revealed_at__isnull=False).exists():
        return
    rnd = random.Random(couple.pk)
    now = timezone.now()
    for days_ago in range(28, 0, -2):
        at = (now - dt.timedelta(days=days_ago)).replace(hour=19, minute=30, second=0, microsecond=0)
        checkin = CheckIn.objects.create(
            couple=couple,
            format=fmt,
            steps=fmt.steps,
            scheduled_for=at,
            closes_at=at + dt.timedelta(hours=48),
            revealed_at=at + dt.timedelta(minutes=40),
            created_at=at,
        )
        for person in (alice, bob):
            mood = max(1, min(5, 3 + rnd.choice([-1, 0, 0, 1, 1])))
            Answer.objects.create(
                checkin=checkin,
                author=person,
                values={"mood": mood, "appreciated": rnd.choice(APPRECIATED), "need": rnd.choice(NEEDS)},
                mood=mood,
                submitted_at=at + dt.timedelta(minutes=20),
                updated_at=at + dt.timedelta(minutes=20),
            )
