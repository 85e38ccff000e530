"""Journal reads, scoped to who asks.

- The author reads their own entries; everyone else gets 404, partner
  included: ``entry_get_for_author``.
- The partner reads only entries shared with them, through
  ``entries_shared_with`` (never through the author's list), and only
  while the couple they were shared in lasts.
- Patterns are aggregates computed in the database, in a fixed number of
  queries; ``trigger_patterns`` (for a consented therapist summary) never
  returns any text.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import orjson
from django.db.models import Case, Count, DateField, F, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import TruncWeek
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from backend.prepared import PreparedList

from . import crypto
from .models import SEALED_FIELDS, Category, Entry, JournalKey, Kind

PATTERN_WEEKS_DEFAULT = 12
PATTERN_WEEKS_MAX = 52


# --- reading sealed text ----------------------------------------------------------------


class Plain(NamedTuple):
    """An entry's text as its reader sees it. ``readable`` is False when the
    key that sealed it was destroyed: the text fields are then None. (A
    named tuple: made for every entry of a list page, where a frozen
    dataclass's ``__init__`` cost more than opening the entry's text.)"""

    readable: bool
    text: str | None = None
    story: str | None = None
    need: str | None = None
    can_do: str | None = None
    tags: tuple[str, ...] = ()


UNREADABLE = Plain(readable=False)

# The sealed columns, in the order of SEALED_FIELDS (text, story, need, can_do, tags).
_SEALED_COLUMNS = tuple(f"{name}_sealed" for name in SEALED_FIELDS)


def entry_is_readable(entry: Entry, *, cipher: crypto.UserCipher) -> bool:
    try:
        cipher.open("text", entry.text_sealed)
    except crypto.Unreadable:
        return False
    return True


def _open(entry: Entry, cipher: crypto.UserCipher) -> Plain:
    row = entry.__dict__  # the columns as loaded (a deferred one, never in a list, is read through its attribute)
    try:
        text, story, need, can_do, tags = cipher.open_all(
            SEALED_FIELDS, [row[column] if column in row else getattr(entry, column) for column in _SEALED_COLUMNS]
        )
    except crypto.Unreadable:
        return UNREADABLE
    return Plain(True, text, story or "", need or "", can_do or "", tuple(orjson.loads(tags)) if tags else ())


def entries_unseal(entries: Iterable[Entry]) -> list[Entry]:
    """Opens each entry's text with its author's key (one key load per
    author, not per entry) and sets ``entry.plain``. Never raises for a
    destroyed key: those entries come back with ``plain.readable = False``.

    Rows of the API lists carry their author's *wrapped* key
    (``WRAPPED_KEY``, read in the same statement as the page, from the
    database key store): it is unwrapped here, once per author and request,
    exactly as ``crypto.cipher_for`` would after its own query. The data key
    is never kept beyond this call, so a destroyed key stops working at once
    (``crypto.UserCipher``)."""
    entries = list(entries)
    ciphers: dict[int, crypto.UserCipher] = {}
    in_rows = crypto.keystore().name == crypto.DatabaseKeyStore.name
    for entry in entries:
        cipher = ciphers.get(entry.author_id)
        if cipher is None:
            if in_rows and WRAPPED_KEY in entry.__dict__:
                cipher = _cipher_from_row(entry.author_id, entry.__dict__[WRAPPED_KEY])
            else:
                cipher = crypto.cipher_for(entry.author_id)
            ciphers[entry.author_id] = cipher
        entry.plain = _open(entry, cipher)
    return entries


# The annotation on the API lists' rows: the author's wrapped key (or None
# when they have none, or it was destroyed), what ``crypto.cipher_for`` reads
# from the database key store with a query of its own.
WRAPPED_KEY = "author_wrapped_key"


def _cipher_from_row(author_id: int, wrapped: bytes | memoryview | None) -> crypto.UserCipher:
    """``crypto.cipher_for(author_id)`` (never creating a key), from the
    wrapped key the page's own statement read."""
    if wrapped is None:
        return crypto.UserCipher(author_id, None)
    return crypto.UserCipher(author_id, crypto.unwrap_key(user_id=author_id, blob=bytes(wrapped)))


def _wrapped_key_of(author) -> Subquery:
    return Subquery(JournalKey.objects.filter(user_id=author).values("wrapped")[:1])


# --- the author's own entries --------------------------------------------------------------


def entries_for_author(*, user: User, kind: str | None = None) -> QuerySet[Entry]:
    qs = Entry.objects.filter(author_id=user.pk).select_related("share__couple").order_by("-created_at", "-id")
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs


