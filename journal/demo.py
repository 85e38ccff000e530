"""Demo journal for ``seed_demo``: a few weeks of Alice's journal and
trigger logs (some with the breathing exercise done), and one entry she
shared with Bob. Bob's journal stays empty. Idempotent: nothing is added
once Alice has entries."""

import datetime as dt

from django.utils import timezone

from . import services
from .models import Entry, Kind

# (days ago, hour, category, before, after, what happened, story, need, can do)
TRIGGERS = [
    (
        75,
        21,
        "no_reply",
        7,
        4,
        "Sent a message at lunch, no answer by the evening.",
        "I'm too much for him.",
        "To know we're okay.",
        "Make tea, read a chapter.",
    ),
    (
        61,
        19,
        "plans_changed",
        6,
        3,
        "Dinner moved to next week.",
        "He'd rather be elsewhere.",
        "A new date in the calendar.",
        "Ask for one.",
    ),
    (
        47,
        22,
        "partner_needs_space",
        8,
        5,
        "He said he needed the evening to himself.",
        "He's pulling away.",
        "Reassurance.",
        "Trust the time he gave: back by 10.",
    ),
    (
        33,
        20,
        "no_reply",
        6,
        3,
        "Phone off during his football match.",
        "He forgot about me.",
        "Patience.",
        "A walk around the block.",
    ),
    (
        19,
        18,
        "partner_time_with_others",
        5,
        3,
        "Drinks with his colleagues ran late.",
        "They're more fun than me.",
        "To feel chosen.",
        "Plan our Saturday.",
    ),
    (
        8,
        21,
        "conflict",
        7,
        None,
        "We argued about the dishes.",
        "This always happens.",
        "To be heard.",
        "Write down what I want to say tomorrow.",
    ),
    (2, 22, "no_reply", 4, 2, "No good-night message.", "Something's wrong.", "Sleep.", "Breathe, then sleep."),
]

ENTRIES = [
    (
        70,
        8,
        3,
        "Slept badly. Reminded myself the check-in is on Sunday, so there's a time to talk about it.",
        ["sleep"],
    ),
    (40, 9, 4, "We had a good weekend. The schedule helps: I know when we'll talk.", ["weekend", "us"]),
    (12, 7, 4, "Noticed I didn't check my phone once during the film. Small win.", ["progress"]),
]


def demo_seed(*, couple, alice, bob) -> None:
    if Entry.objects.filter(author=alice).exists():
        return
    now = timezone.now()
    tz = alice.tzinfo

    def at(days_ago: int, hour: int) -> dt.datetime:
        day = (now.astimezone(tz) - dt.timedelta(days=days_ago)).date()
        return dt.datetime.combine(day, dt.time(hour, 10), tzinfo=tz)

    for days, hour, mood, text, tags in ENTRIES:
        services.entry_create(author=alice, kind=Kind.ENTRY, text=text, mood=mood, tags=tags, now=at(days, hour))
    shared = None
    for days, hour, category, before, after, text, story, need, can_do in TRIGGERS:
        entry = services.entry_create(
            author=alice,
            kind=Kind.TRIGGER,
            text=text,
            trigger_category=category,
            intensity_before=before,
            intensity_after=after,
            story=story,
            need=need,
            can_do=can_do,
            now=at(days, hour),
        )
        if category == "plans_changed":
            shared = entry
    if shared is not None and couple is not None and couple.is_active:
        services.entry_share(entry=shared, author=alice)
