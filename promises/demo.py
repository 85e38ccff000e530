"""Demo history for the ledger: it has no rows of its own, so this adds to
the sources a second month of coming back together (an Alice time-out five
weeks ago and the repair after it, so the trend has two points) and a
commitment Alice moved before it was due and then kept by the new time.
Runs after ``repair.demo``."""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from couples.models import Couple
from repair.models import Commitment, Repair
from space.models import Kind, SpacePeriod, Status


def demo_seed(*, couple: Couple, alice: User, bob: User) -> None:
    if Commitment.objects.filter(repair__couple=couple, renegotiated_at__isnull=False).exists():
        return  # idempotent: seed_demo runs again safely
    now = timezone.now()
    start = now - dt.timedelta(days=36, hours=2)
    back = start + dt.timedelta(minutes=30)
    period = SpacePeriod.objects.create(
        couple=couple,
        author=alice,
        kind=Kind.TIMEOUT,
        started_at=start,
        first_reconnect_by=back,
        reconnect_by=back,
        latest_reconnect_by=start + dt.timedelta(minutes=120),
        status=Status.KEPT,
        reconnected_at=back,
        closed_at=back,
    )
    done = back + dt.timedelta(minutes=55)
    repair = Repair.objects.create(
        couple=couple,
        started_by=alice,
        timeout=period,
        status=Repair.Status.COMPLETED,
        created_at=back,
        expires_at=back + dt.timedelta(days=7),
        closed_at=done,
    )
    first_due = done + dt.timedelta(days=2)
    Commitment.objects.create(
        repair=repair,
        author=alice,
        text="I'll tell you when I need a minute, instead of walking off.",
        first_due_at=first_due,
        due_at=first_due + dt.timedelta(days=2),
        renegotiated_at=first_due - dt.timedelta(hours=6),
        status=Commitment.Status.KEPT,
        created_at=done,
        kept_at=first_due + dt.timedelta(days=1),
    )
