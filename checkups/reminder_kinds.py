"""The check-up's reminder kind: a round is open (on the cadence, or
because the therapist asked for one now). Fixed wording: no score, no name,
nothing about the partner."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from reminders.kinds import Kind, register

from .services import DUE_KIND


def _load_rounds(ids: list[int]) -> dict[int, Any]:
    from .models import Round

    return {
        r.pk: r
        for r in Round.objects.filter(pk__in=ids)
        .select_related("couple")
        .prefetch_related("answers")
        .only("id", "opens_at", "revealed_at", "closed_at", "couple__id", "couple__ended_at")
    }


def _still_due(reminder, round_, now: dt.datetime) -> bool:
    # Open, for the time it opens now (a round moved by a therapist has a
    # reminder of its own), and this person has not sent theirs yet.
    return (
        round_ is not None
        and round_.couple.ended_at is None
        and round_.revealed_at is None
        and round_.closed_at is None
        and reminder.due_at == round_.opens_at
        and not any(a.author_id == reminder.user_id and a.submitted_at for a in round_.answers.all())
    )


register(
    Kind(
        key=DUE_KIND,
        title=gettext_noop("It's time for your relationship check-up"),
        label=_("When a relationship check-up round opens"),
        load=_load_rounds,
        still_due=_still_due,
        url=lambda _round: "/checkups/",
        # Held by quiet hours overnight, it still goes in the morning.
        grace=dt.timedelta(hours=14),
    )
)
