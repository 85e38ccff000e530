"""Demo reassurance for ``manage.py seed_demo``: a ritual both accepted
(Tuesdays and Fridays at 20:30, the couple's zone), a few phrases each, one
past ritual time with both messages revealed, and Alice's own records of
steadying herself. Idempotent: a couple with a ritual is left alone."""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from couples.models import Couple

from . import services
from .models import Message, Occurrence, Ritual, Steadied

PHRASES = {
    "alice": ["I'm not going anywhere.", "I liked today with you.", "We're okay, even when we disagree."],
    "bob": ["Thank you for telling me.", "You don't have to fix it tonight."],
}
STEADIED = [
    (9, "Walked round the block and named five things I could see", "a_lot"),
    (6, "Breathing, four in and six out", "a_little"),
    (3, "Walked round the block and named five things I could see", "a_lot"),
    (1, "Wrote it down instead of texting", "a_lot"),
]


def demo_seed(*, couple: Couple, alice: User, bob: User) -> None:
    if Ritual.objects.filter(couple=couple).exists():
        return
    data = {"weekdays": [1, 4], "time": dt.time(20, 30), "timezone": couple.timezone}
    ritual = services.ritual_propose(user=alice, data=data)
    ritual = services.ritual_accept(ritual_id=ritual.pk, user=bob, version=1)
    for person, texts in ((alice, PHRASES["alice"]), (bob, PHRASES["bob"])):
        for text in texts:
            services.phrase_add(user=person, text=text)
    # A past ritual time, both wrote: history, made directly.
    at = timezone.now() - dt.timedelta(days=3)
    past = Occurrence.objects.create(
        couple=couple, ritual=ritual, at=at, closes_at=at + services.OPEN_FOR, revealed_at=at + dt.timedelta(hours=1)
    )
    Message.objects.bulk_create(
        [
            Message(occurrence=past, author=alice, text="I loved cooking with you on Sunday. We're okay."),
            Message(occurrence=past, author=bob, text="I'm not going anywhere. Thank you for telling me how you felt."),
        ]
    )
    for days, what, helped in STEADIED:
        record = services.steadied_record(user=alice, what=what, helped=helped)
        Steadied.objects.filter(pk=record.pk).update(created_at=timezone.now() - dt.timedelta(days=days))
