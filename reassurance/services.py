"""The reassurance ritual and "I steadied myself": every write.

The ritual is agreed like the time-out rules (``agreements.proposals``):
one partner proposes a version, the other accepts that same number; an
amendment leaves the version in force until it is accepted. Its next time
is computed on the couple's chosen wall clock (``backend.localtime``,
DST-true). Occurrences are made by the beat tick at the ritual's time
(``occurrences_tick``), which reads only what is due: rituals whose
``next_at`` has come (an index), and time-outs that ended lately (an
index in ``space``). The one reveal is ``reassurance_reveal``.

Never on demand: nothing here asks the partner for reassurance, pings
them that someone needs it, or counts how often anyone wanted it."""

import datetime as dt
import json
from collections import Counter
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from agreements.proposals import version_check
from backend.errors import Conflict, Forbidden, Invalid
from backend.localtime import local_date, local_to_utc
from backend.timezones import valid_timezones
from backend.weekdays import in_week_order
from couples.models import Couple, Membership
from couples.selectors import couple_for_user, couple_get_for_member, couple_partner_of, member_is_current
from journal import crypto
from journal.models import Entry
from reminders import services as reminders
from reminders.models import Reminder
from space.models import Kind as SpaceKind
from space.models import SpacePeriod

from .models import (
    AFTER_TIMEOUT_MAX,
    AFTER_TIMEOUT_MIN,
    MESSAGE_MAX,
    PHRASE_MAX,
    PHRASES_PER_PERSON,
    WHAT_MAX,
    Digest,
    Message,
    Occurrence,
    Phrase,
    Ritual,
    RitualVersion,
    Steadied,
)
from .selectors import access_occurrence

REMINDER_KIND = "reassurance_ritual"
# An occurrence stays open for writing this long after its time.
OPEN_FOR = dt.timedelta(hours=12)
# How far back the tick looks for time-outs that ended (a tick that was
# down for a while still finds them), beyond the longest wait.
TIMEOUT_LOOKBACK = dt.timedelta(hours=6)
TICK_BATCH = 500
STALE = _("The ritual changed since you read it. Please read the current version first.")
FINAL = _("Both messages are shown now, so they stay as they are.")
CLOSED = _("This ritual time has passed.")
WEEKDAY_NAMES = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
# "On Tuesdays and Fridays": the days as a habit, in words.
WEEKDAY_PLURALS = [
    _("Mondays"),
    _("Tuesdays"),
    _("Wednesdays"),
    _("Thursdays"),
    _("Fridays"),
    _("Saturdays"),
    _("Sundays"),
]

# The sealed fields' names (journal.crypto binds each to its person and field).
SEAL_WHAT = "steadied.what"
SEAL_DIGEST = "steadied.digest"


# --- the ritual's terms --------------------------------------------------------------------


def ritual_terms_clean(data: dict[str, Any]) -> dict[str, Any]:
    """Weekdays + time + timezone, or ``after_timeout_minutes``: one or the
    other, every problem reported at once."""
    errors: dict[str, list[str]] = {}
    after = data.get("after_timeout_minutes")
    weekly_fields = [k for k in ("weekdays", "time", "timezone") if data.get(k) is not None]
    if after is not None:
        if weekly_fields:
            errors["after_timeout_minutes"] = [gettext("Choose set days and a time, or after a time-out: not both.")]
        elif isinstance(after, bool) or not isinstance(after, int):
            errors["after_timeout_minutes"] = [gettext("Give a whole number of minutes.")]
        elif not AFTER_TIMEOUT_MIN <= after <= AFTER_TIMEOUT_MAX:
            errors["after_timeout_minutes"] = [
                gettext("Between %(min)d and %(max)d minutes.") % {"min": AFTER_TIMEOUT_MIN, "max": AFTER_TIMEOUT_MAX}
            ]
        if errors:
            raise Invalid(gettext("Some fields need another look."), errors=errors)
        return {"mode": RitualVersion.Mode.AFTER_TIMEOUT, "after_timeout_minutes": after}
    weekdays, time, tz = data.get("weekdays"), data.get("time"), data.get("timezone")
    if (
        not isinstance(weekdays, list)
        or not weekdays
        or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in weekdays)
    ):
        errors["weekdays"] = [gettext("Choose at least one day (0 is Monday, 6 is Sunday).")]
    if not isinstance(time, dt.time):
        errors["time"] = [gettext("Give a time like 20:30.")]
    if not isinstance(tz, str) or tz not in valid_timezones():
        errors["timezone"] = [gettext("Give a known timezone, like Europe/Berlin.")]
    if errors:
        raise Invalid(gettext("Some fields need another look."), errors=errors)
    return {
        "mode": RitualVersion.Mode.WEEKLY,
        "weekdays": sorted(set(weekdays)),
        "time": time.replace(second=0, microsecond=0, tzinfo=None),
        "timezone": tz,
    }


