"""Demo history for ``manage.py seed_demo``: five revealed check-up rounds
two weeks apart (Bob's last total down enough to show a therapist's flag),
and the next round on the cadence. Idempotent: a couple with any round is
left alone. History is written directly (past rounds need no reminders)."""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from couples.models import Couple

from .instruments import instrument_builtin
from .models import Answer, Round
from .services import next_round_at

ALICE = [(3, 4, 3, 3, 4, 2), (4, 4, 3, 4, 4, 3), (4, 5, 2, 4, 5, 3), (5, 5, 2, 4, 5, 4), (5, 5, 2, 5, 5, 4)]
BOB = [(4, 4, 2, 3, 4, 4), (4, 5, 2, 4, 4, 4), (5, 5, 1, 4, 5, 5), (5, 5, 1, 5, 5, 5), (3, 4, 4, 3, 4, 3)]


def demo_seed(*, couple: Couple, alice: User, bob: User) -> None:
    if Round.objects.filter(couple=couple).exists():
        return
    instrument = instrument_builtin()
    keys = instrument.item_keys
    now = timezone.now()
    first = now - dt.timedelta(days=14 * len(ALICE) - 3)
    for i, (a_values, b_values) in enumerate(zip(ALICE, BOB, strict=True)):
        opens = first + dt.timedelta(days=14 * i)
        round_ = Round.objects.create(
            couple=couple,
            instrument=instrument,
            number=i + 1,
            opens_at=opens,
            revealed_at=opens + dt.timedelta(hours=20),
            created_at=opens,
        )
        for who, values, after in ((alice, a_values, 2), (bob, b_values, 20)):
            answers = dict(zip(keys, values, strict=True))
            Answer.objects.create(
                round=round_,
                author=who,
                values=answers,
                score=instrument.score(answers),
                submitted_at=opens + dt.timedelta(hours=after),
                updated_at=opens + dt.timedelta(hours=after),
            )
    Round.objects.create(
        couple=couple,
        instrument=instrument,
        number=len(ALICE) + 1,
        opens_at=next_round_at(opened_at=round_.opens_at, tz=couple.timezone, now=now),
        created_at=now,
    )
