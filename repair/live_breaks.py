"""A break in a live check-in is a time-out (issue #18, section 2): the
policy that ``checkins.breaks`` asks, registered here (found by
``CheckinsConfig.ready``). See docs/repair.md, "A break in a live check-in".

- Time-out rules in force, nothing open: the break is a new time-out
  (``timeout_take``), ``minutes`` within the rules (default: their minimum).
- Already on a time-out (taken from the home page, say): the break joins
  it. The check-in waits until that time-out's return; no second one is
  made (one open period per person) and ``minutes`` does not move it
  (extending goes through ``space_extend``). Its time already past: 409,
  come back from it first.
- Otherwise (no rules in force, or plain taking space open): a plain break,
  20 to 60 minutes on the session alone; an open taking-space period keeps
  its own time.
"""

import contextlib
import datetime as dt

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from backend.errors import Conflict, Invalid
from checkins import breaks
from couples.models import Couple
from space.models import Kind, SpacePeriod, Status
from space.services import space_reconnect

from .services import timeout_rules_in_force, timeout_take

OVERDUE = _(
    "The time-out you took is still open and its time has passed. Mark that you're back from it first, "
    "then take a new break if you need one."
)


def _open_period(*, couple_id: int, user_id: int) -> SpacePeriod | None:
    return (
        SpacePeriod.objects.filter(couple_id=couple_id, author_id=user_id, status=Status.OPEN)
        .only("id", "kind", "reconnect_by")
        .first()
    )


class TimeoutBreaks:
    def bounds(self, *, couple_id: int, user_id: int) -> breaks.Bounds:
        period = _open_period(couple_id=couple_id, user_id=user_id)
        if period is not None and period.kind != Kind.TIMEOUT:
            return breaks.PLAIN
        terms = timeout_rules_in_force(couple=Couple(pk=couple_id))
        if period is None and terms is None:
            return breaks.PLAIN
        if terms is None:
            # On a time-out taken under rules since retired: the break joins it.
            return breaks.Bounds(breaks.PLAIN_MIN, breaks.PLAIN_MAX, timeout=True)
        return breaks.Bounds(terms.min_minutes, terms.max_minutes, timeout=True)

    def take(self, *, couple_id: int, user, minutes: int | None, now: dt.datetime) -> breaks.Taken | None:
        period = _open_period(couple_id=couple_id, user_id=user.pk)
        if period is not None:
            if period.kind != Kind.TIMEOUT:
                return None
            if period.reconnect_by <= now:
                raise Conflict(OVERDUE)
            return breaks.Taken(until=period.reconnect_by, period_id=period.pk, joined=True)
        couple = Couple(pk=couple_id)
        terms = timeout_rules_in_force(couple=couple)
        if terms is None:
            return None
        minutes = terms.min_minutes if minutes is None else minutes
        if not terms.min_minutes <= minutes <= terms.max_minutes:
            raise Invalid(
                ngettext(
                    "Your time-out rules say %(low)d to %(high)d minute.",
                    "Your time-out rules say %(low)d to %(high)d minutes.",
                    terms.max_minutes,
                )
                % {"low": terms.min_minutes, "high": terms.max_minutes},
                field="minutes",
            )
        taken = timeout_take(
            couple=couple, user=user, reconnect_by=now + dt.timedelta(minutes=minutes), now=now, terms=terms
        )
        return breaks.Taken(until=taken.reconnect_by, period_id=taken.pk)

    def away_until(self, *, period_id: int) -> dt.datetime | None:
        return (
            SpacePeriod.objects.filter(pk=period_id, status=Status.OPEN, kind=Kind.TIMEOUT)
            .values_list("reconnect_by", flat=True)
            .first()
        )

    def come_back(self, *, period_id: int, user, now: dt.datetime) -> None:
        period = (
            SpacePeriod.objects.filter(pk=period_id, author=user, status=Status.OPEN).select_related("couple").first()
        )
        if period is None:
            return
        # Closed a moment ago on another device: they are back either way.
        with contextlib.suppress(Conflict):
            space_reconnect(period=period, user=user, now=now)


breaks.register(TimeoutBreaks())
