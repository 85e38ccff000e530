"""Gratitude writes: sending, deleting and acknowledging notes, and the
opt-in nudge to write one."""

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext

from accounts.models import User
from backend.errors import Conflict, Forbidden, Invalid
from couples.models import Couple
from couples.selectors import couple_partner_of
from reminders import services as reminders
from reminders.kinds import KINDS, is_enabled
from reminders.models import Preference

from .models import TEXT_MAX, Note, Reaction

DELIVERED_KIND = "gratitude_delivered"
NUDGE_KIND = "gratitude_nudge"

# A "deliver at" a moment ago (a slow phone, a clock a little behind) means
# now; further in the past it is a mistake worth saying so.
DELIVER_PAST_TOLERANCE = dt.timedelta(minutes=5)
DELIVER_AHEAD_MAX = dt.timedelta(days=30)
NUDGE_DAYS_MIN, NUDGE_DAYS_MAX = 1, 30


def clean_text(text: str) -> str:
    # Browsers send a textarea's line breaks as \r\n: count what people see.
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _validate_text(text: str) -> str:
    text = clean_text(text)
    if not text:
        raise Invalid(gettext("Write a few words first."), field="text")
    if len(text) > TEXT_MAX:
        raise Invalid(
            gettext("Keep it to %(max)s characters; this one has %(n)s.")
            % {"max": number_format(TEXT_MAX, force_grouping=True), "n": number_format(len(text), force_grouping=True)},
            field="text",
        )
    return text


def _validate_deliver_at(deliver_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if deliver_at is None:
        return now
    if timezone.is_naive(deliver_at):
        raise Invalid(
            gettext("Give a time with its timezone offset, like 2026-03-02T20:00:00+01:00."), field="deliver_at"
        )
    if deliver_at < now - DELIVER_PAST_TOLERANCE:
        raise Invalid(gettext("That time has already passed. Choose a time from now on."), field="deliver_at")
    if deliver_at > now + DELIVER_AHEAD_MAX:
        raise Invalid(gettext("A note can wait at most 30 days before it is delivered."), field="deliver_at")
    return max(deliver_at, now)


def note_send(
    *, couple: Couple, author: User, text: str, deliver_at: dt.datetime | None = None, now: dt.datetime | None = None
) -> Note:
    """Writes a note to the author's partner. The partner sees it from
    ``deliver_at`` (or now), and is told then - without the text."""
    now = now or timezone.now()
    text = _validate_text(text)
    deliver_at = _validate_deliver_at(deliver_at, now)
    recipient = couple_partner_of(couple=couple, user=author)
    if recipient is None:
        raise Conflict(gettext("There is no partner here to send a note to right now."))
    with transaction.atomic():
        note = Note.objects.create(
            couple=couple, author=author, recipient=recipient, text=text, created_at=now, deliver_at=deliver_at
        )
        # The lock-screen line is the kind's fixed wording ("You have a new
        # note from Bob"), never the text.
        reminders.reminder_schedule(user_id=recipient.pk, kind=DELIVERED_KIND, target_id=note.pk, due_at=deliver_at)
        _nudge_reschedule(user=author, now=now)
    return note


def note_delete(*, note: Note, user: User, now: dt.datetime | None = None) -> None:
    """The author may take back a note until it is delivered; a delivered
    note belongs to both and stays."""
    now = now or timezone.now()
    if note.is_delivered(now):
        raise Conflict(gettext("This note has been delivered. It belongs to you both now, so it stays."))
    if note.author_id != user.pk:
        raise Forbidden(gettext("Only the person who wrote a note can take it back."))
    with transaction.atomic():
        # Conditional on "still undelivered" in the database, so a delete
        # racing the delivery instant cannot remove a note the dispatcher
        # is announcing (it only announces from deliver_at on).
        deleted, _ = Note.objects.filter(pk=note.pk, author=user, deliver_at__gt=now).delete()
        if not deleted:
            raise Conflict(gettext("This note has been delivered. It belongs to you both now, so it stays."))
        reminders.reminders_cancel(kind_prefix=DELIVERED_KIND, target_ids=[note.pk])


def note_acknowledge(*, note: Note, user: User, reaction: str | None = None, now: dt.datetime | None = None) -> Note:
    """The recipient's explicit acknowledgement, with an optional reaction.
    The first acknowledgement's time stays; acknowledging again only changes
    the reaction. Nothing else about reading is ever recorded."""
    now = now or timezone.now()
    if note.recipient_id != user.pk:
        raise Forbidden(gettext("Only the person a note was written for can acknowledge it."))
    if not note.is_delivered(now):  # the selectors never hand one out; belt and braces
        raise Conflict(gettext("This note has not been delivered yet."))
    if reaction not in (None, "", *Reaction.values):
        raise Invalid(gettext("Choose one of: %(values)s.") % {"values": ", ".join(Reaction.values)}, field="reaction")
    # One statement: two taps at once cannot move the first acknowledgement.
    Note.objects.filter(pk=note.pk).update(
        acknowledged_at=Coalesce(F("acknowledged_at"), Value(now)), reaction=reaction or ""
    )
    note.refresh_from_db(fields=["acknowledged_at", "reaction"])
    return note


# --- the opt-in nudge ---------------------------------------------------------------


def nudge_days_for(user: User) -> int | None:
    """The person's nudge interval, or None when the nudge is off. It is on
    only with both a number of days and the (opt-in) kind switched on."""
    row = Preference.objects.filter(user=user).values_list("gratitude_nudge_days", "kinds").first()
    if row is None:
        return None
    days, kinds = row
    if days is None or not is_enabled(KINDS[NUDGE_KIND], kinds or {}):
        return None
    return days


def _nudge_reschedule(*, user: User, now: dt.datetime) -> None:
    """One pending nudge per person, due N days after their latest note (or
    after switching it on). ``still_due`` re-checks at send time, so a note
    written in between always wins."""
    reminders.reminders_cancel(kind_prefix=NUDGE_KIND, target_ids=[user.pk])
    days = nudge_days_for(user)
    if days is None:
        return
    due = now + dt.timedelta(days=days)
    # Cancelled rows keep their occurrence under the unique constraint: a
    # fresh token makes the new one a new row, even at the same instant.
    occurrence = f"{due:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
    reminders.reminder_schedule(user_id=user.pk, kind=NUDGE_KIND, target_id=user.pk, due_at=due, occurrence=occurrence)


def gratitude_nudge_set(*, user: User, days: int | None, now: dt.datetime | None = None) -> int | None:
    """Switches the nudge on (every ``days`` days without a note) or off
    (None). Returns the interval now in force."""
    if days is not None and (isinstance(days, bool) or not NUDGE_DAYS_MIN <= days <= NUDGE_DAYS_MAX):
        raise Invalid(
            gettext("Choose between %(min)d and %(max)d days, or off.")
            % {"min": NUDGE_DAYS_MIN, "max": NUDGE_DAYS_MAX},
            field="days",
        )
    now = now or timezone.now()
    with transaction.atomic():
        reminders.preferences_update(
            user=user, data={"gratitude_nudge_days": days, "kinds": {NUDGE_KIND: days is not None}}
        )
        _nudge_reschedule(user=user, now=now)
    return days
