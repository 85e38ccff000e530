"""Reads of the reassurance ritual and "I steadied myself", scoped to who
asks. What a path may show of an occurrence's messages is one function,
``messages_for``: the partner's message only once revealed."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext

from accounts.models import User
from couples.models import Membership
from couples.selectors import couple_ids_of_member

from .models import Digest, Message, Occurrence, Phrase, Ritual, RitualVersion, Steadied


def ritual_of_member(*, user: User) -> Ritual | None:
    """The current couple's ritual (not retired), or None."""
    return (
        Ritual.objects.filter(couple__in=couple_ids_of_member(user=user))
        .exclude(status=Ritual.Status.RETIRED)
        .select_related("couple")
        .first()
    )


def ritual_version(ritual: Ritual, number: int | None) -> RitualVersion | None:
    if number is None:
        return None
    return RitualVersion.objects.filter(ritual=ritual, number=number).first()


def access_occurrence(*, user: User, occurrence_id: int, lock: bool = False) -> Occurrence:
    """One of the caller's current couple's occurrences (404 to anyone
    else), locked with the same query when writing."""
    rows = Occurrence.objects.filter(pk=occurrence_id, couple__in=couple_ids_of_member(user=user))
    if lock:
        rows = rows.select_for_update()
    occurrence = rows.first()
    if occurrence is None:
        raise Http404(gettext("No such ritual time."))
    return occurrence


def with_messages(queryset: QuerySet[Occurrence]) -> QuerySet[Occurrence]:
    return queryset.prefetch_related(
        Prefetch("messages", queryset=Message.objects.only("id", "occurrence_id", "author_id", "text"))
    )


def messages_for(*, occurrence: Occurrence, user: User) -> tuple[str | None, str | None]:
    """(mine, partner's) as ``user`` may see them: the partner's message is
    None until the reveal, on every path (API, pages, export). A closed
    occurrence shows nobody whether the other wrote."""
    mine = partner = None
    for message in occurrence.messages.all():
        if message.author_id == user.pk:
            mine = message.text
        elif occurrence.revealed_at is not None:
            partner = message.text
    return mine, partner


def occurrences_for_member(*, user: User) -> QuerySet[Occurrence]:
    return with_messages(
        Occurrence.objects.filter(couple__in=couple_ids_of_member(user=user)).select_related("couple").order_by("-at")
    )


def phrases_of(*, user: User) -> QuerySet[Phrase]:
    return Phrase.objects.filter(owner=user).order_by("created_at", "id")


def steadied_of(*, user: User) -> QuerySet[Steadied]:
    return Steadied.objects.filter(author=user).order_by("-created_at", "-id")


def digests_mine(*, user: User) -> QuerySet[Digest]:
    return Digest.objects.filter(author=user, couple__in=couple_ids_of_member(user=user)).order_by("-month")


def digests_shared_with(*, user: User) -> QuerySet[Digest]:
    """Digests the current partner shares with ``user`` in their current
    couple; nothing from an ended couple, nothing un-shared (deleted)."""
    return (
        Digest.objects.filter(couple__in=couple_ids_of_member(user=user))
        .exclude(author=user)
        .select_related("author")
        .order_by("-month")
    )


def reassurance_export(*, user: User) -> dict:
    """The person's part for their export: the couples' ritual versions,
    their own phrases, each occurrence with their own message and the
    partner's only where revealed (``messages_for``), their steadied records
    (readable) and digests, and the digests shared with them now."""
    from .services import digest_items, steadied_open

    couple_ids = Membership.objects.filter(user=user).values("couple_id")
    versions = (
        RitualVersion.objects.filter(ritual__couple_id__in=couple_ids)
        .select_related("ritual")
        .order_by("ritual_id", "number")
    )
    occurrences = with_messages(Occurrence.objects.filter(couple_id__in=couple_ids).order_by("at"))

    def occurrence_row(o: Occurrence) -> dict:
        mine, partner = messages_for(occurrence=o, user=user)
        return {
            "at": o.at.isoformat(),
            "couple_id": o.couple_id,
            "mine": mine,
            "partner": partner,
            "revealed_at": o.revealed_at.isoformat() if o.revealed_at else None,
        }

    def digest_row(d: Digest) -> dict:
        return {
            "month": d.month.strftime("%Y-%m"),
            "items": digest_items(d),
            "shared_at": d.shared_at.isoformat(),
            "acknowledged_at": d.acknowledged_at.isoformat() if d.acknowledged_at else None,
        }

    return {
        "ritual_versions": [
            {
                "couple_id": v.ritual.couple_id,
                "number": v.number,
                "mode": v.mode,
                "weekdays": v.weekdays,
                "time": v.time.strftime("%H:%M") if v.time else None,
                "timezone": v.timezone or None,
                "after_timeout_minutes": v.after_timeout_minutes,
                "proposed_by_me": v.proposed_by_id == user.pk,
                "accepted_at": v.accepted_at.isoformat() if v.accepted_at else None,
            }
            for v in versions
        ],
        "phrases": list(phrases_of(user=user).values_list("text", flat=True)),
        "occurrences": [occurrence_row(o) for o in occurrences],
        "steadied": [
            {
                "what": what,
                "readable": what is not None,
                "helped": record.helped or None,
                "created_at": record.created_at.isoformat(),
                "after": _after(record),
            }
            for record, what in steadied_open(list(steadied_of(user=user)), user.pk)
        ],
        "my_digests": [digest_row(d) for d in Digest.objects.filter(author=user).order_by("month")],
        "digests_shared_with_me": [digest_row(d) for d in digests_shared_with(user=user)],
    }


def _after(record: Steadied) -> dict | None:
    if record.after_entry_id:
        return {"journal_entry": record.after_entry_id}
    if record.after_timeout_id:
        return {"timeout": record.after_timeout_id}
    return None
