"""Reads of the daily question, scoped to who asks. What a path may show of
the answers is one function, ``answers_for``: the partner's answer only
once the question was revealed."""

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.models import User
from couples.selectors import couple_ids_of_member

from .models import DailyAnswer, DailyPreference, DailyQuestion


def access_daily_question(*, user: User, question_id: int, lock: bool = False) -> DailyQuestion:
    """One of the caller's current couple's questions (404 to anyone else),
    locked with the same query when writing."""
    rows = DailyQuestion.objects.filter(pk=question_id, couple__in=couple_ids_of_member(user=user))
    if lock:
        rows = rows.select_for_update()
    question = rows.first()
    if question is None:
        raise Http404("No such question.")
    return question


def with_answers(queryset: QuerySet[DailyQuestion]) -> QuerySet[DailyQuestion]:
    return queryset.prefetch_related(
        Prefetch("answers", queryset=DailyAnswer.objects.only("id", "question_id", "author_id", "text"))
    )


def answers_for(*, question: DailyQuestion, user: User) -> tuple[str | None, str | None]:
    """(mine, partner's) as ``user`` may see them: the partner's answer is
    None until the reveal, on every path (API, pages, export)."""
    mine = partner = None
    for answer in question.answers.all():
        if answer.author_id == user.pk:
            mine = answer.text
        elif question.revealed_at is not None:
            partner = answer.text
    return mine, partner


def history_for_member(*, user: User, before: dt.date) -> QuerySet[DailyQuestion]:
    """The couple's questions before ``before`` (their local today), newest
    first, with the answers the caller may see."""
    return with_answers(
        DailyQuestion.objects.filter(couple__in=couple_ids_of_member(user=user), date__lt=before).order_by("-date")
    )


def skip_themes_of(*, user: User) -> list[str]:
    return DailyPreference.objects.filter(user=user).values_list("skip_themes", flat=True).first() or []


def daily_export(*, user: User) -> dict:
    """The person's part of the daily question for their export: their own
    answers (revealed or not), the partner's answers revealed to them in
    every couple they were in, and their preferences."""
    from couples.models import Membership

    couple_ids = Membership.objects.filter(user=user).values("couple_id")
    mine = DailyAnswer.objects.filter(author=user).select_related("question").order_by("question__date")
    theirs = (
        DailyAnswer.objects.filter(question__couple_id__in=couple_ids, question__revealed_at__isnull=False)
        .exclude(author=user)
        .select_related("question")
        .order_by("question__date")
    )
    prefs = DailyPreference.objects.filter(user=user).first()

    def row(answer: DailyAnswer, *, own: bool) -> dict:
        q = answer.question
        out = {"date": q.date.isoformat(), "theme": q.theme, "question": q.text, "text": answer.text}
        if own:
            out |= {
                "answered_at": answer.created_at.isoformat(),
                "changed_at": answer.updated_at.isoformat(),
                "revealed_at": q.revealed_at.isoformat() if q.revealed_at else None,
            }
        return out

    return {
        "my_answers": [row(a, own=True) for a in mine],
        "partner_answers_revealed_to_me": [row(a, own=False) for a in theirs],
        "preferences": {
            "skip_themes": prefs.skip_themes if prefs else [],
            "reminder_time": prefs.reminder_time.strftime("%H:%M") if prefs and prefs.reminder_time else None,
        },
    }
