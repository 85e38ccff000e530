"""Check-in reads, scoped to the member who asks (404 for anyone else)."""

import datetime as dt
from collections import defaultdict

from django.db.models import Case, Count, F, FilteredRelation, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from backend.prepared import PreparedList, PreparedRows
from couples.models import Couple
from couples.selectors import couple_get_for_member, couple_ids_of_member, couple_partner_of

from .models import Answer, CheckIn, Event, Format, Schedule

STATUSES = ("upcoming", "open", "completed", "closed")


def formats_for_couple(*, couple: Couple) -> QuerySet[Format]:
    return Format.objects.filter(Q(couple__isnull=True) | Q(couple=couple)).order_by("couple_id", "id")


def format_get_for_couple(*, couple: Couple, key: str) -> Format | None:
    return formats_for_couple(couple=couple).filter(key=key).first()


def schedules_for_member(*, user: User, couple: Couple | None = None) -> QuerySet[Schedule]:
    couple = couple or couple_get_for_member(user=user)
    return Schedule.objects.filter(couple=couple).select_related("format").order_by("time", "id")


def schedules_for_card(*, couple: Couple, limit: int) -> QuerySet[Schedule]:
    """The couple's schedules for the home card, proposals first, without
    the formats' steps: one query."""
    proposals_first = Case(When(status=Schedule.Status.PROPOSED, then=Value(0)), default=Value(1))
    return (
        Schedule.objects.filter(couple=couple)
        .select_related("format")
        .defer("format__steps", "format__description")
        .order_by(proposals_first, "time", "id")[:limit]
    )


# The home card's read, prepared once per limit (backend.prepared).
SCHEDULES_FOR_CARD = PreparedRows(schedules_for_card, objects={"couple": Couple})


def schedule_get_for_member(*, user: User, schedule_id: int) -> Schedule:
    try:
        return schedules_for_member(user=user).get(pk=schedule_id)
    except Schedule.DoesNotExist:
        raise Http404 from None


# What a list of check-ins shows: never CheckIn.steps, Format.steps or the
# answers' values (JSON that can be large, and parsing it was most of the
# list's time).
LIST_FIELDS = ("id", "scheduled_for", "closes_at", "revealed_at", "format__key", "format__name")
MY_STATE_FIELDS = ("my_answer_id", "my_submitted_at", "my_skipped_at")


def _with_my_state(qs: QuerySet[CheckIn], user: User) -> QuerySet[CheckIn]:
    """The viewer's own answer's state on each row, joined rather than
    prefetched: one query, whatever the number of rows. At most one answer
    per check-in and author (a unique constraint), so the join never
    repeats a row."""
    return qs.annotate(
        my_answer=FilteredRelation("answers", condition=Q(answers__author=user)),
        my_answer_id=F("my_answer__id"),
        my_submitted_at=F("my_answer__submitted_at"),
        my_skipped_at=F("my_answer__skipped_at"),
    )


def checkins_for_member(
    *,
    user: User,
    status: str | None = None,
    now: dt.datetime | None = None,
    couple: Couple | None = None,
    with_steps: bool = False,
) -> QuerySet[CheckIn]:
    """The couple's check-ins, with the list's columns only (and the
    check-in's own steps ``with_steps``) and the viewer's state
    (``my_state_of``). ``couple``: the member's couple when the caller has
    it already (it must be ``couple_get_for_member(user=user)``)."""
    couple = couple or couple_get_for_member(user=user)
    return _checkins(CheckIn.objects.filter(couple=couple), user=user, status=status, now=now, with_steps=with_steps)


def _checkins(
    qs: QuerySet[CheckIn], *, user: User, status: str | None, now: dt.datetime | None, with_steps: bool = False
) -> QuerySet[CheckIn]:
    fields = (*LIST_FIELDS, "steps") if with_steps else LIST_FIELDS
    qs = _with_my_state(qs.select_related("format").only(*fields), user)
    return _by_status(qs, status=status, now=now or timezone.now())


def checkin_rows_for_member(*, user: User, status: str | None = None, now: dt.datetime | None = None) -> QuerySet:
    """``checkins_for_member`` as plain rows (dicts of LIST_FIELDS and
    MY_STATE_FIELDS): the API list builds no model instance per row. The
    couple by subquery: empty for someone not paired, which the list tells
    apart (``couples.api.MemberListMixin``)."""
    qs = CheckIn.objects.filter(couple__in=couple_ids_of_member(user=user))
    return _checkins(qs, user=user, status=status, now=now).values(*LIST_FIELDS, *MY_STATE_FIELDS)


