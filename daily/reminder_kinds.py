"""The daily question's reminder: opt-in (off unless the person turns it
on), at a time of their choosing, with fixed, content-free wording: never
the question, never an answer, never "your partner answered"."""

import datetime as dt
import threading
from typing import Any

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.localtime import local_date
from reminders.kinds import Kind, register

from .services import REMINDER_KIND, reminder_next_due

# The people the last load() of this thread returned: the dispatcher asks
# next_due() about the same reminders without a target, and reading them
# back keeps a tick at a fixed number of queries (as agreements do).
_recent = threading.local()


def _load(ids: list[int]) -> dict[int, Any]:
    """The people to remind, each with their current couple's timezone (None
    when not paired), their reminder time and the days they answered lately:
    two queries."""
    from accounts.models import User
    from couples.models import Membership

    from .models import DailyAnswer

    current = Membership.objects.current().filter(user=OuterRef("pk"))
    people = {
        u.pk: u
        for u in User.objects.filter(pk__in=ids)
        .annotate(
            couple_tz=Subquery(current.values("couple__timezone")[:1]),
            daily_time=F("daily_prefs__reminder_time"),
        )
        .only("id", "timezone")
    }
    since = (timezone.now() - dt.timedelta(days=3)).date()
    answered: dict[int, set[dt.date]] = {pk: set() for pk in people}
    for author_id, day in DailyAnswer.objects.filter(author_id__in=ids, question__date__gte=since).values_list(
        "author_id", "question__date"
    ):
        answered[author_id].add(day)
    for pk, person in people.items():
        person.daily_answered = answered[pk]
    _recent.targets = people
    return people


def _still_due(reminder, person, now: dt.datetime) -> bool:
    # Not paired any more (the couple ended), or already answered today's
    # question: nothing to remind of, and nothing is said.
    if person is None or person.couple_tz is None or person.daily_time is None:
        return False
    return local_date(instant=now, tz=person.couple_tz) not in person.daily_answered


def _next_due(reminder, person, now: dt.datetime) -> dt.datetime | None:
    if person is None:
        person = getattr(_recent, "targets", {}).get(reminder.target_id)
        if person is None:
            person = _load([reminder.target_id]).get(reminder.target_id)
    if person is None or person.daily_time is None:
        return None  # switched off or gone: the series ends
    # While unpaired the series goes on (each day decided stale, silently),
    # so pairing again needs nothing switched back on.
    return reminder_next_due(time=person.daily_time, tz=person.timezone, after=max(now, reminder.due_at))


register(
    Kind(
        key=REMINDER_KIND,
        title=_("Today's question is here, whenever you like"),
        label=_("A daily reminder of the day's question (only if I haven't answered yet)"),
        load=_load,
        still_due=_still_due,
        url=lambda _person: "/daily/",
        grace=dt.timedelta(hours=3),
        opt_in=True,
        next_due=_next_due,
        extra={"preference_hint": "The time is set on the daily question's themes page."},
    )
)
