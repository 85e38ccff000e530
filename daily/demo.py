"""Demo daily questions for ``manage.py seed_demo``: the last few days, both
answered and revealed, and today's asked. Idempotent: a couple that has
questions is left alone."""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from backend.localtime import local_date
from couples.models import Couple

from . import library
from .models import DailyAnswer, DailyQuestion
from .services import daily_question_for

# (days ago, question index, alice's answer, bob's answer)
HISTORY = [
    (
        3,
        64,
        "Our first walk along the canal, when it started to rain and we just kept going.",
        "The canal walk. You laughed at my soaked shoes for a week.",
    ),
    (
        2,
        0,
        "You made coffee before my early meeting without me asking.",
        "You sorted out the bills on Sunday so I didn't have to think about them.",
    ),
    (1, 204, "A boat called 'Second Breakfast'.", "'Steady As She Goes', obviously."),
]


def demo_seed(*, couple: Couple, alice: User, bob: User) -> None:
    if DailyQuestion.objects.filter(couple=couple).exists():
        return
    now = timezone.now()
    today = local_date(instant=now, tz=couple.timezone)
    questions = library.questions()
    for days, index, from_alice, from_bob in HISTORY:
        q = questions[index]
        at = now - dt.timedelta(days=days)
        # History made directly: these were revealed in the past.
        question = DailyQuestion.objects.create(
            couple=couple,
            date=today - dt.timedelta(days=days),
            question_index=q.index,
            theme=q.theme,
            text=q.text,
            created_at=at,
            revealed_at=at + dt.timedelta(hours=2),
        )
        DailyAnswer.objects.bulk_create(
            [
                DailyAnswer(question=question, author=alice, text=from_alice, created_at=at, updated_at=at),
                DailyAnswer(question=question, author=bob, text=from_bob, created_at=at, updated_at=at),
            ]
        )
    daily_question_for(couple=couple, now=now)