# The API list, prepared once per status filter (backend.prepared).
CHECKIN_ROWS = PreparedList(checkin_rows_for_member, with_now=True)


def _by_status(qs: QuerySet[CheckIn], *, status: str | None, now: dt.datetime) -> QuerySet[CheckIn]:
    if status == "upcoming":
        return qs.filter(revealed_at__isnull=True, scheduled_for__gt=now).order_by("scheduled_for", "id")
    if status == "open":
        return qs.filter(revealed_at__isnull=True, scheduled_for__lte=now, closes_at__gt=now).order_by(
            "scheduled_for", "id"
        )
    if status == "completed":
        return qs.filter(revealed_at__isnull=False).order_by("-scheduled_for", "-id")
    if status == "closed":
        return qs.filter(revealed_at__isnull=True, closes_at__lte=now).order_by("-scheduled_for", "-id")
    return qs.order_by("-scheduled_for", "-id")


def checkin_get_for_member(*, user: User, checkin_id: int) -> CheckIn:
    couple = couple_get_for_member(user=user)
    try:
        return CheckIn.objects.select_related("format").get(pk=checkin_id, couple=couple)
    except CheckIn.DoesNotExist:
        raise Http404 from None


def access_checkin(user: User, checkin_id: int, *, lock: bool = False, with_live: bool = False) -> CheckIn:
    """The check-in, if ``user`` is one of its couple now
    (``Membership.objects.current()``); otherwise 404: a stranger, a
    therapist, a former partner and a missing check-in look the same. With
    ``lock``, the same query locks the check-in's row until the transaction
    ends (as Zulip's ``access_message(lock_message=True)``): every write to
    a check-in takes it, so membership is checked on the locked row and
    writers of one check-in go one at a time.

    ``with_live``: only a check-in whose live session has begun (else 404),
    with the session (``checkin.live``) read by the same query; with
    ``lock``, the session's row is locked too. Both rows are then read as
    they are once the locks are granted: PostgreSQL re-reads every row it
    locks, and only those (a row merely joined in would be read as it was
    before the wait). The check-in's row is locked first, as every other
    writer of the session locks it."""
    found = _ACCESS.first(user=user, checkin=checkin_id, lock=lock, with_live=with_live)
    if found is None:
        raise Http404
    return found


def _access(*, user: User, checkin: CheckIn, lock: bool, with_live: bool) -> QuerySet[CheckIn]:
    query = CheckIn.objects.filter(pk=checkin.pk, couple_id__in=couple_ids_of_member(user=user)).order_by()
    if with_live:
        query = query.filter(live__isnull=False).select_related("live")
    if lock:
        query = query.select_for_update(of=("self", "live") if with_live else ("self",))
    return query


# ``access_checkin``'s one statement, prepared once per (lock, with_live)
# (backend.prepared): every write to a check-in, live or not, starts with
# it, and building and compiling it was a third of a live answer's CPU.
_ACCESS = PreparedRows(_access, objects={"user": None, "checkin": CheckIn})


def checkin_last_seq_for_member(*, user: User, checkin_id: int) -> int | None:
    """The check-in's last event number if this person is one of its
    couple now, else None. One query: every live socket asks it every
    STEADY_LIVE_SYNC_SECONDS (checkins/consumers.py)."""
    return (
        CheckIn.objects.filter(pk=checkin_id, couple_id__in=couple_ids_of_member(user=user))
        .values_list("last_event_seq", flat=True)
        .first()
    )


def checkin_answers_for(*, checkin: CheckIn, user: User) -> tuple[Answer | None, Answer | None]:
    """(mine, partner's). The partner's is None until the reveal: this is the
    one place that decides (``_visible_answers``, also for a page of
    check-ins), so no page or endpoint can show it earlier."""
    return _visible_answers(checkin, list(Answer.objects.filter(checkin=checkin)), user)


def checkin_answers_for_page(*, checkins: list[CheckIn], user: User) -> dict[int, tuple[Answer | None, Answer | None]]:
    """``checkin_answers_for`` for each of a page of check-ins, by id, in
    one query."""
    answers = defaultdict(list)
    for answer in Answer.objects.filter(checkin__in=[c.pk for c in checkins]):
        answers[answer.checkin_id].append(answer)
    return {c.pk: _visible_answers(c, answers[c.pk], user) for c in checkins}