def ritual_next_at(*, weekdays: list[int], time: dt.time, tz: str, after: dt.datetime) -> dt.datetime:
    """The first instant after ``after`` when the couple's wall clock in
    ``tz`` shows ``time`` on one of ``weekdays``: DST-true (a skipped time
    moves to the jump, a repeated one is its first pass)."""
    day = local_date(instant=after, tz=tz)
    for _attempt in range(15):
        if day.weekday() in weekdays:
            due = local_to_utc(day=day, time=time, tz=tz)
            if due > after:
                return due
        day += dt.timedelta(days=1)
    raise ValueError("no weekday")  # pragma: no cover - weekdays is never empty


def _next_for(version: RitualVersion | None, after: dt.datetime) -> dt.datetime | None:
    if version is None or version.mode != RitualVersion.Mode.WEEKLY:
        return None
    return ritual_next_at(weekdays=version.weekdays, time=version.time, tz=version.timezone, after=after)


def ritual_in_force(*, couple: Couple) -> RitualVersion | None:
    """The version both accepted, or None: what every path asks (API, page,
    home card, the tick)."""
    return (
        RitualVersion.objects.filter(
            ritual__couple=couple, ritual__active_version=F("number"), ritual__active_version__isnull=False
        )
        .exclude(ritual__status=Ritual.Status.RETIRED)
        .select_related("ritual")
        .first()
    )


def ritual_next_time(*, ritual: Ritual, terms: RitualVersion | None, now: dt.datetime) -> dt.datetime | None:
    """When the next ritual is, as both partners see it: the weekly time in
    force, or, "after a time-out", the open time-out's return time plus the
    minutes (None while no time-out is open)."""
    if terms is None:
        return None
    if terms.mode == RitualVersion.Mode.WEEKLY:
        return ritual.next_at if ritual.next_at and ritual.next_at > now else _next_for(terms, now)
    back = (
        SpacePeriod.objects.filter(couple_id=ritual.couple_id, kind=SpaceKind.TIMEOUT, status="open")
        .order_by("reconnect_by")
        .values_list("reconnect_by", flat=True)
        .first()
    )
    return back + dt.timedelta(minutes=terms.after_timeout_minutes) if back else None


def _locked(ritual_id: int, user: User) -> Ritual:
    ritual = Ritual.objects.select_for_update().filter(pk=ritual_id).first()
    if ritual is None or not member_is_current(user=user, couple_id=ritual.couple_id):
        raise Http404(gettext("No such ritual."))
    return ritual


@transaction.atomic
def ritual_propose(*, user: User, data: dict[str, Any], version: int | None = None) -> Ritual:
    """The first proposal, or a new version of the couple's ritual (an
    amendment: the version in force stays until this one is accepted)."""
    terms = ritual_terms_clean(data)
    couple = couple_get_for_member(user=user)
    Couple.objects.select_for_update().filter(pk=couple.pk).first()
    now = timezone.now()
    ritual = Ritual.objects.filter(couple=couple).exclude(status=Ritual.Status.RETIRED).first()
    if ritual is None:
        ritual = Ritual.objects.create(couple=couple, created_by=user, created_at=now, updated_at=now)
        number = 1
    else:
        ritual = Ritual.objects.select_for_update().get(pk=ritual.pk)
        version_check(ritual.version, version, stale=STALE)
        number = RitualVersion.objects.filter(ritual=ritual).aggregate(n=Max("number"))["n"] + 1
    RitualVersion.objects.create(ritual=ritual, number=number, proposed_by=user, proposed_at=now, **terms)
    ritual.version = number
    ritual.status = Ritual.Status.PROPOSED
    ritual.updated_at = now
    ritual.save(update_fields=["version", "status", "updated_at"])
    return ritual


