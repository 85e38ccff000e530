"""The one notice a person leaving a couple may send (issue #23): "Your
couple on Steady has ended". Fixed wording, no name, no reason, and it
arrives the next morning in the stayer's timezone, so that its arrival says
the day, never the time of day the couple ended. Registered here, at the
top, because it is about the couple (couples) and is a notification
(reminders); it is scheduled by ``home/couple_closed.py``."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from reminders.kinds import Kind, register

COUPLE_ENDED_KIND = "couple_ended"

# The notice's wall-clock time on the day after the leave, in the stayer's
# timezone (after the default quiet hours).
NOTICE_AT = dt.time(9, 0)


def _load_couples(ids: list[int]) -> dict[int, Any]:
    from couples.models import Couple

    return {c.pk: c for c in Couple.objects.filter(pk__in=ids).only("id", "ended_at")}


register(
    Kind(
        key=COUPLE_ENDED_KIND,
        # Stored in each notification as written (English), shown through gettext().
        title=gettext_noop("Your couple on Steady has ended"),
        label=gettext_lazy("When a partner who leaves chooses to tell you"),
        load=_load_couples,
        still_due=lambda _reminder, couple, _now: couple is not None and couple.ended_at is not None,
        url=lambda _couple: "/couple/ended/",
        grace=dt.timedelta(hours=12),
    )
)
