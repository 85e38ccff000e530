"""The leaver's notice (couples.closing.notice_sender): one content-free
notification for each person who stays, the next morning in their own
timezone, through the reminders engine (quiet hours, their channels)."""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from backend.localtime import local_date, local_to_utc
from couples import closing
from reminders.models import Reminder
from reminders.services import reminders_schedule_many

from .reminder_kinds import COUPLE_ENDED_KIND, NOTICE_AT


def notice_due(*, tz: str, now: dt.datetime) -> dt.datetime:
    """The next day's NOTICE_AT in ``tz``: the day, not the time of day."""
    tomorrow = local_date(instant=now, tz=tz) + dt.timedelta(days=1)
    return local_to_utc(day=tomorrow, time=NOTICE_AT, tz=tz)


@closing.notice_sender
def couple_ended_notice(*, couple_id: int, user_ids: list[int]) -> None:
    now = timezone.now()
    reminders_schedule_many(
        Reminder(user_id=pk, kind=COUPLE_ENDED_KIND, target_id=couple_id, due_at=notice_due(tz=tz, now=now))
        for pk, tz in User.objects.filter(pk__in=user_ids).values_list("pk", "timezone")
    )