def entries_list_for_author(*, user: User, kind: str | None = None) -> QuerySet[Entry]:
    """``entries_for_author`` for the API's list: when it was shared (while
    the couple lasts) rides along on each row as ``live_shared_at``, instead
    of a share and a couple object per entry. Left joins on unique keys, so
    the page's count (which drops unused annotations) does not pay for them."""
    live = Case(When(share__couple__ended_at__isnull=True, then=F("share__created_at")))
    return (
        entries_for_author(user=user, kind=kind)
        .select_related(None)
        # Every row is the caller's: their key is read once (an uncorrelated
        # subquery, planned as one InitPlan), not once per row.
        .annotate(live_shared_at=live, **{WRAPPED_KEY: _wrapped_key_of(user.pk)})
    )


# The API list, prepared once per kind filter (backend.prepared).
ENTRY_ROWS = PreparedList(entries_list_for_author)


def entry_get_for_author(*, user: User, entry_id: int) -> Entry:
    """The entry if ``user`` wrote it; 404 otherwise — for the partner, a
    stranger or a therapist alike, so nobody learns that it exists."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Entry.objects.select_related("share__couple", "share__shared_with").get(pk=entry_id, author_id=user.pk)
    except Entry.DoesNotExist:
        raise Http404 from None


def _export_row(entry: Entry) -> dict:
    plain = entry.plain
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "created_at": entry.created_at.isoformat(),
        "updated_at": entry.updated_at.isoformat(),
        "readable": plain.readable,
        "text": plain.text,
        "mood": entry.mood,
        "tags": list(plain.tags),
        "trigger_category": entry.trigger_category or None,
        "intensity_before": entry.intensity_before,
        "intensity_after": entry.intensity_after,
        "grounded_at": entry.grounded_at.isoformat() if entry.grounded_at else None,
        "story": plain.story if entry.kind == Kind.TRIGGER else None,
        "need": plain.need if entry.kind == Kind.TRIGGER else None,
        "can_do": plain.can_do if entry.kind == Kind.TRIGGER else None,
    }


def journal_export(*, user: User) -> list[dict]:
    """Everything ``user`` wrote in their journal, readable, for "export my
    data" (``GET /api/v1/me/export/``). Only their own entries; what a
    partner shares with them is ``journal_shared_export``, kept apart.
    Entries whose key was destroyed come out with ``readable: False`` and no
    text."""
    return [
        {**_export_row(entry), "shared": entry.is_shared}
        for entry in entries_unseal(entries_for_author(user=user).order_by("created_at", "id"))
    ]


# --- shared with me -------------------------------------------------------------------------


def entries_shared_with(*, user: User) -> QuerySet[Entry]:
    """Entries their authors shared with ``user``, while the couple they were
    shared in is still together (leaving ends every share at once)."""
    return (
        Entry.objects.filter(share__shared_with_id=user.pk, share__couple__ended_at__isnull=True)
        .exclude(author_id=user.pk)
        .select_related("author", "share")
        .order_by("-share__created_at", "-id")
    )


def entries_shared_with_list(*, user: User) -> QuerySet[Entry]:
    """``entries_shared_with`` for the API's list: the author's name (a
    subquery, not their whole row) and the share's time ride along on each
    row."""
    author_name = User.objects.filter(pk=OuterRef("author_id")).values("display_name")
    return (
        entries_shared_with(user=user)
        .select_related(None)
        .annotate(
            author_name=Subquery(author_name),
            share_created_at=F("share__created_at"),
            **{WRAPPED_KEY: _wrapped_key_of(OuterRef("author_id"))},
        )
    )


# The API list of what a partner shares, prepared (backend.prepared).
SHARED_ROWS = PreparedList(entries_shared_with_list)


def journal_shared_export(*, user: User) -> list[dict]:
    """The entries shared with ``user`` right now, as they read them on the
    shared page (the same rule: ``entries_shared_with``), for "export my
    data". Nothing the partner did not share, or took back, or shared in a
    couple that has closed."""
    return [
        {
            **_export_row(entry),
            "author": {"id": entry.author_id, "display_name": entry.author.display_name},
            "shared_at": entry.share.created_at.isoformat(),
        }
        for entry in entries_unseal(entries_shared_with(user=user))
    ]


# --- patterns -----------------------------------------------------------------------------------


def _avg(total: int | None, n: int) -> float | None:
    return round(total / n, 1) if n and total is not None else None


def _trigger_rows(qs: QuerySet[Entry], *, tz: dt.tzinfo, by_author: bool) -> list[dict]:
    """Counts and sums per (author,) week and category, grouped by the
    database in one query; at most weeks x categories rows per person,
    however many entries there are."""
    group = ["author_id", "week", "trigger_category"] if by_author else ["week", "trigger_category"]
    grounded = Q(intensity_after__isnull=False)
    return list(
        qs.filter(kind=Kind.TRIGGER)
        .annotate(week=TruncWeek("created_at", tzinfo=tz, output_field=DateField()))
        .values(*group)
        .annotate(
            n=Count("id"),
            before_sum=Sum("intensity_before"),
            grounded=Count("id", filter=grounded),
            grounded_before_sum=Sum("intensity_before", filter=grounded),
            after_sum=Sum("intensity_after", filter=grounded),
        )
        .order_by(*group)
    )


def _week_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    first = start - dt.timedelta(days=start.weekday())
    weeks = []
    while first <= end:
        weeks.append(first)
        first += dt.timedelta(weeks=1)
    return weeks


def _summarise(rows: Sequence[dict], weeks: Sequence[dt.date]) -> dict:
    """Aggregates only: counts per category per week and average
    intensities. No text can be in here; nothing reads a sealed column."""
    empty = {c: 0 for c in Category.values}
    per_week = {w: {"counts": dict(empty), "n": 0, "b": 0, "g": 0, "gb": 0, "a": 0} for w in weeks}
    totals = dict(empty)
    acc = {"n": 0, "b": 0, "g": 0, "gb": 0, "a": 0}
    for row in rows:
        week = per_week.setdefault(row["week"], {"counts": dict(empty), "n": 0, "b": 0, "g": 0, "gb": 0, "a": 0})
        week["counts"][row["trigger_category"]] += row["n"]
        totals[row["trigger_category"]] += row["n"]
        for bucket in (week, acc):
            bucket["n"] += row["n"]
            bucket["b"] += row["before_sum"] or 0
            bucket["g"] += row["grounded"]
            bucket["gb"] += row["grounded_before_sum"] or 0
            bucket["a"] += row["after_sum"] or 0
    return {
        "total": acc["n"],
        "by_category": totals,
        "intensity": {
            "before_avg": _avg(acc["b"], acc["n"]),
            "grounded": acc["g"],
            "grounded_before_avg": _avg(acc["gb"], acc["g"]),
            "grounded_after_avg": _avg(acc["a"], acc["g"]),
        },
        "weeks": [
            {
                "week_start": w,
                "total": per_week[w]["n"],
                "counts": per_week[w]["counts"],
                "before_avg": _avg(per_week[w]["b"], per_week[w]["n"]),
                "grounded": per_week[w]["g"],
                "grounded_before_avg": _avg(per_week[w]["gb"], per_week[w]["g"]),
                "grounded_after_avg": _avg(per_week[w]["a"], per_week[w]["g"]),
            }
            for w in sorted(per_week)
        ],
    }


def patterns_for_author(*, user: User, weeks: int = PATTERN_WEEKS_DEFAULT, now: dt.datetime | None = None) -> dict:
    """The author's own trigger patterns over the last ``weeks`` weeks (this
    week included), in their timezone. One query."""
    now = now or timezone.now()
    tz = user.tzinfo
    today = now.astimezone(tz).date()
    first = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    start = dt.datetime.combine(first, dt.time(0), tzinfo=tz)
    rows = _trigger_rows(
        Entry.objects.filter(author_id=user.pk, created_at__gte=start, created_at__lte=now), tz=tz, by_author=False
    )
    return {"start": first, "end": today, "timezone": user.timezone, **_summarise(rows, _week_starts(first, today))}


def trigger_patterns(
    *, user_ids: Sequence[int], start: dt.datetime, end: dt.datetime, tz: dt.tzinfo | str = dt.UTC
) -> dict:
    """Aggregate trigger patterns of these people between ``start`` and
    ``end``, for a therapist summary under the ``trigger_patterns`` scope
    of a consent grant (the caller checks the grant). Per person: counts per
    category per week and average intensity before and after grounding —
    never any text, tag or single entry. One query."""
    if isinstance(tz, str):
        tz = zoneinfo.ZoneInfo(tz)
    ids = sorted({int(i) for i in user_ids})
    rows = _trigger_rows(
        Entry.objects.filter(author_id__in=ids, created_at__gte=start, created_at__lt=end), tz=tz, by_author=True
    )
    weeks = _week_starts(start.astimezone(tz).date(), (end - dt.timedelta(microseconds=1)).astimezone(tz).date())
    return {
        "start": start,
        "end": end,
        "categories": list(Category.values),
        "people": {uid: _summarise([r for r in rows if r["author_id"] == uid], weeks) for uid in ids},
    }