def _visible_answers(checkin: CheckIn, answers: list[Answer], user: User) -> tuple[Answer | None, Answer | None]:
    mine = next((a for a in answers if a.author_id == user.pk), None)
    partner = None
    if checkin.revealed_at is not None:
        partner = next((a for a in answers if a.author_id != user.pk and a.submitted_at is not None), None)
    return mine, partner


def my_state(answer: Answer | None) -> str:
    if answer is None:
        return "not_started"
    return _state(submitted_at=answer.submitted_at, skipped_at=answer.skipped_at)


def my_state_of(row) -> str:
    """``my_state`` of a row from ``checkins_for_member`` (a check-in, or a
    dict from ``checkin_rows_for_member``), from its joined columns."""
    if isinstance(row, dict):
        answer_id, submitted_at, skipped_at = (row[f] for f in MY_STATE_FIELDS)
    else:
        answer_id, submitted_at, skipped_at = (getattr(row, f) for f in MY_STATE_FIELDS)
    if answer_id is None:
        return "not_started"
    return _state(submitted_at=submitted_at, skipped_at=skipped_at)


def _state(*, submitted_at, skipped_at) -> str:
    if submitted_at is not None:
        return "submitted"
    if skipped_at is not None:
        return "skipped"
    return "draft"


def checkin_events_since(*, checkin: CheckIn, since: int) -> QuerySet[Event]:
    return Event.objects.filter(checkin=checkin, seq__gt=since).order_by("seq")


def consistency_for_couple(*, couple: Couple, now: dt.datetime | None = None) -> dict:
    """The couple's consistency, never one partner against the other:
    scheduled check-ins completed by both, out of those that have finished
    (revealed, or whose window ended), over the last 4 and 12 weeks.
    One query."""
    now = now or timezone.now()
    since4, since12 = now - dt.timedelta(weeks=4), now - dt.timedelta(weeks=12)
    finished = Q(revealed_at__isnull=False) | Q(closes_at__lte=now)
    base = CheckIn.objects.filter(couple=couple, scheduled_for__gte=since12, scheduled_for__lte=now).filter(finished)
    row = base.aggregate(
        s12=Count("id", filter=Q(schedule__isnull=False)),
        c12=Count("id", filter=Q(schedule__isnull=False, revealed_at__isnull=False)),
        s4=Count("id", filter=Q(schedule__isnull=False, scheduled_for__gte=since4)),
        c4=Count("id", filter=Q(schedule__isnull=False, revealed_at__isnull=False, scheduled_for__gte=since4)),
        adhoc12=Count("id", filter=Q(schedule__isnull=True, revealed_at__isnull=False)),
    )

    def ratio(done: int, total: int) -> float | None:
        return round(done / total, 3) if total else None

    return {
        "weeks_4": {"scheduled": row["s4"], "completed": row["c4"], "ratio": ratio(row["c4"], row["s4"])},
        "weeks_12": {"scheduled": row["s12"], "completed": row["c12"], "ratio": ratio(row["c12"], row["s12"])},
        "extra_completed_12_weeks": row["adhoc12"],
    }


def mood_series_for_member(
    *, user: User, couple: Couple, weeks: int = 12, now: dt.datetime | None = None
) -> list[dict]:
    """The viewer's own moods from revealed check-ins, as a series (a list of
    one, or none). Never the partner's as a chart: no scorekeeping between
    partners (issue #20, item 10); each saw the other's mood at each reveal,
    and a consenting therapist's summary has the couple's trend. One query."""
    now = now or timezone.now()
    rows = (
        Answer.objects.filter(
            author=user,
            checkin__couple=couple,
            checkin__revealed_at__isnull=False,
            checkin__scheduled_for__gte=now - dt.timedelta(weeks=weeks),
            mood__isnull=False,
        )
        .order_by("checkin__scheduled_for")
        .values_list("author_id", "author__display_name", "checkin__scheduled_for", "mood")
    )
    series: dict[int, dict] = defaultdict(lambda: {"points": []})
    for author_id, name, at, mood in rows:
        entry = series[author_id]
        entry.update(partner_id=author_id, display_name=name)
        entry["points"].append({"at": at, "mood": mood})
    return list(series.values())


def next_checkin_for_member(
    *, user: User, now: dt.datetime | None = None, couple: Couple | None = None
) -> CheckIn | None:
    now = now or timezone.now()
    return checkins_for_member(user=user, status="upcoming", now=now, couple=couple).first()


