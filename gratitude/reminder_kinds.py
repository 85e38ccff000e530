"""Gratitude's reminder kinds. Titles are fixed wording, without the
partner's name: neither a note's text nor a name reaches a lock screen, an
email or a push."""

import datetime as dt
from typing import Any

from django.db.models import Exists, F, Max, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from reminders.kinds import Kind, register

from .services import DELIVERED_KIND, NUDGE_KIND


def _load_notes(ids: list[int]) -> dict[int, Any]:
    from .models import Note

    return {
        n.pk: n
        for n in Note.objects.filter(pk__in=ids)
        .select_related("couple")
        .only("id", "recipient_id", "deliver_at", "couple__id", "couple__ended_at")
    }


def _note_still_due(reminder, note, now: dt.datetime) -> bool:
    # Gone (taken back before delivery), not yet time, or the couple closed.
    return (
        note is not None
        and note.couple.ended_at is None
        and note.recipient_id == reminder.user_id
        and note.deliver_at <= now
    )


register(
    Kind(
        key=DELIVERED_KIND,
        title=gettext_noop("A new note for you"),
        label=_("When a note of appreciation arrives"),
        load=_load_notes,
        still_due=_note_still_due,
        url=lambda note: f"/gratitude/{note.pk}/",
        # Quiet hours only move it later; after an outage, a note announced
        # hours late is still welcome, a day late less so (it is in the jar).
        grace=dt.timedelta(hours=12),
    )
)


def _load_writers(ids: list[int]) -> dict[int, Any]:
    """The people to nudge, each with their nudge interval, their latest
    note and whether they are paired: one query."""
    from accounts.models import User
    from couples.models import Membership

    return {
        u.pk: u
        for u in User.objects.filter(pk__in=ids)
        .annotate(
            last_note_at=Max("gratitude_sent__created_at"),
            nudge_days=F("reminder_prefs__gratitude_nudge_days"),
            paired=Exists(Membership.objects.current().filter(user=OuterRef("pk"))),
        )
        .only("id")
    }


def _nudge_still_due(reminder, writer, now: dt.datetime) -> bool:
    if writer is None or not writer.paired or writer.nudge_days is None:
        return False
    quiet_for = dt.timedelta(days=writer.nudge_days)
    return writer.last_note_at is None or now - writer.last_note_at >= quiet_for


register(
    Kind(
        key=NUDGE_KIND,
        title=gettext_noop("A moment to write your partner a note?"),
        label=_("A nudge to write a note when I haven't for a while"),
        load=_load_writers,
        still_due=_nudge_still_due,
        url=lambda _writer: "/gratitude/write/",
        grace=dt.timedelta(hours=12),
        opt_in=True,
        extra={"preference_hint": _("How many days to wait is set on the notes page, under the nudge.")},
    )
)
