"""Demo history for ``manage.py seed_demo``: a few times each of them took
space, mostly kept, one moved later in advance, one late and one never
marked. Idempotent: a couple with any space periods is left alone."""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from couples.models import Couple

from .models import Extension, SpacePeriod, Status

# (days ago, alice?, minutes promised, minutes extended by, back after minutes or None, note)
HISTORY = [
    (30, False, 60, 0, 45, "Need to cool down after that call. I'll be back, love you."),
    (23, True, 30, 0, 28, ""),
    (16, False, 60, 30, 80, "A walk to clear my head."),
    (10, True, 120, 0, 135, "Quiet time with a book, then dinner together?"),
    (4, False, 45, 0, None, ""),
]


def demo_seed(*, couple: Couple, alice: User, bob: User) -> None:
    if SpacePeriod.objects.filter(couple=couple).exists():
        return
    now = timezone.now()
    for days, is_alice, minutes, extra, back, note in HISTORY:
        start = now - dt.timedelta(days=days, hours=5)
        first = start + dt.timedelta(minutes=minutes)
        promised = first + dt.timedelta(minutes=extra)
        if back is None:
            status, reconnected, closed = Status.MISSED, None, promised + dt.timedelta(hours=6)
        else:
            reconnected = start + dt.timedelta(minutes=back)
            status, closed = (Status.KEPT if reconnected <= promised else Status.LATE), reconnected
        # History only, made directly: past periods need no reminders.
        period = SpacePeriod.objects.create(
            couple=couple,
            author=alice if is_alice else bob,
            started_at=start,
            first_reconnect_by=first,
            reconnect_by=promised,
            note=note,
            status=status,
            reconnected_at=reconnected,
            closed_at=closed,
        )
        if extra:
            Extension.objects.create(
                period=period,
                previous_reconnect_by=first,
                new_reconnect_by=promised,
                created_at=first - dt.timedelta(minutes=10),
            )