def checkins_open_and_next_for_member(
    *, user: User, now: dt.datetime, limit: int, couple: Couple | None = None
) -> tuple[list[CheckIn], CheckIn | None]:
    """(the first ``limit`` check-ins open now, the next upcoming one): the
    "open" and "upcoming" lists' heads, in one query. Both are the
    unrevealed check-ins whose window has not closed (an upcoming one
    closes after it starts, a check constraint), the open ones first in
    time order; a second query only when more than ``limit`` are open."""
    couple = couple or couple_get_for_member(user=user)
    window = OPEN_WINDOW.rows(user=user, couple=couple, now=now, limit=limit)
    open_now = [c for c in window if c.scheduled_for <= now]
    if len(open_now) > limit:
        return open_now[:limit], next_checkin_for_member(user=user, now=now, couple=couple)
    return open_now, next((c for c in window if c.scheduled_for > now), None)


def _open_window(*, user: User, couple: Couple, now: dt.datetime, limit: int) -> QuerySet[CheckIn]:
    return (
        checkins_for_member(user=user, now=now, couple=couple)
        .filter(revealed_at__isnull=True, closes_at__gt=now)
        .order_by("scheduled_for", "id")[: limit + 1]
    )


# The home card's read, prepared once per limit (backend.prepared).
OPEN_WINDOW = PreparedRows(_open_window, objects={"user": None, "couple": Couple}, now=True)


def live_snapshot(*, checkin: CheckIn, user: User, now: dt.datetime | None = None) -> dict:
    """The live session as this partner may see it: the partner's answer to a
    step only once both have answered it; presence is not here (it is never
    stored)."""
    from .models import LiveSession

    now = now or timezone.now()
    session = LiveSession.objects.filter(checkin=checkin).first() or LiveSession(checkin=checkin)
    answers = list(Answer.objects.filter(checkin=checkin).select_related("author"))
    mine = next((a for a in answers if a.author_id == user.pk), None)
    partner = next((a for a in answers if a.author_id != user.pk), None)
    steps = checkin.steps
    revealed = set(session.revealed_steps) if checkin.revealed_at is None else {s["key"] for s in steps}
    out_steps = []
    for index, step in enumerate(steps):
        key = step["key"]
        item = {**step, "index": index, "revealed": key in revealed, "mine": None, "partner": None}
        if mine is not None:
            item["mine"] = mine.values.get(key)
        if key in revealed and partner is not None:
            item["partner"] = partner.values.get(key)
        out_steps.append(item)
    finished = session.finished_at is not None or checkin.revealed_at is not None
    on_break = live_break_of(session=session, user=user, now=now) if not finished else None
    return {
        "checkin": checkin.pk,
        "status": "finished" if finished else ("paused" if on_break else "active"),
        "step_index": min(session.step_index, len(steps) - 1) if not finished else len(steps),
        "steps": out_steps,
        "ready": list(session.ready),
        "me_ready": user.pk in session.ready,
        "paused_until": on_break["until"] if on_break else None,
        "paused_by": on_break["by"] if on_break else None,
        "on_break": on_break,
        "last_event_seq": checkin.last_event_seq,
        "partner_name": getattr(couple_partner_of(couple=checkin.couple, user=user), "display_name", None),
    }


def live_break_of(*, session, user: User, now: dt.datetime) -> dict | None:
    """The session's break as ``user`` may see it, or None: who asked
    (``by``), until when (``until``; a time-out's time as it stands now,
    moved by an extension), ``back_around`` (that time as ``HH:MM`` on the
    viewer's own clock, a calm time rather than a countdown), whether it is
    a time-out (``timeout``: its period's id, else None) and whether this
    person may end it early (``can_end``: only the one who asked). A
    time-out's break lasts while its period is open, past its time too."""
    from . import breaks

    if session.paused_until is None:
        return None
    if session.paused_timeout is not None:
        until = breaks.away_until(period_id=session.paused_timeout)
        if until is None:
            return None
    elif session.is_paused(now):
        until = session.paused_until
    else:
        return None
    return {
        "by": session.paused_by_id,
        "until": until,
        "back_around": back_around(until=until, user=user),
        "timeout": session.paused_timeout,
        "can_end": session.paused_by_id == user.pk,
    }


def back_around(*, until: dt.datetime, user: User) -> str:
    """A return time on the viewer's clock, to the minute (rounded up: "back
    around 20:45" never comes before the time given)."""
    local = timezone.localtime(until, user.tzinfo)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return f"{local:%H:%M}"