@transaction.atomic
def ritual_accept(*, ritual_id: int, user: User, version: int | None) -> Ritual:
    """In force when the other partner accepts exactly the version they
    read (a stale number 409; its proposer 403)."""
    ritual = _locked(ritual_id, user)
    if ritual.status != Ritual.Status.PROPOSED:
        raise Conflict(gettext("This ritual is not waiting to be accepted."))
    version_check(ritual.version, version, stale=STALE)
    current = RitualVersion.objects.get(ritual=ritual, number=ritual.version)
    if current.proposed_by_id == user.pk:
        raise Forbidden(gettext("You proposed this version, so your partner is the one to accept it."))
    now = timezone.now()
    current.accepted_by = user
    current.accepted_at = now
    current.save(update_fields=["accepted_by", "accepted_at"])
    ritual.status = Ritual.Status.ACTIVE
    ritual.active_version = ritual.version
    ritual.active_since = now
    ritual.next_at = _next_for(current, now)
    ritual.updated_at = now
    ritual.save(update_fields=["status", "active_version", "active_since", "next_at", "updated_at"])
    return ritual


def ritual_describe(version: RitualVersion | None) -> str:
    """The terms in plain words ("Tuesdays and Fridays at 20:30 (Europe/Berlin)")."""
    if version is None:
        return ""
    if version.mode == RitualVersion.Mode.AFTER_TIMEOUT:
        n = version.after_timeout_minutes
        if n == 0:
            return gettext("As soon as a time-out ends")
        return ngettext(
            "Within %(n)d minute after a time-out ends", "Within %(n)d minutes after a time-out ends", n
        ) % {"n": n}
    days = [str(WEEKDAY_PLURALS[d]) for d in in_week_order(version.weekdays)]
    if len(days) == 7:
        days_text = gettext("Every day")
    elif len(days) > 1:
        days_text = gettext("%(days)s and %(last)s") % {"days": gettext(", ").join(days[:-1]), "last": days[-1]}
    else:
        days_text = days[0]
    return gettext("%(days)s at %(time)s (%(timezone)s)") % {
        "days": days_text,
        "time": f"{version.time:%H:%M}",
        "timezone": version.timezone,
    }


# --- phrases ----------------------------------------------------------------------------------


