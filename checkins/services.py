"""Check-in writes: formats, schedules, occurrences, answers, reveal."""

import datetime as dt
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.models import User
from backend import localtime
from backend.errors import Conflict, Forbidden, Invalid
from couples.models import Couple, Membership
from reminders import services as reminders
from reminders.models import Reminder

from . import breaks, selectors
from .models import Answer, CheckIn, Event, Format, LiveSession, Schedule, StepKind
from .occurrences import occurrences
from .reminder_kinds import SCHEDULE_PROPOSED_KIND, schedule_proposal_occurrence

TEXT_MAX = 2000
CHOICE_MAX = 100


def _window() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "STEADY_CHECKIN_WINDOW_HOURS", 48))


def _horizon() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "STEADY_CHECKIN_HORIZON_DAYS", 21))


# --- events ------------------------------------------------------------------


def _events_append(*, checkin: CheckIn, events: list[tuple[str, dict]]) -> list[Event]:
    """The one writer of a check-in's event sequence: appends ``events``
    ((kind, data), in order) in one INSERT, moves the sequence on in one
    UPDATE, and broadcasts each event after commit. The caller holds the
    check-in's row lock (SQLite: the write lock) and read
    ``checkin.last_event_seq`` under it, so the next numbers are ours: gap-free
    and unique (the unique constraint backs it)."""
    if not events:
        return []
    now = timezone.now()
    first = checkin.last_event_seq + 1
    rows = [
        Event(checkin_id=checkin.pk, seq=first + i, kind=kind, data=data or {}, created_at=now)
        for i, (kind, data) in enumerate(events)
    ]
    checkin.last_event_seq = rows[-1].seq
    CheckIn.objects.filter(pk=checkin.pk).update(last_event_seq=checkin.last_event_seq)
    # Last: reading the ids it returns ends a pipeline (_pipelined) block's wait.
    Event.objects.bulk_create(rows)
    for event in rows:
        public = dict(event.data)
        transaction.on_commit(
            lambda seq=event.seq, kind=event.kind, data=public: _broadcast(
                checkin_id=checkin.pk, seq=seq, kind=kind, data=data
            )
        )
    return rows


# Live features subscribe here (see checkins/live.py); each takes
# (checkin_id, seq, kind, data) and runs after commit. Event data never holds
# answer content.
EVENT_LISTENERS: list = []


def _broadcast(*, checkin_id: int, seq: int, kind: str, data: dict) -> None:
    for listener in EVENT_LISTENERS:
        listener(checkin_id, seq, kind, data)


# --- formats -----------------------------------------------------------------


def _validate_steps(steps: Any) -> list[dict]:
    if not isinstance(steps, list) or not steps:
        raise Invalid(gettext("A format needs at least one step."), field="steps")
    if len(steps) > 12:
        raise Invalid(gettext("A format can have at most 12 steps."), field="steps")
    clean, seen = [], set()
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            raise Invalid(gettext("Step %(n)d must be an object.") % {"n": i + 1}, field="steps")
        key, prompt, kind = step.get("key"), step.get("prompt"), step.get("kind")
        if not isinstance(key, str) or not key.isidentifier() or len(key) > 40:
            raise Invalid(
                gettext("Step %(n)d needs a key of letters, digits and underscores.") % {"n": i + 1}, field="steps"
            )
        if key in seen:
            raise Invalid(gettext("Step key '%(key)s' is used twice.") % {"key": key}, field="steps")
        if not isinstance(prompt, str) or not prompt.strip() or len(prompt) > 300:
            raise Invalid(gettext("Step %(n)d needs a prompt of at most 300 characters.") % {"n": i + 1}, field="steps")
        if kind not in StepKind.values:
            raise Invalid(
                gettext("Step %(n)d has an unknown kind; use one of %(kinds)s.")
                % {"n": i + 1, "kinds": ", ".join(StepKind.values)},
                field="steps",
            )
        item = {"key": key, "kind": kind, "prompt": prompt.strip()}
        if kind == StepKind.CHOICE:
            options = step.get("options")
            if (
                not isinstance(options, list)
                or not 2 <= len(options) <= 10
                or not all(isinstance(o, str) and 0 < len(o) <= CHOICE_MAX for o in options)
            ):
                raise Invalid(gettext("Step %(n)d needs 2 to 10 short options.") % {"n": i + 1}, field="steps")
            item["options"] = options
        if isinstance(step.get("help"), str) and step["help"].strip():
            item["help"] = step["help"].strip()[:300]
        seen.add(key)
        clean.append(item)
    return clean


# Reserved: a repair conversation lives at /repairs/, never as a check-in
# format (issue #18), so no couple's own format may take this key.
REPAIR_KEY = "repair"


