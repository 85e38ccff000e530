"""Gratitude reads, scoped to the member who asks (404 for anyone else).

A note exists for its recipient only from ``deliver_at`` on: every read
here that can return someone else's note filters on it, so no page or
endpoint can show a note - or even its existence - earlier."""

import datetime as dt
import random
import zoneinfo

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncWeek
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from backend.prepared import PreparedList, PreparedRows
from couples.models import Couple
from couples.selectors import couple_get_for_member, couple_ids_of_member

from .models import Note

BOXES = ("received", "sent")


def notes_for_member(*, user: User, box: str = "received", now: dt.datetime | None = None) -> QuerySet[Note]:
    """The received box holds delivered notes only; the sent box holds all
    the author's notes, waiting ones included (only the author sees those)."""
    return _notes(Note.objects.filter(couple=couple_get_for_member(user=user)), user=user, box=box, now=now)


def _notes(qs: QuerySet[Note], *, user: User, box: str, now: dt.datetime | None) -> QuerySet[Note]:
    now = now or timezone.now()
    qs = qs.select_related("author", "recipient")
    if box == "sent":
        return qs.filter(author=user).order_by("-deliver_at", "-id")
    return qs.filter(recipient=user, deliver_at__lte=now).order_by("-deliver_at", "-id")


# What the API's list shows of a note (gratitude.api.GratitudeNoteOutput).
LIST_FIELDS = ("id", "text", "author_id", "recipient_id", "created_at", "deliver_at", "acknowledged_at", "reaction")


def notes_list_for_member(*, user: User, box: str = "received", now: dt.datetime | None = None) -> QuerySet[Note]:
    """``notes_for_member`` with only the list's columns: the author's name
    rides along on each row instead of two full user rows per note. A
    subquery, not a join, so that the page's count (which drops unused
    annotations) stays an index-only count of the notes. The couple by
    subquery too: empty for someone not paired, which the list tells apart
    (``couples.api.MemberListMixin``)."""
    author_name = User.objects.filter(pk=OuterRef("author_id")).values("display_name")
    qs = Note.objects.filter(couple__in=couple_ids_of_member(user=user))
    return (
        _notes(qs, user=user, box=box, now=now)
        .select_related(None)
        .only(*LIST_FIELDS)
        .annotate(author_name=Subquery(author_name))
    )


# The API list, prepared once per box (backend.prepared).
NOTE_ROWS = PreparedList(notes_list_for_member, with_now=True)


def note_get_for_member(*, user: User, note_id: int, now: dt.datetime | None = None) -> Note:
    couple = couple_get_for_member(user=user)
    now = now or timezone.now()
    note = (
        Note.objects.filter(couple=couple, pk=note_id)
        .filter(Q(author=user) | Q(recipient=user, deliver_at__lte=now))
        .select_related("author", "recipient")
        .first()
    )
    if note is None:
        raise Http404
    return note


def note_random_for_member(*, user: User, exclude_id: int | None = None, now: dt.datetime | None = None) -> Note | None:
    """A received note at random, for "show me an old one". Two small
    queries (a count, then one row at a random offset): the jar is never
    loaded into memory, however full it gets."""
    qs = notes_for_member(user=user, box="received", now=now).order_by("id")
    if exclude_id is not None:
        others = qs.exclude(pk=exclude_id)
        count = others.count()
        if count:
            return others[random.randrange(count)]
    count = qs.count()
    return qs[random.randrange(count)] if count else None


def latest_received(*, user: User, now: dt.datetime | None = None) -> Note | None:
    return notes_for_member(user=user, box="received", now=now).first()


def _latest_received_in(*, user: User, couple: Couple, now: dt.datetime) -> QuerySet[Note]:
    return _notes(Note.objects.filter(couple=couple), user=user, box="received", now=now)[:1]


def _waiting_count(*, user: User, couple: Couple, now: dt.datetime) -> QuerySet:
    """How many of the author's notes wait for delivery, as one row (none
    when there are none): a count the statement cache can hold."""
    return (
        Note.objects.filter(couple=couple, author=user, deliver_at__gt=now)
        .values("author_id")
        .annotate(n=Count("id"))
        .order_by()
    )


# The home card's reads (the member's couple given), prepared (backend.prepared):
# ``latest_received`` and the count of notes waiting to be delivered.
LATEST_RECEIVED = PreparedRows(_latest_received_in, objects={"user": None, "couple": Couple}, now=True)
WAITING_COUNT = PreparedRows(_waiting_count, objects={"user": None, "couple": Couple}, now=True)


def gratitude_counts_by_week(
    *, couple: Couple, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None
) -> list[dict]:
    """Notes delivered between the two of them per week (Monday to Sunday in
    the couple's timezone), start <= deliver_at < end, every week of the
    range listed (zeros included). Counts only - never text - and the
    couple's together, not one partner against the other. One query.

    ``[{"week_start": date, "notes": int, "acknowledged": int}, ...]``"""
    now = now or timezone.now()
    tz = zoneinfo.ZoneInfo(couple.timezone)
    rows = (
        # A note waiting for its time is not counted yet: it may still be taken back.
        Note.objects.filter(couple=couple, deliver_at__gte=start, deliver_at__lt=end, deliver_at__lte=now)
        .annotate(week=TruncWeek("deliver_at", tzinfo=tz))
        .values("week")
        .annotate(notes=Count("id"), acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)))
        .order_by("week")
    )
    counts = {_as_date(r["week"], tz): (r["notes"], r["acknowledged"]) for r in rows}
    first = _monday(start.astimezone(tz).date())
    last = _monday((end - dt.timedelta(microseconds=1)).astimezone(tz).date())
    weeks = []
    day = first
    while day <= last:
        notes, acknowledged = counts.get(day, (0, 0))
        weeks.append({"week_start": day, "notes": notes, "acknowledged": acknowledged})
        day += dt.timedelta(days=7)
    return weeks


def last_weeks(*, couple: Couple, weeks: int, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The last ``weeks`` calendar weeks, this one included: from Monday
    00:00 to the next Monday 00:00 in the couple's timezone."""
    from checkins.occurrences import local_to_utc

    now = now or timezone.now()
    tz = zoneinfo.ZoneInfo(couple.timezone)
    this_monday = _monday(now.astimezone(tz).date())
    first = this_monday - dt.timedelta(weeks=weeks - 1)
    return local_to_utc(first, dt.time(0, 0), tz), local_to_utc(this_monday + dt.timedelta(days=7), dt.time(0, 0), tz)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _as_date(value, tz) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(tz).date() if timezone.is_aware(value) else value.date()
    return value
