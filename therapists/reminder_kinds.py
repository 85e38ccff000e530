"""Therapist access's reminder kind: the other partner is told that a
request to share with a therapist waits for them. Fixed wording, without
the partner's name; nothing about what was asked."""

import datetime as dt
from typing import Any

from reminders.kinds import Kind, register

from .services import REQUESTED_KIND


def _load_grants(ids: list[int]) -> dict[int, Any]:
    from .models import Grant

    return {
        g.pk: g
        for g in Grant.objects.filter(pk__in=ids)
        .select_related("couple")
        .only("id", "requested_by_id", "approved_at", "ended_at", "expires_at", "couple__id", "couple__ended_at")
    }


def _still_due(reminder, grant, now: dt.datetime) -> bool:
    return (
        grant is not None
        and grant.couple.ended_at is None
        and grant.approved_at is None
        and grant.ended_at is None
        and grant.expires_at > now
        and grant.requested_by_id != reminder.user_id
    )


register(
    Kind(
        key=REQUESTED_KIND,
        title="Your partner would like to share a summary with a therapist",
        label="When my partner asks to share with a therapist",
        load=_load_grants,
        still_due=_still_due,
        url=lambda grant: "/couple/therapists/",
        grace=dt.timedelta(days=2),
    )
)