def format_create(*, couple: Couple, user: User, name: str, steps: list, description: str = "") -> Format:
    from django.utils.text import slugify

    steps = _validate_steps(steps)
    base = slugify(name)[:50] or "format"
    key, n = base, 1
    # Keys never shadow a built-in format's, so a key names one format.
    while key == REPAIR_KEY or Format.objects.filter(Q(couple=couple) | Q(couple__isnull=True), key=key).exists():
        n += 1
        key = f"{base}-{n}"
    return Format.objects.create(
        couple=couple, created_by=user, key=key, name=name, description=description, steps=steps, minutes=5
    )


# --- schedules ---------------------------------------------------------------


def _clean_weekdays(weekdays: list[int]) -> list[int]:
    if not weekdays:
        raise Invalid(gettext("Choose at least one day."), field="weekdays")
    return sorted(set(weekdays))


def _proposal_tell_partner(schedule: Schedule, *, user: User, now: dt.datetime) -> None:
    """The other partner hears of a proposal (a new schedule, a change, a
    request to resume) once per version, without a name or the schedule's
    details (``schedule_proposed``). Inside the writer's transaction: the
    reminder exists exactly when the proposal does."""
    partner_ids = [
        uid
        for uid in Membership.objects.current_of(couple_id=schedule.couple_id).values_list("user_id", flat=True)
        if uid != user.pk
    ]
    for partner_id in partner_ids:
        reminders.reminder_schedule(
            user_id=partner_id,
            kind=SCHEDULE_PROPOSED_KIND,
            target_id=schedule.pk,
            due_at=now,
            occurrence=schedule_proposal_occurrence(schedule.version),
        )


def _proposal_told_end(schedule_ids: list[int]) -> None:
    # Accepted, declined or gone: a notice not yet sent has nothing to ask.
    reminders.reminders_cancel(kind_prefix=SCHEDULE_PROPOSED_KIND, target_ids=schedule_ids)


@transaction.atomic
def schedule_propose(
    *, couple: Couple, user: User, format: Format, weekdays: list[int], time: dt.time, timezone_name: str | None
) -> Schedule:
    now = timezone.now()
    schedule = Schedule.objects.create(
        couple=couple,
        format=format,
        weekdays=_clean_weekdays(weekdays),
        time=time.replace(second=0, microsecond=0),
        timezone=timezone_name or couple.timezone,
        status=Schedule.Status.PROPOSED,
        proposed_by=user,
        created_at=now,
        updated_at=now,
    )
    _proposal_tell_partner(schedule, user=user, now=now)
    return schedule


def _locked_schedule(schedule: Schedule) -> Schedule:
    return Schedule.objects.select_for_update().get(pk=schedule.pk)


def _drop_future_occurrences(schedule: Schedule, now: dt.datetime) -> None:
    # Only occurrences nobody has touched: anything answered stays history.
    CheckIn.objects.filter(schedule=schedule, scheduled_for__gt=now, answers__isnull=True).delete()
    Schedule.objects.filter(pk=schedule.pk).update(generated_until=None)
    schedule.generated_until = None


@transaction.atomic
def schedule_accept(*, schedule: Schedule, user: User, version: int | None = None) -> Schedule:
    schedule = _locked_schedule(schedule)
    if schedule.status != Schedule.Status.PROPOSED:
        raise Conflict(gettext("This schedule is not waiting for acceptance."))
    if schedule.proposed_by_id == user.pk:
        raise Forbidden(gettext("Your partner needs to accept this; you proposed it."))
    if version is not None and version != schedule.version:
        raise Conflict(gettext("This schedule changed since you read it. Please look again."))
    now = timezone.now()
    schedule.status = Schedule.Status.ACTIVE
    schedule.accepted_by = user
    schedule.accepted_at = now
    schedule.paused_by = None
    schedule.updated_at = now
    schedule.save(update_fields=["status", "accepted_by", "accepted_at", "paused_by", "updated_at"])
    _proposal_told_end([schedule.pk])
    schedule_materialize(schedule=schedule, now=now)
    return schedule


@transaction.atomic
def schedule_update(*, schedule: Schedule, user: User, fields: dict) -> Schedule:
    """Any change goes back to proposed, proposed by whoever changed it."""
    schedule = _locked_schedule(schedule)
    now = timezone.now()
    if "weekdays" in fields:
        schedule.weekdays = _clean_weekdays(fields["weekdays"])
    if "time" in fields:
        schedule.time = fields["time"].replace(second=0, microsecond=0)
    if "timezone" in fields:
        schedule.timezone = fields["timezone"]
    if "format" in fields:
        schedule.format = fields["format"]
    schedule.status = Schedule.Status.PROPOSED
    schedule.proposed_by = user
    schedule.accepted_by = None
    schedule.accepted_at = None
    schedule.version = F("version") + 1
    schedule.updated_at = now
    schedule.save()
    schedule.refresh_from_db()
    _drop_future_occurrences(schedule, now)
    _proposal_tell_partner(schedule, user=user, now=now)
    return schedule


