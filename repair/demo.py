"""Demo history for ``manage.py seed_demo``: time-out rules both accepted,
each with their own "during" text, and one past time-out Bob came back
from on time. Idempotent: a couple with any rules is left alone."""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from couples.models import Couple
from space.models import Kind, SpacePeriod, Status

from .models import TimeoutDuring, TimeoutRules, TimeoutRulesVersion


def demo_seed(*, couple: Couple, alice: User, bob: User) -> None:
    if TimeoutRules.objects.filter(couple=couple).exists():
        return
    now = timezone.now()
    agreed = now - dt.timedelta(days=20)
    # History only, made directly: past rows need no reminders.
    rules = TimeoutRules.objects.create(
        couple=couple,
        status=TimeoutRules.Status.ACTIVE,
        version=1,
        active_version=1,
        active_since=agreed,
        created_by=alice,
        created_at=agreed - dt.timedelta(days=1),
        updated_at=agreed,
    )
    version = TimeoutRulesVersion.objects.create(
        rules=rules,
        number=1,
        signal="I need a pause",
        min_minutes=20,
        max_minutes=120,
        proposed_by=alice,
        proposed_at=agreed - dt.timedelta(days=1),
        accepted_by=bob,
        accepted_at=agreed,
    )
    TimeoutDuring.objects.bulk_create(
        [
            TimeoutDuring(version=version, author=alice, text="I'll sit on the balcony and breathe slowly."),
            TimeoutDuring(version=version, author=bob, text="A walk round the park, no phone."),
        ]
    )
    start = now - dt.timedelta(days=6, hours=3)
    promised = start + dt.timedelta(minutes=45)
    back = start + dt.timedelta(minutes=40)
    SpacePeriod.objects.create(
        couple=couple,
        author=bob,
        kind=Kind.TIMEOUT,
        started_at=start,
        first_reconnect_by=promised,
        reconnect_by=promised,
        latest_reconnect_by=start + dt.timedelta(minutes=120),
        status=Status.KEPT,
        reconnected_at=back,
        closed_at=back,
    )
