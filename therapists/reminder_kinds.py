"""Therapist access's reminder kind: the other partner is told that a
request to share with a therapist waits for them. Fixed wording, without
the partner's name; nothing about what was asked."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from reminders.kinds import Kind, register

from .services import PRACTICE_DUE_KIND, PRACTICE_PROPOSED_KIND, REQUESTED_KIND


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
        title=gettext_noop("Your partner would like to share a summary with a therapist"),
        label=_("When my partner asks to share with a therapist"),
        load=_load_grants,
        still_due=_still_due,
        url=lambda grant: "/couple/therapists/",
        grace=dt.timedelta(days=2),
    )
)


# --- practice between sessions: fixed wording, never the practice's title --------------------------


def _load_practices(ids: list[int]) -> dict[int, Any]:
    from .models import Practice

    return {
        p.pk: p
        for p in Practice.objects.filter(pk__in=ids)
        .select_related("couple")
        .prefetch_related("answers")
        .only("id", "state", "due_at", "couple__id", "couple__ended_at")
    }


def _proposal_still_due(reminder, practice, now: dt.datetime) -> bool:
    # Still waiting, and for this partner's answer.
    return (
        practice is not None
        and practice.couple.ended_at is None
        and practice.state == "proposed"
        and practice.due_at > now
        and not any(a.partner_id == reminder.user_id for a in practice.answers.all())
    )


def _practice_still_due(reminder, practice, now: dt.datetime) -> bool:
    # Accepted by both, no outcome yet, not yet due.
    return (
        practice is not None
        and practice.couple.ended_at is None
        and practice.state == "accepted"
        and practice.due_at > now
    )


register(
    Kind(
        key=PRACTICE_PROPOSED_KIND,
        title=gettext_noop("Your therapist suggested a practice for you both"),
        label=_("When our therapist suggests a practice"),
        load=_load_practices,
        still_due=_proposal_still_due,
        url=lambda practice: "/practices/",
        grace=dt.timedelta(days=2),
    )
)

register(
    Kind(
        key=PRACTICE_DUE_KIND,
        title=gettext_noop("A practice from your therapist is due soon"),
        label=_("Before a practice we accepted is due"),
        load=_load_practices,
        still_due=_practice_still_due,
        url=lambda practice: "/practices/",
        # Held by quiet hours overnight, it still goes in the morning.
        grace=dt.timedelta(hours=14),
    )
)