@transaction.atomic
def schedule_pause(*, schedule: Schedule, user: User) -> Schedule:
    """Either partner can pause, alone: it takes two to keep a rhythm."""
    schedule = _locked_schedule(schedule)
    if schedule.status == Schedule.Status.PAUSED:
        return schedule
    now = timezone.now()
    schedule.status = Schedule.Status.PAUSED
    schedule.paused_by = user
    schedule.updated_at = now
    schedule.save(update_fields=["status", "paused_by", "updated_at"])
    _drop_future_occurrences(schedule, now)
    return schedule


@transaction.atomic
def schedule_resume(*, schedule: Schedule, user: User) -> Schedule:
    """Resuming is a new proposal: the other partner accepts it again, so a
    pause is never overridden by one person alone."""
    schedule = _locked_schedule(schedule)
    if schedule.status != Schedule.Status.PAUSED:
        raise Conflict(gettext("This schedule is not paused."))
    schedule.status = Schedule.Status.PROPOSED
    schedule.proposed_by = user
    schedule.accepted_by = None
    schedule.accepted_at = None
    schedule.version = F("version") + 1
    schedule.updated_at = timezone.now()
    schedule.save()
    schedule.refresh_from_db()
    _proposal_tell_partner(schedule, user=user, now=schedule.updated_at)
    return schedule


@transaction.atomic
def schedule_delete(*, schedule: Schedule, user: User) -> None:
    schedule = _locked_schedule(schedule)
    _drop_future_occurrences(schedule, timezone.now())
    _proposal_told_end([schedule.pk])
    schedule.delete()


def schedule_materialize(*, schedule: Schedule, now: dt.datetime | None = None) -> int:
    """Creates the schedule's check-ins up to the horizon. Idempotent: one
    check-in per schedule per local date, backed by a unique constraint."""
    if schedule.status != Schedule.Status.ACTIVE:
        return 0
    now = now or timezone.now()
    start = max(schedule.generated_until or now, now)
    end = now + _horizon()
    if start >= end:
        return 0
    tz = localtime.zone(name=schedule.timezone)
    fmt = schedule.format
    rows = [
        CheckIn(
            couple_id=schedule.couple_id,
            format=fmt,
            steps=fmt.steps,
            schedule=schedule,
            local_date=day,
            scheduled_for=instant,
            closes_at=instant + _window(),
            created_at=now,
        )
        for day, instant in occurrences(weekdays=schedule.weekdays, time=schedule.time, tz=tz, start=start, end=end)
    ]
    CheckIn.objects.bulk_create(rows, ignore_conflicts=True)
    # Each new occurrence starts its event sequence with "created".
    fresh = list(CheckIn.objects.filter(schedule=schedule, last_event_seq=0).values_list("pk", flat=True))
    Event.objects.bulk_create(
        [Event(checkin_id=pk, seq=1, kind=Event.Kind.CREATED, created_at=now) for pk in fresh], ignore_conflicts=True
    )
    CheckIn.objects.filter(pk__in=fresh).update(last_event_seq=1)
    reminders.checkin_reminders_create(
        checkins=list(CheckIn.objects.filter(pk__in=fresh).only("id", "couple_id", "scheduled_for", "closes_at")),
        now=now,
    )
    Schedule.objects.filter(pk=schedule.pk).update(generated_until=end)
    schedule.generated_until = end
    return len(fresh)


