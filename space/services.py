"""Taking space: the promise to reconnect, its extension before the time,
marking the return (kept or late), and the system recording "missed".

Only the person taking space writes here. There is deliberately no write
for the other partner: no ping, no poke, no "are you back yet?" - the
return time replaces the need to chase."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from accounts.models import User
from backend.errors import Conflict, Forbidden, Invalid
from backend.localtime import zone
from couples.models import Couple
from couples.selectors import couple_partner_of
from reminders import services as reminders

from .models import NOTE_MAX, Extension, Kind, SpacePeriod, Status

SOON_KIND = "space_reconnect_soon"
# A time-out's author is reminded at the return time itself (not ten
# minutes before): the rules' minimum is the point of the break.
TIMEOUT_RETURN_KIND = "space_timeout_return"
STARTED_KIND = "space_started"
BACK_KIND = "space_back"

RECONNECT_MIN = dt.timedelta(minutes=15)
RECONNECT_MAX = dt.timedelta(hours=24)
# A phone's clock a little off, or a minute spent on the form: "in 15
# minutes" chosen at 20:00 and sent at 20:00:40 still counts.
SLACK = dt.timedelta(minutes=1)
REMIND_BEFORE = dt.timedelta(minutes=10)
MISSED_AFTER = dt.timedelta(hours=6)


def _check_aware(when: dt.datetime) -> None:
    if timezone.is_naive(when):
        raise Invalid(
            gettext("Give a time with its timezone offset, like 2026-03-02T20:00:00+01:00."), field="reconnect_by"
        )


def validate_reconnect_by(reconnect_by: dt.datetime, now: dt.datetime) -> dt.datetime:
    _check_aware(reconnect_by)
    if reconnect_by <= now:
        raise Invalid(
            gettext("That time has already passed. Choose when you'll reconnect, from now on."), field="reconnect_by"
        )
    if reconnect_by < now + RECONNECT_MIN - SLACK:
        raise Invalid(gettext("Give yourself at least 15 minutes."), field="reconnect_by")
    if reconnect_by > now + RECONNECT_MAX + SLACK:
        raise Invalid(
            gettext("Choose a time within the next 24 hours. You can extend it later, before the time comes."),
            field="reconnect_by",
        )
    return reconnect_by


def _validate_note(note: str) -> str:
    note = note.replace("\r\n", "\n").strip()
    if len(note) > NOTE_MAX:
        raise Invalid(
            ngettext(
                "Keep the note to %(max)d characters; this one has %(n)d.",
                "Keep the note to %(max)d characters; this one has %(n)d.",
                len(note),
            )
            % {"max": NOTE_MAX, "n": len(note)},
            field="note",
        )
    return note


def _schedule_soon(period: SpacePeriod) -> None:
    """The author's reminder ten minutes before the time (a time-out's: at
    the time). The occurrence is the promised time itself: each extension
    makes a new one."""
    if period.kind == Kind.TIMEOUT:
        kind, due_at = TIMEOUT_RETURN_KIND, period.reconnect_by
    else:
        kind, due_at = SOON_KIND, period.reconnect_by - REMIND_BEFORE
    reminders.reminder_schedule(
        user_id=period.author_id,
        kind=kind,
        target_id=period.pk,
        due_at=due_at,
        occurrence=f"{period.reconnect_by:%Y%m%dT%H%M%S}",
    )


def _cancel_author_reminders(ids: list[int]) -> None:
    reminders.reminders_cancel(kind_prefix=SOON_KIND, target_ids=ids)
    reminders.reminders_cancel(kind_prefix=TIMEOUT_RETURN_KIND, target_ids=ids)


def space_take(
    *,
    couple: Couple,
    user: User,
    reconnect_by: dt.datetime,
    note: str = "",
    now: dt.datetime | None = None,
    kind: str = Kind.SPACE,
    latest_reconnect_by: dt.datetime | None = None,
) -> SpacePeriod:
    """Opens a period. ``kind`` and ``latest_reconnect_by`` are for callers
    that bound it further (a time-out, from its rules: repair.services)."""
    now = now or timezone.now()
    reconnect_by = validate_reconnect_by(reconnect_by, now)
    note = _validate_note(note)
    if SpacePeriod.objects.filter(couple=couple, author=user, status=Status.OPEN).exists():
        raise Conflict(gettext("You're already taking some space. You can extend it, or mark that you're back."))
    partner = couple_partner_of(couple=couple, user=user)
    try:
        with transaction.atomic():
            period = SpacePeriod.objects.create(
                couple=couple,
                author=user,
                started_at=now,
                first_reconnect_by=reconnect_by,
                reconnect_by=reconnect_by,
                note=note,
                kind=kind,
                latest_reconnect_by=latest_reconnect_by,
            )
            _schedule_soon(period)
            if partner is not None:
                # So that the partner learns of it from a calm status with a
                # return time, not from silence. Fixed wording, no note.
                reminders.reminder_schedule(user_id=partner.pk, kind=STARTED_KIND, target_id=period.pk, due_at=now)
    except IntegrityError as exc:
        # The partial unique index: another tap or phone opened one meanwhile.
        raise Conflict(
            gettext("You're already taking some space. You can extend it, or mark that you're back.")
        ) from exc
    return period


def _ensure_author(period: SpacePeriod, user: User, action: str) -> None:
    if period.author_id != user.pk:
        raise Forbidden(
            gettext("Only the person taking space can extend it.")
            if action == "extend it"
            else gettext("Only the person taking space can mark that they're back.")
        )


def space_reconnect(*, period: SpacePeriod, user: User, now: dt.datetime | None = None) -> SpacePeriod:
    """Marks the return: ``kept`` at or before ``reconnect_by``, ``late``
    after it. The outcome is decided in the same UPDATE that closes the
    period, against the stored time, so a racing extension or the missed
    sweep cannot leave it half-decided."""
    now = now or timezone.now()
    _ensure_author(period, user, "mark that they're back")
    with transaction.atomic():
        # Conditional on "still open": a double tap, or the missed sweep at
        # the same moment, closes it exactly once.
        updated = SpacePeriod.objects.filter(pk=period.pk, status=Status.OPEN).update(
            status=Case(When(reconnect_by__gte=now, then=Value(Status.KEPT)), default=Value(Status.LATE)),
            reconnected_at=now,
            closed_at=now,
        )
        if not updated:
            raise Conflict(gettext("This time of space is already closed."))
        _cancel_author_reminders([period.pk])
        reminders.reminders_cancel(kind_prefix=STARTED_KIND, target_ids=[period.pk])
        partner = couple_partner_of(couple=period.couple, user=user)
        if partner is not None:
            reminders.reminder_schedule(user_id=partner.pk, kind=BACK_KIND, target_id=period.pk, due_at=now)
    period.refresh_from_db()
    return period


def space_extend(
    *, period: SpacePeriod, user: User, reconnect_by: dt.datetime, now: dt.datetime | None = None
) -> SpacePeriod:
    """A later time, given before the current one comes: recorded as an
    extension, with the reminder moved along."""
    now = now or timezone.now()
    _ensure_author(period, user, "extend it")
    _check_aware(reconnect_by)
    if not period.is_open:
        raise Conflict(gettext("This time of space is already closed."))
    if now >= period.reconnect_by:
        raise Conflict(gettext("The time you gave has come. Mark that you're back, and take new space if you need it."))
    if reconnect_by <= period.reconnect_by:
        raise Invalid(gettext("Choose a time later than the one you gave."), field="reconnect_by")
    if reconnect_by > now + RECONNECT_MAX + SLACK:
        raise Invalid(gettext("Choose a time within the next 24 hours."), field="reconnect_by")
    if period.latest_reconnect_by is not None and reconnect_by > period.latest_reconnect_by:
        local = timezone.localtime(period.latest_reconnect_by, zone(name=user.timezone))
        raise Invalid(
            gettext(
                "Your time-out rules allow up to %(time)s for this one. Come back then, and take a new "
                "time-out if you need one."
            )
            % {"time": f"{local:%H:%M}"},
            field="reconnect_by",
        )
    previous = period.reconnect_by
    with transaction.atomic():
        # Conditional on the time we read and "not yet come": of two
        # extensions at once, or an extension racing the return, one wins.
        updated = SpacePeriod.objects.filter(
            pk=period.pk, status=Status.OPEN, reconnect_by=previous, reconnect_by__gt=now
        ).update(reconnect_by=reconnect_by)
        if not updated:
            raise Conflict(gettext("This changed on another device a moment ago. Have another look."))
        Extension.objects.create(
            period=period, previous_reconnect_by=previous, new_reconnect_by=reconnect_by, created_at=now
        )
        period.reconnect_by = reconnect_by
        _cancel_author_reminders([period.pk])
        _schedule_soon(period)
    return period


def space_mark_missed(*, now: dt.datetime | None = None, batch_size: int = 1000) -> int:
    """Records ``missed`` for open periods never marked, ``MISSED_AFTER``
    past their time. Safe to run twice or in parallel: each period is
    claimed by an UPDATE conditional on still being open. Nobody is told:
    there is no "your partner missed it" alert."""
    now = now or timezone.now()
    cutoff = now - MISSED_AFTER
    total = 0
    while True:
        ids = list(
            SpacePeriod.objects.filter(status=Status.OPEN, reconnect_by__lte=cutoff)
            .order_by("reconnect_by", "id")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return total
        with transaction.atomic():
            claimed = SpacePeriod.objects.filter(pk__in=ids, status=Status.OPEN).update(
                status=Status.MISSED, closed_at=now
            )
            _cancel_author_reminders(ids)
            reminders.reminders_cancel(kind_prefix=STARTED_KIND, target_ids=ids)
        total += claimed
        if len(ids) < batch_size:
            return total


def space_end_for_couple(*, couple_id: int, kind: str | None = None, now: dt.datetime | None = None) -> int:
    """Closes the couple's open periods (of ``kind``, or all) as ``ended``, silently:
    the couple has closed, so nobody is owed a return and none becomes
    "missed". Conditional on still open, like every other close."""
    now = now or timezone.now()
    ids = list(
        SpacePeriod.objects.filter(
            couple_id=couple_id, status=Status.OPEN, **({"kind": kind} if kind else {})
        ).values_list("pk", flat=True)
    )
    if not ids:
        return 0
    closed = SpacePeriod.objects.filter(pk__in=ids, status=Status.OPEN).update(status=Status.ENDED, closed_at=now)
    _cancel_author_reminders(ids)
    reminders.reminders_cancel(kind_prefix=STARTED_KIND, target_ids=ids)
    reminders.reminders_cancel(kind_prefix=BACK_KIND, target_ids=ids)
    return closed
