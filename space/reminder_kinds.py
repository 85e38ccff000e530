"""Taking space's reminder kinds. Titles are fixed wording: never the
note, the time or the partner's name (a lock screen is not the place for
any of them)."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from reminders.kinds import Kind, register

from .services import BACK_KIND, REMIND_BEFORE, SOON_KIND, STARTED_KIND, TIMEOUT_RETURN_KIND


def _load_periods(ids: list[int]) -> dict[int, Any]:
    from .models import SpacePeriod

    return {
        p.pk: p
        for p in SpacePeriod.objects.filter(pk__in=ids)
        .select_related("couple")
        .only("id", "author_id", "kind", "reconnect_by", "status", "couple__id", "couple__ended_at")
    }


def _live(period) -> bool:
    return period is not None and period.couple.ended_at is None


def _soon_still_due(reminder, period, now: dt.datetime) -> bool:
    # Still open, the time not yet come, and this reminder is for the time
    # as it stands (an extension made a new one for the new time).
    return (
        _live(period)
        and period.status == "open"
        and now < period.reconnect_by
        and reminder.due_at == period.reconnect_by - REMIND_BEFORE
        and reminder.user_id == period.author_id
    )


register(
    Kind(
        key=SOON_KIND,
        title=_("Your time to reconnect is coming up"),
        label=_("Ten minutes before I said I'd reconnect"),
        load=_load_periods,
        still_due=_soon_still_due,
        url=lambda _period: "/space/",
        grace=REMIND_BEFORE,
    )
)


def _return_still_due(reminder, period, now: dt.datetime) -> bool:
    # A time-out still open, and this reminder is for its time as it stands.
    return (
        _live(period)
        and period.status == "open"
        and period.kind == "timeout"
        and reminder.due_at == period.reconnect_by
        and reminder.user_id == period.author_id
    )


register(
    Kind(
        key=TIMEOUT_RETURN_KIND,
        title=_("Your time-out is up: it's the time you gave to come back"),
        label=_("At the return time of my time-out"),
        load=_load_periods,
        still_due=_return_still_due,
        url=lambda period: f"/timeout/{period.pk}/",
        # Held by quiet hours for longer than this, it is not sent: by then
        # the page already says it is time.
        grace=dt.timedelta(hours=1),
    )
)

register(
    Kind(
        key=STARTED_KIND,
        title=_("Your partner is taking some space, with a time to reconnect"),
        label=_("When my partner takes some space"),
        load=_load_periods,
        still_due=lambda r, p, now: (
            _live(p) and p.status == "open" and now < p.reconnect_by and r.user_id != p.author_id
        ),
        url=lambda _period: "/space/",
        grace=dt.timedelta(minutes=30),
    )
)

register(
    Kind(
        key=BACK_KIND,
        title=_("Your partner is ready to reconnect"),
        label=_("When my partner is back from taking space"),
        load=_load_periods,
        still_due=lambda r, p, now: _live(p) and p.status in ("kept", "late") and r.user_id != p.author_id,
        url=lambda _period: "/space/",
        grace=dt.timedelta(hours=2),
    )
)
