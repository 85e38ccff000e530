"""The ritual's reminder: opt-in (off unless the person turns it on), once
per occurrence, at the ritual's time, with fixed, content-free wording:
never a message, never a phrase, never "your partner wrote" and never
"your partner needs reassurance"."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from reminders.kinds import Kind, register

from .services import OPEN_FOR, REMINDER_KIND


def _load(ids: list[int]) -> dict[int, Any]:
    from .models import Occurrence

    return {
        o.pk: o
        for o in Occurrence.objects.filter(pk__in=ids)
        .select_related("couple")
        .prefetch_related("messages")
        .only("id", "at", "closes_at", "revealed_at", "closed_at", "couple__id", "couple__ended_at")
    }


def _still_due(reminder, occurrence, now: dt.datetime) -> bool:
    # Still open, and this person has not written theirs yet; otherwise it
    # is dropped without a word.
    return (
        occurrence is not None
        and occurrence.couple.ended_at is None
        and occurrence.revealed_at is None
        and occurrence.closed_at is None
        and now < occurrence.closes_at
        and not any(m.author_id == reminder.user_id for m in occurrence.messages.all())
    )


register(
    Kind(
        key=REMINDER_KIND,
        title=_("It's your reassurance time"),
        label=_("At our reassurance ritual's time (only if I haven't written yet)"),
        load=_load,
        still_due=_still_due,
        url=lambda occurrence: f"/reassurance/{occurrence.pk}/" if occurrence else "/reassurance/",
        grace=OPEN_FOR,
        opt_in=True,
    )
)
