"""Recovering sends whose message never reached a worker, or whose worker
died mid-send.

A delivery is decided once (the unique constraint) and its email and push
are queued as Celery messages after commit. A message can still be lost:
Redis restarted without persistence, the broker was down when the
dispatcher enqueued, or a worker was killed with the message unacknowledged
(Redis would only redeliver it after its one-hour visibility timeout). The
database knows better than the broker what is still owed, so every minute
this re-queues each channel that has sat ``queued`` or ``sending`` for
longer than the lease. Sending claims the channel with a conditional update
(``delivery._claim``), so a re-queued message whose original turns up after
all is a no-op: at most one email and one push per delivery.

Cost follows the sends in flight, not the table: the partial index
``delivery_in_flight_idx`` holds only queued and sending rows.
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from .delivery import lease
from .models import Delivery
from .sending import send_one

IN_FLIGHT = (Delivery.Channel.QUEUED, Delivery.Channel.SENDING)
# The same predicate as the partial index, so the planner can use it.
IN_FLIGHT_Q = Q(email_state__in=IN_FLIGHT) | Q(push_state__in=IN_FLIGHT)


def stalled(*, now: dt.datetime, limit: int = 1000) -> list[tuple[int, str]]:
    """(delivery id, channel) pairs that are owed and untouched for longer
    than the lease. One query."""
    cutoff = now - lease()
    rows = (
        Delivery.objects.filter(IN_FLIGHT_Q)
        .filter(decided_at__lt=cutoff)
        .order_by("decided_at", "id")
        .values_list("id", "decided_at", "email_state", "email_claimed_at", "push_state", "push_claimed_at")[:limit]
    )
    owed = []
    for pk, decided_at, *channels in rows:
        for channel, (state, claimed_at) in zip(("email", "push"), (channels[0:2], channels[2:4]), strict=True):
            # A queued channel's clock is its last attempt (a retry waiting
            # for its backoff) or, never tried, the decision itself.
            touched = claimed_at or decided_at
            if state in IN_FLIGHT and touched < cutoff:
                owed.append((pk, channel))
    return owed


def requeue_stalled(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Queues one ``send_one`` per stalled channel and returns how many.

    Each re-queued channel goes back to ``queued`` with its clock set to now,
    so a worker that is down for an hour gets one message per channel, not
    one per minute; the conditional update skips a channel that a live
    worker claimed in the meantime."""
    now = now or timezone.now()
    cutoff = now - lease()
    owed = stalled(now=now, limit=limit)
    for channel in ("email", "push"):
        ids = [pk for pk, c in owed if c == channel]
        if not ids:
            continue
        state, claimed = f"{channel}_state", f"{channel}_claimed_at"
        Delivery.objects.filter(pk__in=ids, **{f"{state}__in": IN_FLIGHT}).filter(
            Q(**{f"{claimed}__lt": cutoff}) | Q(**{f"{claimed}__isnull": True})
        ).update(**{state: Delivery.Channel.QUEUED, claimed: now})
    for delivery_id, channel in owed:
        send_one.delay(delivery_id, channel)
    return len(owed)
