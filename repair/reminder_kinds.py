"""The repair conversation's reminder kinds. Titles are fixed wording:
never an answer, a commitment's text or a name. None of them tells either
partner that the other has not answered (nobody is chased)."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from reminders.kinds import Kind, register

from .conversation import COMMITMENT_KIND, REVEALED_KIND, STARTED_KIND


def _load_repairs(ids: list[int]) -> dict[int, Any]:
    from .models import Repair

    return {
        r.pk: r
        for r in Repair.objects.filter(pk__in=ids)
        .select_related("couple")
        .only("id", "status", "expires_at", "couple__id", "couple__ended_at")
    }


def _repair_open(repair, now: dt.datetime) -> bool:
    return repair is not None and repair.couple.ended_at is None and repair.status == "open" and now < repair.expires_at


register(
    Kind(
        key=STARTED_KIND,
        title=_("Your partner would like to talk things through in a repair conversation"),
        label=_("When my partner starts a repair conversation"),
        load=_load_repairs,
        still_due=lambda _r, repair, now: _repair_open(repair, now),
        url=lambda repair: f"/repair/{repair.pk}/",
        grace=dt.timedelta(hours=12),
    )
)

register(
    Kind(
        key=REVEALED_KIND,
        title=_("A step of your repair conversation is ready to read"),
        label=_("When a step of a repair conversation is revealed"),
        load=_load_repairs,
        # Sent at the reveal; the last step's reveal completes the repair.
        still_due=lambda _r, repair, _now: repair is not None and repair.couple.ended_at is None,
        url=lambda repair: f"/repair/{repair.pk}/",
        grace=dt.timedelta(hours=12),
    )
)


def _load_commitments(ids: list[int]) -> dict[int, Any]:
    from .models import Commitment

    return {
        c.pk: c
        for c in Commitment.objects.filter(pk__in=ids)
        .select_related("repair__couple")
        .only("id", "author_id", "status", "due_at", "repair__id", "repair__couple__id", "repair__couple__ended_at")
    }


register(
    Kind(
        key=COMMITMENT_KIND,
        title=_("It's the time you set for your repair commitment"),
        label=_("When a commitment I made in a repair is due"),
        load=_load_commitments,
        still_due=lambda r, c, _now: (
            c is not None
            and c.status == "open"
            and c.repair.couple.ended_at is None
            and r.user_id == c.author_id
            and r.due_at == c.due_at
        ),
        url=lambda c: f"/repair/{c.repair_id}/",
        grace=dt.timedelta(hours=6),
    )
)
