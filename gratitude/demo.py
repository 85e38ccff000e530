"""Demo notes for ``manage.py seed_demo``: a few weeks of appreciation both
ways, some acknowledged. Idempotent: a couple that has notes is left alone."""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from couples.models import Couple

from .models import Note

# (days ago, from alice?, text, reaction)
HISTORY = [
    (33, True, "Thank you for making the bed every single morning this week. I noticed.", "heart"),
    (26, False, "I loved our walk by the river on Sunday. Let's do it again.", "smile"),
    (19, True, "You were so patient on the phone with my mum. It meant a lot to me.", "hug"),
    (12, False, "I felt cared for when you brought me tea while I was working late.", ""),
    (6, True, "Something I admire about the way you handled that hard week at work: you stayed kind.", "thanks"),
    (2, False, "You made my day easier when you picked up the groceries without me asking.", None),
]


def demo_seed(*, couple: Couple, alice: User, bob: User) -> None:
    if Note.objects.filter(couple=couple).exists():
        return
    now = timezone.now()
    rows = []
    for days, from_alice, text, reaction in HISTORY:
        at = now - dt.timedelta(days=days, hours=2)
        author, recipient = (alice, bob) if from_alice else (bob, alice)
        rows.append(
            Note(
                couple=couple,
                author=author,
                recipient=recipient,
                text=text,
                created_at=at,
                deliver_at=at,
                # None: not acknowledged; "": acknowledged without a reaction.
                acknowledged_at=None if reaction is None else at + dt.timedelta(hours=3),
                reaction=reaction or "",
            )
        )
    # History only, made directly: past notes need no delivery reminders.
    Note.objects.bulk_create(rows)