def schedules_extend_horizon(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """The periodic task's body: extend active schedules whose occurrences
    run out within 14 days. Cost follows the schedules due, not the table."""
    now = now or timezone.now()
    due_before = now + dt.timedelta(days=14)
    total = 0
    ids = list(
        Schedule.objects.filter(status=Schedule.Status.ACTIVE, generated_until__lt=due_before)
        .order_by("generated_until")
        .values_list("pk", flat=True)[:batch]
    )
    ids += list(
        Schedule.objects.filter(status=Schedule.Status.ACTIVE, generated_until__isnull=True).values_list(
            "pk", flat=True
        )[:batch]
    )
    for schedule in Schedule.objects.filter(pk__in=ids).select_related("format"):
        with transaction.atomic():
            total += schedule_materialize(schedule=schedule, now=now)
    return total


# --- check-ins -----------------------------------------------------------------


@transaction.atomic
def checkin_start(*, couple: Couple, user: User, format: Format) -> CheckIn:
    now = timezone.now()
    checkin = CheckIn.objects.create(
        couple=couple,
        format=format,
        steps=format.steps,
        scheduled_for=now,
        closes_at=now + _window(),
        created_by=user,
        created_at=now,
    )
    _events_append(checkin=checkin, events=[(Event.Kind.CREATED, {})])
    reminders.checkin_reminders_create(checkins=[checkin], started_by_id=user.pk, now=now)
    return checkin


def _validate_answers(steps: list[dict], values: Any, *, complete: bool) -> tuple[dict, int | None]:
    if not isinstance(values, dict):
        raise Invalid(gettext("Answers must be an object of step keys to values."), field="answers")
    by_key = {s["key"]: s for s in steps}
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key, value in values.items():
        step = by_key.get(key)
        if step is None:
            errors[key] = [gettext("This check-in has no step with this key.")]
            continue
        if value is None or value == "":
            continue
        kind = step["kind"]
        if kind == StepKind.MOOD:
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
                errors[key] = [gettext("Choose a mood from 1 to 5.")]
                continue
        elif kind == StepKind.TEXT:
            if not isinstance(value, str):
                errors[key] = [gettext("Write your answer as text.")]
                continue
            value = value.strip()
            if len(value) > TEXT_MAX:
                errors[key] = [gettext("Keep it under %(n)d characters.") % {"n": TEXT_MAX}]
                continue
        elif kind == StepKind.CHOICE:
            if value not in step.get("options", []):
                errors[key] = [gettext("Choose one of the options.")]
                continue
        elif kind == StepKind.AGREEMENTS and (not isinstance(value, dict) or len(value) > 50):
            # Each reflection's note is validated by the agreements app.
            errors[key] = [gettext("Reflect on agreements as an object.")]
            continue
        if value != "":
            clean[key] = value
    if complete:
        for step in steps:
            if step["key"] not in clean and step["key"] not in errors:
                errors[step["key"]] = [gettext("Please answer this step before sending.")]
    if errors:
        raise Invalid(gettext("Some answers need another look."), errors={"answers": errors})
    mood_key = next((s["key"] for s in steps if s["kind"] == StepKind.MOOD), None)
    return clean, clean.get(mood_key) if mood_key else None


def _agreements_step_record(*, checkin: CheckIn, author: User, clean: dict) -> None:
    """An ``agreements`` step is a reflection on each agreement, recorded in
    the agreements app (revealed there together, per period)."""
    from agreements.services import agreement_reflections_from_checkin

    for step in checkin.steps:
        value = clean.get(step["key"])
        if step["kind"] != StepKind.AGREEMENTS or not isinstance(value, dict):
            continue
        try:
            agreement_reflections_from_checkin(checkin=checkin, author=author, value=value)
        except Invalid as exc:
            found = (exc.errors or {}).get("agreements", [])
            messages = [m for ms in found.values() for m in ms] if isinstance(found, dict) else list(found)
            raise Invalid(
                gettext("Some answers need another look."), errors={"answers": {step["key"]: messages or [exc.message]}}
            ) from exc


def _locked_checkin(checkin: CheckIn) -> CheckIn:
    return CheckIn.objects.select_for_update().get(pk=checkin.pk)


def _ensure_answerable(checkin: CheckIn, now: dt.datetime) -> None:
    if checkin.revealed_at is not None:
        raise Conflict(gettext("Answers were revealed; this check-in is read-only now."))
    if now < checkin.scheduled_for:
        raise Conflict(gettext("This check-in has not opened yet."))
    if now >= checkin.closes_at:
        raise Conflict(gettext("This check-in has closed."))


@transaction.atomic
def checkin_answer(*, checkin: CheckIn, author: User, values: dict, submit: bool = True) -> CheckIn:
    """Saves the author's answers (a draft, or submitted). When both partners
    have submitted, both are revealed at once."""
    checkin = _locked_checkin(checkin)
    now = timezone.now()
    _ensure_answerable(checkin, now)
    answer, _ = Answer.objects.select_for_update().get_or_create(checkin=checkin, author=author)
    live = LiveSession.objects.filter(checkin=checkin).first()
    if _answer_write(checkin=checkin, answer=answer, author=author, live=live, values=values, submit=submit, now=now):
        _events_append(checkin=checkin, events=[(Event.Kind.ANSWERED, {})])
        checkin_reveal(checkin=checkin, now=now)
    return checkin


def _answer_write(
    *,
    checkin: CheckIn,
    answer: Answer,
    author: User,
    live: LiveSession | None,
    values: Any,
    submit: bool,
    now: dt.datetime,
) -> bool:
    """Validates and saves the author's answers, as a draft or sent (and
    their agreement reflections, once sent). Returns whether this sent them
    for the first time; the caller, holding the check-in's lock, then
    appends "answered" and asks ``checkin_reveal``."""
    stored = answer.values or {}
    if live is not None and isinstance(values, dict):
        # Left out, a step revealed live keeps its answer.
        values = {**{key: stored[key] for key in live.revealed_steps if key in stored}, **values}
    clean, mood = _validate_answers(checkin.steps, values, complete=submit)
    if live is not None:
        _live_reveals_kept(live=live, before=stored, after=clean)
        # A live answer changed or cleared here, before its reveal, is a draft now.
        _live_answers_withdraw(live=live, author=author, keep=lambda key: clean.get(key) == stored.get(key))
    first_submit = submit and answer.submitted_at is None
    answer.values = clean
    answer.mood = mood
    answer.updated_at = now
    answer.skipped_at = None
    answer.skip_reason = ""
    if submit:
        answer.submitted_at = answer.submitted_at or now
    answer.save()
    if submit:
        _agreements_step_record(checkin=checkin, author=author, clean=clean)
    return first_submit


def checkin_reveal(*, checkin: CheckIn, now: dt.datetime) -> bool:
    """Reveal together: once both partners have *sent* their answers (a
    draft or a skip is not sent), both are revealed at once and are final.
    The only writer of ``CheckIn.revealed_at`` and the only emitter of the
    ``revealed`` event; what each path may then show is decided by
    ``selectors.checkin_answers_for`` and ``selectors.live_snapshot``. The
    caller holds the check-in's row lock, so two partners sending at once
    reveal it exactly once. (A step of a live session is revealed by
    ``live_step_reveal``.)"""
    if checkin.revealed_at is not None:
        return False
    if Answer.objects.filter(checkin=checkin, submitted_at__isnull=False).count() < 2:
        return False
    checkin.revealed_at = now
    checkin.save(update_fields=["revealed_at"])
    _events_append(checkin=checkin, events=[(Event.Kind.REVEALED, {})])
    return True


def _live_reveals_kept(*, live: LiveSession, before: dict, after: dict) -> None:
    """A step revealed in the live session is final on every path: PUT
    /answers/ may repeat its answer or leave it out, never change or clear
    it (409), so neither partner can rewrite what the other has seen."""
    changed = {
        key: [gettext("This answer was revealed in your live check-in; it can't be changed now.")]
        for key in live.revealed_steps
        if key in before and after.get(key) != before[key]
    }
    if changed:
        raise Conflict(
            gettext("This answer was revealed in your live check-in; it can't be changed now."),
            errors={"answers": changed},
        )


def _live_answers_withdraw(*, live: LiveSession, author: User, keep) -> None:
    """Takes back the author's live answers to unrevealed steps for which
    ``keep(key)`` is false: they count as answered live no more, so the
    step's reveal waits until they answer it live again."""
    mine = live.answered.get(str(author.pk), [])
    kept = [key for key in mine if key in live.revealed_steps or keep(key)]
    if kept != mine:
        live.answered = {**live.answered, str(author.pk): kept}
        live.save(update_fields=["answered"])


@transaction.atomic
def checkin_skip(*, checkin: CheckIn, author: User, reason: str = "") -> CheckIn:
    """A private choice: no event, nothing the partner can see."""
    checkin = _locked_checkin(checkin)
    now = timezone.now()
    if checkin.revealed_at is not None:
        raise Conflict(gettext("Answers were revealed; this check-in is read-only now."))
    if now >= checkin.closes_at:
        raise Conflict(gettext("This check-in has closed."))
    answer, _ = Answer.objects.select_for_update().get_or_create(checkin=checkin, author=author)
    if answer.submitted_at is not None:
        raise Conflict(gettext("You already sent your answers."))
    answer.skipped_at = now
    answer.skip_reason = reason.strip()
    answer.updated_at = now
    answer.save(update_fields=["skipped_at", "skip_reason", "updated_at"])
    live = LiveSession.objects.filter(checkin=checkin).first()
    if live is not None:
        # Skipping takes back what was answered live and not yet revealed:
        # a skipped check-in reveals nothing more of the one who skipped.
        _live_answers_withdraw(live=live, author=author, keep=lambda key: False)
    return checkin


def checkins_close_expired(*, now: dt.datetime | None = None, batch: int = 1000) -> int:
    """Records the end of check-ins whose window passed without a reveal:
    nothing is revealed to anyone, nobody is told who did not answer."""
    now = now or timezone.now()
    ids = list(
        CheckIn.objects.filter(revealed_at__isnull=True, closed_at__isnull=True, closes_at__lte=now).values_list(
            "pk", flat=True
        )[:batch]
    )
    closed = 0
    for pk in ids:
        with transaction.atomic():
            # Conditional claim: a second worker running at once skips it.
            if CheckIn.objects.filter(pk=pk, revealed_at__isnull=True, closed_at__isnull=True).update(closed_at=now):
                # The update holds the row's lock: the sequence read now is the last.
                checkin = CheckIn.objects.only("id", "last_event_seq").get(pk=pk)
                _events_append(checkin=checkin, events=[(Event.Kind.CLOSED, {})])
                closed += 1
    return closed


# --- live sessions ---------------------------------------------------------------

LIVE_PAUSE_MIN, LIVE_PAUSE_MAX = breaks.PLAIN_MIN, breaks.PLAIN_MAX


@contextmanager
def _pipelined():
    """On PostgreSQL, the statements run in this block are sent without
    waiting for each one's result (psycopg's pipeline mode): they travel
    together, and the first result read (or the block's end) waits once for
    all of them. The live writes use it to save their round trips
    (bench/live.py: on the ORM without it, an answer's p95 was 3.4 times the
    durable-write echo, against the target of 3). Inside: no row counts are
    read (``save(update_fields=...)`` reads one; use ``QuerySet.update``),
    and errors surface at the wait, inside the transaction, before its
    COMMIT. Re-entrant; elsewhere it does nothing."""
    if connection.vendor != "postgresql" or (connection.connection and connection.connection._pipeline):
        yield
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def _live_locked(*, user: User, checkin: CheckIn) -> tuple[CheckIn, LiveSession]:
    """A live write's start: the check-in and its session, locked and read
    in one query where the writer is one of the couple (``access_checkin``;
    else 404). Before the session's first write there is no session to
    lock: the check-in alone is locked, then the session made. On
    PostgreSQL the transaction's BEGIN travels with the lock."""
    checkin_id = checkin.pk
    with _pipelined():
        try:
            checkin = selectors.access_checkin(user, checkin_id, lock=True, with_live=True)
        except Http404:
            checkin = None
    if checkin is not None:
        return checkin, checkin.live
    checkin = selectors.access_checkin(user, checkin_id, lock=True)
    return checkin, _live_session(checkin)


def _live_save(*, checkin: CheckIn, session: LiveSession, changed: list[str], events: list) -> None:
    """A live write's end: the session's ``changed`` fields in one UPDATE and
    the events (``_events_append``), in one round trip on PostgreSQL."""
    with _pipelined():
        if changed:
            LiveSession.objects.filter(pk=session.pk).update(**{name: getattr(session, name) for name in changed})
        _events_append(checkin=checkin, events=events)


def _live_session(checkin: CheckIn) -> LiveSession:
    """The session's row, made by the session's first write. Read in a
    statement of its own *after* the check-in's lock is granted: a row
    joined into the locking query is read as it was before the lock
    (PostgreSQL re-reads only the locked row), and two partners pressing
    "ready" at once would each miss the other's. Only lock holders write
    it, so the read-then-create cannot race."""
    try:
        return LiveSession.objects.get(checkin=checkin)
    except LiveSession.DoesNotExist:
        return LiveSession.objects.create(checkin=checkin)


def live_step_revealable(*, answered: dict[str, list[str]], step: str, skipped: set[int]) -> bool:
    """Reveal together, in a live session: a step is revealed once both
    partners answered it *live* (``LiveSession.answered``, written only by
    the live answer) and neither of them has an active skip. A value saved
    through PUT /answers/ is a draft and never counts, even though it shares
    the Answer row with live answers; a skipped check-in reveals nothing of
    the one who skipped (answering live again clears their skip)."""
    answered_by = {int(author) for author, steps in answered.items() if step in steps}
    return len(answered_by) >= 2 and not (answered_by & skipped)


def live_break_on(session: LiveSession, now: dt.datetime) -> bool:
    """Whether the session's break is still on. A plain break ends at its
    time; a time-out (``paused_timeout``) lasts while its period is open,
    past its time too, until the one who left is back (from the check-in,
    the time-out's page or the API) or it closes otherwise. One query, and
    only during a time-out."""
    if session.paused_timeout is not None:
        return breaks.away_until(period_id=session.paused_timeout) is not None
    return session.is_paused(now)


BREAK_ON = gettext_noop("You're taking a break; the check-in picks up again when it ends.")


def _live_writable(checkin: CheckIn, session: LiveSession, now: dt.datetime) -> tuple[list[str], list]:
    """Refuses a write the session cannot take now; returns the session
    fields and events that the write must save with its own (a time-out
    that closed elsewhere is tidied up by the next write)."""
    _ensure_answerable(checkin, now)
    if session.finished_at is not None:
        raise Conflict(gettext("This session has ended."))
    if live_break_on(session, now):
        raise Conflict(gettext(BREAK_ON))
    if session.paused_timeout is None:
        return [], []
    # The time-out closed away from the check-in (its page, the missed
    # sweep): the session picks up again, as if its taker had pressed resume.
    events = [_resumed(session)]
    return _break_clear(session), events


def _resumed(session: LiveSession) -> tuple[str, dict]:
    return ("session_resumed", {"by": session.paused_by_id})


def _break_clear(session: LiveSession) -> list[str]:
    session.paused_until = session.paused_by = session.paused_timeout = None
    return ["paused_until", "paused_by", "paused_timeout"]


def _partner_ids(checkin: CheckIn) -> list[int]:
    return list(
        Membership.objects.current_of(couple_id=checkin.couple_id).order_by("user_id").values_list("user_id", flat=True)
    )


@transaction.atomic
def live_answer(*, checkin: CheckIn, user: User, step: str, value: Any) -> CheckIn:
    """One partner's answer to the current step, private until both have
    answered it; then the step is revealed to both at once. The writer must
    be one of the couple (checked under the lock; otherwise 404)."""
    checkin, session = _live_locked(user=user, checkin=checkin)
    now = timezone.now()
    changed, events = _live_writable(checkin, session, now)
    steps = checkin.steps
    if session.step_index >= len(steps) or steps[session.step_index]["key"] != step:
        raise Conflict(gettext("That is not the step you are both on."))
    if step in session.revealed_steps:
        raise Conflict(gettext("This step's answers were revealed; it can't be changed now."))
    clean, _ = _validate_answers(steps, {step: value}, complete=False)
    if step not in clean:
        raise Invalid(gettext("Please answer this step."), errors={"value": [gettext("Please answer this step.")]})
    answers = {a.author_id: a for a in Answer.objects.filter(checkin=checkin)}
    answer = answers.setdefault(user.pk, Answer(checkin=checkin, author=user))
    answer.values = {**answer.values, step: clean[step]}
    if step == next((s["key"] for s in steps if s["kind"] == StepKind.MOOD), None):
        answer.mood = clean[step]
    # An answer given live also clears an earlier skip: they are taking part.
    answer.skipped_at, answer.skip_reason, answer.updated_at = None, "", now
    mine_live = session.answered.get(str(user.pk), [])
    if step not in mine_live:
        session.answered = {**session.answered, str(user.pk): [*mine_live, step]}
        changed.append("answered")
        events.append(("step_answered", {"step": step}))
    skipped = {author for author, a in answers.items() if a.skipped_at is not None}
    if live_step_reveal(session=session, step=step, skipped=skipped, events=events):
        changed.append("revealed_steps")
    with _pipelined():
        if answer.pk is None:
            answer.save()
        else:
            saved = ("values", "mood", "skipped_at", "skip_reason", "updated_at")
            Answer.objects.filter(pk=answer.pk).update(**{name: getattr(answer, name) for name in saved})
        _live_save(checkin=checkin, session=session, changed=changed, events=events)
    return checkin


def live_step_reveal(*, session: LiveSession, step: str, skipped: set[int], events: list) -> bool:
    """Reveal together, for one step of a live session (the rule:
    ``live_step_revealable``; ``skipped``: the partners with an active skip).
    The only writer of ``revealed_steps`` and the only emitter of
    ``step_revealed``: it marks the step revealed on ``session`` and adds the
    event to ``events``; the caller, holding the check-in's lock (so the
    two partners' answers cannot both miss it), saves the session and
    appends the events in the same transaction."""
    if step in session.revealed_steps:
        return False
    if not live_step_revealable(answered=session.answered, step=step, skipped=skipped):
        return False
    session.revealed_steps = [*session.revealed_steps, step]
    events.append(("step_revealed", {"step": step}))
    return True


@transaction.atomic
def live_ready(*, checkin: CheckIn, user: User) -> CheckIn:
    """Ready to move on. When both are ready the session moves to the next
    step; after the last, both partners' answers are sent and the check-in
    revealed (``_live_answers_send``)."""
    checkin, session = _live_locked(user=user, checkin=checkin)
    now = timezone.now()
    changed, events = _live_writable(checkin, session, now)
    steps = checkin.steps
    current = steps[session.step_index]["key"]
    if current not in session.revealed_steps:
        raise Conflict(gettext("You can move on once you have both answered this step."))
    if user.pk in session.ready:
        if changed:
            _live_save(checkin=checkin, session=session, changed=changed, events=events)
        return checkin
    ready = sorted([*session.ready, user.pk])
    events.append(("step_ready", {"step": current, "by": user.pk}))
    # Only the couple's two members can be in the list (checked under the lock).
    if len(set(ready)) < 2:
        session.ready = ready
        changed.append("ready")
    else:
        session.step_index += 1
        session.ready = []
        changed += ["step_index", "ready"]
        if session.step_index < len(steps):
            events.append(("step_advanced", {"step_index": session.step_index}))
        else:
            session.finished_at = now
            changed.append("finished_at")
            events.append(("session_finished", {}))
    _live_save(checkin=checkin, session=session, changed=changed, events=events)
    if session.finished_at is not None:
        _live_answers_send(checkin=checkin, session=session, now=now)
    return checkin


def _live_answers_send(*, checkin: CheckIn, session: LiveSession, now: dt.datetime) -> None:
    """The session is over: both partners' answers are sent as the form
    sends them (``_answer_write``), and the check-in is revealed once, by
    ``checkin_reveal``. The caller holds the check-in's lock."""
    answers = (
        Answer.objects.filter(checkin=checkin, author_id__in=_partner_ids(checkin))
        .select_related("author")
        .order_by("author_id")
    )
    sent = [
        (Event.Kind.ANSWERED, {})
        for answer in answers
        if _answer_write(
            checkin=checkin,
            answer=answer,
            author=answer.author,
            live=session,
            values=answer.values,
            submit=True,
            now=now,
        )
    ]
    _events_append(checkin=checkin, events=sent)
    checkin_reveal(checkin=checkin, now=now)


@transaction.atomic
def live_pause(*, checkin: CheckIn, user: User, minutes: int | None = None) -> CheckIn:
    """Either partner can call a break when it gets heated, with a return
    time both see. With the couple's time-out rules in force the break *is*
    a time-out (``checkins.breaks``; repair/live_breaks.py): bounded by the
    rules (``minutes`` defaults to their minimum), reminded and closed as a
    time-out is, and the session waits until its taker is back. Without
    rules it is the plain break: 20 to 60 minutes (default 20), both
    reminded at its time. Either way only the one who asked can end it
    early (``live_resume``)."""
    checkin, session = _live_locked(user=user, checkin=checkin)
    now = timezone.now()
    changed, events = _live_writable(checkin, session, now)
    taken = breaks.take(couple_id=checkin.couple_id, user=user, minutes=minutes, now=now)
    if taken is None:
        minutes = LIVE_PAUSE_MIN if minutes is None else minutes
        if not LIVE_PAUSE_MIN <= minutes <= LIVE_PAUSE_MAX:
            raise Invalid(
                gettext("Choose a break of %(min)d to %(max)d minutes.")
                % {"min": LIVE_PAUSE_MIN, "max": LIVE_PAUSE_MAX},
                field="minutes",
            )
        session.paused_until = now + dt.timedelta(minutes=minutes)
        session.paused_timeout = None
    else:
        session.paused_until = taken.until
        session.paused_timeout = taken.period_id
    session.paused_by = user
    data = {"until": session.paused_until.isoformat(), "by": user.pk, "timeout": taken is not None}
    changed = [*dict.fromkeys([*changed, "paused_until", "paused_by", "paused_timeout"])]
    _live_save(checkin=checkin, session=session, changed=changed, events=[*events, ("session_paused", data)])
    if taken is None:
        # A time-out has its own reminders: its taker at the return time,
        # the partner when they are back (space/reminder_kinds.py).
        reminders.reminders_schedule_many(
            Reminder(
                user_id=partner_id,
                kind="live_resume",
                target_id=checkin.pk,
                due_at=session.paused_until,
                occurrence=session.paused_until.strftime("%Y%m%dT%H%M%S"),
            )
            for partner_id in _partner_ids(checkin)
        )
    return checkin


@transaction.atomic
def live_resume(*, checkin: CheckIn, user: User) -> CheckIn:
    """Ends the break early. Only the one who asked for it can (403 for the
    other, who sees the return time and has nothing to do meanwhile: no
    nudge, no "are you back?"). For a time-out this is coming back from it
    (``breaks.come_back``: kept, or late past its time). A break already
    over changes nothing."""
    checkin, session = _live_locked(user=user, checkin=checkin)
    now = timezone.now()
    if session.paused_until is None:
        return checkin
    if not live_break_on(session, now):
        if session.paused_timeout is not None:
            # The time-out closed elsewhere; the session catches up.
            events = [_resumed(session)]
            _live_save(checkin=checkin, session=session, changed=_break_clear(session), events=events)
        return checkin
    if session.paused_by_id != user.pk:
        raise Forbidden(gettext("Only the one who asked for the break can end it early."))
    if session.paused_timeout is not None:
        breaks.come_back(period_id=session.paused_timeout, user=user, now=now)
    events = [_resumed(session)]
    _live_save(checkin=checkin, session=session, changed=_break_clear(session), events=events)
    return checkin
