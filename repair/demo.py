"""Demo history for ``manage.py seed_demo``: time-out rules both accepted,
each with their own "during" text, and one past time-out Bob came back
from on time, followed by a repair conversation both finished. Idempotent: a couple with any rules is left alone."""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from couples.models import Couple
from space.models import Kind, SpacePeriod, Status

from .models import Commitment, Repair, RepairAnswer, RepairReveal, TimeoutDuring, TimeoutRules, TimeoutRulesVersion


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
    period = SpacePeriod.objects.create(
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
    _demo_repair(couple=couple, alice=alice, bob=bob, period=period, start=back + dt.timedelta(minutes=30))


DEMO_ANSWERS = {
    "felt": ("Hurt, and then scared when you went quiet.", "Cornered. Everything felt like a test I was failing."),
    "needed": ("To hear that you were coming back.", "A minute to finish my sentence before we moved on."),
    "set_off": ("Old stuff: being left to wonder.", "A long day, and feeling blamed before I'd spoken."),
    "own": ("I raised my voice and kept pushing.", "I shut down instead of saying I needed a break."),
    "commitment": ("I'll ask for a pause before I push.", "I'll say our signal instead of going silent."),
}


def _demo_repair(*, couple: Couple, alice: User, bob: User, period: SpacePeriod, start: dt.datetime) -> None:
    """History only: a completed repair with every step revealed and both
    commitments, one kept."""
    finished = start + dt.timedelta(minutes=40)
    repair = Repair.objects.create(
        couple=couple,
        started_by=bob,
        timeout=period,
        status=Repair.Status.COMPLETED,
        created_at=start,
        expires_at=start + dt.timedelta(days=7),
        closed_at=finished,
    )
    for i, (step, (mine, theirs)) in enumerate(DEMO_ANSWERS.items()):
        at = start + dt.timedelta(minutes=8 * (i + 1))
        due = start + dt.timedelta(days=3) if step == "commitment" else None
        for author, text in ((alice, mine), (bob, theirs)):
            RepairAnswer.objects.create(
                repair=repair, author=author, step=step, text=text, due_at=due, submitted_at=at, updated_at=at
            )
        RepairReveal.objects.create(repair=repair, step=step, revealed_at=at)
    due = start + dt.timedelta(days=3)
    Commitment.objects.create(
        repair=repair,
        author=alice,
        text=DEMO_ANSWERS["commitment"][0],
        due_at=due,
        status=Commitment.Status.KEPT,
        created_at=finished,
        kept_at=due - dt.timedelta(hours=5),
    )
    Commitment.objects.create(
        repair=repair,
        author=bob,
        text=DEMO_ANSWERS["commitment"][1],
        due_at=due,
        status=Commitment.Status.KEPT,
        created_at=finished,
        kept_at=due - dt.timedelta(hours=2),
    )