def _clean_text(value: Any, *, field: str, limit: int, empty: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(empty, field=field)
    value = value.replace("\r\n", "\n").strip()
    if len(value) > limit:
        raise Invalid(
            ngettext("Keep it under %(n)d character.", "Keep it under %(n)d characters.", limit) % {"n": limit},
            field=field,
        )
    return value


def phrase_add(*, user: User, text: Any) -> Phrase:
    text = _clean_text(text, field="text", limit=PHRASE_MAX, empty=gettext("Write the words you'd like to hear."))
    if Phrase.objects.filter(owner=user).count() >= PHRASES_PER_PERSON:
        raise Invalid(gettext("Up to %(n)d phrases. Remove one first.") % {"n": PHRASES_PER_PERSON}, field="text")
    return Phrase.objects.create(owner=user, text=text)


def phrase_get_own(*, user: User, phrase_id: int) -> Phrase:
    phrase = Phrase.objects.filter(pk=phrase_id, owner_id=user.pk).first()
    if phrase is None:
        raise Http404(gettext("No such phrase."))
    return phrase


def phrase_edit(*, user: User, phrase_id: int, text: Any) -> Phrase:
    phrase = phrase_get_own(user=user, phrase_id=phrase_id)
    phrase.text = _clean_text(
        text, field="text", limit=PHRASE_MAX, empty=gettext("Write the words you'd like to hear.")
    )
    phrase.updated_at = timezone.now()
    phrase.save(update_fields=["text", "updated_at"])
    return phrase


def phrase_delete(*, user: User, phrase_id: int) -> None:
    phrase_get_own(user=user, phrase_id=phrase_id).delete()


# --- occurrences: made at the ritual's time, closed silently ------------------------------------


def _schedule_reminders(occurrences: list[Occurrence]) -> None:
    """The opt-in reminder, once per occurrence, to each current partner
    (the kind decides: off unless turned on, quiet hours, caps)."""
    if not occurrences:
        return
    partners: dict[int, list[int]] = {}
    for couple_id, user_id in (
        Membership.objects.current()
        .filter(couple_id__in={o.couple_id for o in occurrences})
        .values_list("couple_id", "user_id")
    ):
        partners.setdefault(couple_id, []).append(user_id)
    reminders.reminders_schedule_many(
        Reminder(user_id=user_id, kind=REMINDER_KIND, target_id=o.pk, due_at=o.at)
        for o in occurrences
        for user_id in partners.get(o.couple_id, [])
    )


def occurrences_tick(*, now: dt.datetime | None = None) -> dict[str, int]:
    """One beat: makes the occurrences that are due and closes the ones
    past their time. Reads only what is due (indexed): its cost grows with
    the work, not with the number of couples."""
    now = now or timezone.now()
    made: list[Occurrence] = []
    with transaction.atomic():
        due = list(
            Ritual.objects.select_for_update(skip_locked=True)
            .filter(next_at__lte=now, status__in=[Ritual.Status.ACTIVE, Ritual.Status.PROPOSED])
            .order_by("next_at")[:TICK_BATCH]
        )
        terms = {
            v.ritual_id: v for v in RitualVersion.objects.filter(ritual__in=due, ritual__active_version=F("number"))
        }
        for ritual in due:
            version = terms.get(ritual.pk)
            at = ritual.next_at
            if version is not None and at + OPEN_FOR > now:
                occurrence, created = Occurrence.objects.get_or_create(
                    ritual=ritual, at=at, defaults={"couple_id": ritual.couple_id, "closes_at": at + OPEN_FOR}
                )
                if created:
                    made.append(occurrence)
            ritual.next_at = _next_for(version, max(now, at))
            ritual.save(update_fields=["next_at"])
        made += _after_timeouts(now)
        _schedule_reminders(made)
    closed = occurrences_close_due(now=now)
    return {"made": len(made), "closed": closed}


def _after_timeouts(now: dt.datetime) -> list[Occurrence]:
    """Occurrences for time-outs that ended lately in couples whose ritual
    is "after a time-out": at the end plus the agreed minutes."""
    ended = list(
        SpacePeriod.objects.filter(
            kind=SpaceKind.TIMEOUT,
            reconnected_at__gte=now - TIMEOUT_LOOKBACK - dt.timedelta(minutes=AFTER_TIMEOUT_MAX),
            reconnected_at__lte=now,
        ).values_list("pk", "couple_id", "reconnected_at")
    )
    if not ended:
        return []
    versions = {
        v.ritual.couple_id: v
        for v in RitualVersion.objects.filter(
            ritual__couple_id__in={c for _, c, _ in ended},
            ritual__active_version=F("number"),
            mode=RitualVersion.Mode.AFTER_TIMEOUT,
        )
        .exclude(ritual__status=Ritual.Status.RETIRED)
        .select_related("ritual")
    }
    made = []
    for period_id, couple_id, back in ended:
        version = versions.get(couple_id)
        if version is None:
            continue
        at = back + dt.timedelta(minutes=version.after_timeout_minutes)
        if at > now or at + OPEN_FOR <= now:
            continue
        try:
            with transaction.atomic():
                made.append(
                    Occurrence.objects.create(
                        couple_id=couple_id, ritual=version.ritual, at=at, closes_at=at + OPEN_FOR, timeout_id=period_id
                    )
                )
        except IntegrityError:
            pass  # made by an earlier tick
    return made


def occurrences_close_due(*, now: dt.datetime) -> int:
    """Occurrences past their time and not revealed close silently: nothing
    says who wrote and who did not, nobody is told."""
    return Occurrence.objects.filter(revealed_at__isnull=True, closed_at__isnull=True, closes_at__lte=now).update(
        closed_at=now
    )


def occurrence_is_open(occurrence: Occurrence, now: dt.datetime) -> bool:
    return (
        occurrence.revealed_at is None and occurrence.closed_at is None and occurrence.at <= now < occurrence.closes_at
    )


def reassurance_reveal(*, occurrence: Occurrence, now: dt.datetime) -> bool:
    """Reveal together, for a ritual's messages: once both current partners
    wrote, both are shown to both at once and stay as they are (409 after).
    The only writer of ``Occurrence.revealed_at``. The caller holds the
    occurrence's lock."""
    if occurrence.revealed_at is not None or occurrence.closed_at is not None:
        return occurrence.revealed_at is not None
    partners = Membership.objects.current_of(couple_id=occurrence.couple_id).values("user_id")
    if Message.objects.filter(occurrence=occurrence, author_id__in=partners).count() < 2:
        return False
    Occurrence.objects.filter(pk=occurrence.pk, revealed_at__isnull=True).update(revealed_at=now)
    occurrence.revealed_at = now
    return True


@transaction.atomic
def message_write(*, user: User, occurrence_id: int, text: Any, now: dt.datetime | None = None) -> Occurrence:
    """The caller's message for the partner at an open occurrence: written
    or changed until both wrote; then revealed to both, and final (409).
    The partner is not told anything until then."""
    text = _clean_text(
        text, field="text", limit=MESSAGE_MAX, empty=gettext("Write a few words for your partner first.")
    )
    now = now or timezone.now()
    occurrence = access_occurrence(user=user, occurrence_id=occurrence_id, lock=True)
    if occurrence.revealed_at is not None:
        raise Conflict(FINAL)
    if not occurrence_is_open(occurrence, now):
        raise Conflict(CLOSED)
    message, created = Message.objects.get_or_create(
        occurrence=occurrence, author=user, defaults={"text": text, "created_at": now, "updated_at": now}
    )
    if not created and message.text != text:
        message.text = text
        message.updated_at = now
        message.save(update_fields=["text", "updated_at"])
    reassurance_reveal(occurrence=occurrence, now=now)
    return occurrence


# --- "I steadied myself" ----------------------------------------------------------------------


def _after_clean(user: User, after: Any) -> dict[str, Any]:
    if after is None:
        return {}
    if not isinstance(after, dict) or len(after) != 1 or not set(after) <= {"journal_entry", "timeout"}:
        raise Invalid(gettext('Give {"journal_entry": id} or {"timeout": id}, or leave it out.'), field="after")
    ((key, value),) = after.items()
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(gettext("Give the id as a number."), field="after")
    if key == "journal_entry":
        if not Entry.objects.filter(pk=value, author=user).exists():
            raise Invalid(gettext("That isn't one of your journal entries."), field="after")
        return {"after_entry_id": value}
    if not SpacePeriod.objects.filter(pk=value, author=user, kind=SpaceKind.TIMEOUT).exists():
        raise Invalid(gettext("That isn't one of your time-outs."), field="after")
    return {"after_timeout_id": value}


def steadied_record(*, user: User, what: Any, helped: Any = "", after: Any = None) -> Steadied:
    """What the person did to calm themselves, in their own words (from
    their own list or new), sealed with their journal key. Private."""
    errors: dict[str, list[str]] = {}
    try:
        what = _clean_text(what, field="what", limit=WHAT_MAX, empty=gettext("Write what you did, in your own words."))
    except Invalid as exc:
        errors["what"] = [exc.message]
    if helped in (None, ""):
        helped = ""
    elif helped not in Steadied.Helped.values:
        errors["helped"] = [gettext("Choose a_little or a_lot, or leave it out.")]
    try:
        links = _after_clean(user, after)
    except Invalid as exc:
        errors["after"] = [exc.message]
    if errors:
        raise Invalid(gettext("Some fields need another look."), errors=errors)
    cipher = crypto.cipher_for(user.pk, create=True)
    return Steadied.objects.create(author=user, what_sealed=cipher.seal(SEAL_WHAT, what), helped=helped, **links)


def steadied_open(records: list[Steadied], user_id: int) -> list[tuple[Steadied, str | None]]:
    """Each record with its words, or None when the key is gone."""
    cipher = crypto.cipher_for(user_id)
    out = []
    for record in records:
        try:
            out.append((record, cipher.open(SEAL_WHAT, record.what_sealed)))
        except crypto.Unreadable:
            out.append((record, None))
    return out


def _normal(what: str) -> str:
    return " ".join(what.casefold().split())


def steadied_ways(*, user: User, since: dt.datetime | None = None, until: dt.datetime | None = None) -> list[dict]:
    """The person's ways of steadying, most helpful first, each in their own
    words as they first wrote it: ``{what, times, a_lot}``. For their own
    patterns page and a digest; never for anyone else unless shared."""
    rows = Steadied.objects.filter(author=user)
    if since:
        rows = rows.filter(created_at__gte=since)
    if until:
        rows = rows.filter(created_at__lt=until)
    words: dict[str, str] = {}
    times: Counter = Counter()
    a_lot: Counter = Counter()
    for record, what in steadied_open(list(rows.order_by("created_at", "id")), user.pk):
        if what is None:
            continue
        key = _normal(what)
        words.setdefault(key, what)
        times[key] += 1
        if record.helped == Steadied.Helped.A_LOT:
            a_lot[key] += 1
    order = sorted(words, key=lambda k: (-a_lot[k], -times[k], words[k].casefold()))
    return [{"what": words[k], "times": times[k], "a_lot": a_lot[k]} for k in order]


def month_bounds(*, month: dt.date, tz: str) -> tuple[dt.datetime, dt.datetime]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return local_to_utc(day=first, time=dt.time(0), tz=tz), local_to_utc(day=following, time=dt.time(0), tz=tz)


def month_parse(value: Any, *, user: User, now: dt.datetime) -> dt.date:
    if not isinstance(value, str):
        raise Invalid(gettext("Give a month like 2026-11."), field="month")
    try:
        month = dt.date.fromisoformat(value.strip() + "-01")
    except ValueError:
        raise Invalid(gettext("Give a month like 2026-11."), field="month") from None
    if month > local_date(instant=now, tz=user.timezone).replace(day=1):
        raise Invalid(gettext("That month hasn't happened yet."), field="month")
    return month


@transaction.atomic
def digest_share(*, user: User, month: Any, now: dt.datetime | None = None) -> Digest:
    """ "What helped me this month": the month's ways, counted, shared with
    the current partner. Once per month and couple (409 again)."""
    now = now or timezone.now()
    month = month_parse(month, user=user, now=now)
    couple = couple_for_user(user=user)
    if couple is None:
        raise Conflict(gettext("Sharing needs a partner to share it with."))
    since, until = month_bounds(month=month, tz=user.timezone)
    ways = steadied_ways(user=user, since=since, until=until)
    if not ways:
        raise Invalid(gettext("Nothing recorded that month yet."), field="month")
    if Digest.objects.filter(author=user, couple=couple, month=month).exists():
        raise Conflict(gettext("You've already shared that month."))
    sealed = crypto.cipher_for(user.pk, create=True).seal(SEAL_DIGEST, json.dumps(ways, ensure_ascii=False))
    try:
        with transaction.atomic():
            return Digest.objects.create(author=user, couple=couple, month=month, items_sealed=sealed, shared_at=now)
    except IntegrityError:
        raise Conflict(gettext("You've already shared that month.")) from None


def digest_unshare(*, user: User, digest_id: int) -> None:
    """Un-sharing deletes it: the partner's very next request finds nothing."""
    deleted, _count = Digest.objects.filter(pk=digest_id, author_id=user.pk).delete()
    if not deleted:
        raise Http404(gettext("No such digest."))


@transaction.atomic
def digest_acknowledge(*, user: User, digest_id: int, now: dt.datetime | None = None) -> Digest:
    from .selectors import digests_shared_with

    digest = digests_shared_with(user=user).select_for_update().filter(pk=digest_id).first()
    if digest is None:
        raise Http404(gettext("No such digest."))
    if digest.acknowledged_at is None:
        digest.acknowledged_at = now or timezone.now()
        digest.save(update_fields=["acknowledged_at"])
    return digest


def digest_items(digest: Digest) -> list[dict] | None:
    try:
        raw = crypto.cipher_for(digest.author_id).open(SEAL_DIGEST, digest.items_sealed)
    except crypto.Unreadable:
        return None
    return json.loads(raw or "[]")


def partner_phrases_for(*, occurrence: Occurrence, user: User) -> list[str]:
    """The partner's own phrases, shown to ``user`` only inside an open
    occurrence of their couple (else an empty list)."""
    if not occurrence_is_open(occurrence, timezone.now()):
        return []
    partner = couple_partner_of(couple=occurrence.couple, user=user)
    if partner is None:
        return []
    return list(Phrase.objects.filter(owner=partner).values_list("text", flat=True))
