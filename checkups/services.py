"""Check-up writes: a partner's fill (draft or sent), the reveal, the
cadence, a therapist's "a round now", and what closes with a couple.

Every write locks the couple's row first: round creation, the reveal and a
therapist's request are serialised per couple, so two partners sending at
the same instant cannot both miss (or both make) the reveal, and the
"one round not yet revealed" index is never raced into an error."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from accounts.models import User
from backend import localtime
from backend.errors import Conflict, Invalid
from couples.models import Couple
from couples.selectors import couple_partners, member_is_current

from .instruments import BUILTIN_KEY, instrument_builtin
from .models import Answer, Cadence, Instrument, Round

# The cadence: a round every 1, 2 (default) or 4 weeks per couple
# (``Cadence``, ``checkup_cadence_set``), at 19:00 on the couple's wall clock
# (the same local time across a DST change: computed per round with
# backend.localtime, never by adding days * 24 hours).
CADENCE_TIME = dt.time(19, 0)
DUE_KIND = "checkup_due"


def _instrument_for(key: str | None) -> Instrument:
    if not key or key == BUILTIN_KEY:
        return instrument_builtin()
    instrument = Instrument.objects.filter(key=key, active=True).first()
    if instrument is None:
        raise Invalid(gettext("Unknown check-up."), field="instrument")
    return instrument


def _unrevealed(couple_id: int) -> Round | None:
    return (
        Round.objects.select_related("instrument")
        .filter(couple_id=couple_id, revealed_at__isnull=True, closed_at__isnull=True)
        .first()
    )


def _next_number(couple_id: int) -> int:
    return (Round.objects.filter(couple_id=couple_id).aggregate(n=Max("number"))["n"] or 0) + 1


def _lock_couple(couple: Couple, user: User | None = None) -> Couple:
    locked = Couple.objects.select_for_update().filter(pk=couple.pk, ended_at__isnull=True).first()
    if locked is None or (user is not None and not member_is_current(user=user, couple_id=couple.pk)):
        raise Http404
    return locked


def checkup_values_clean(*, instrument: Instrument, values, complete: bool) -> dict:
    """Points per item, whole numbers on the instrument's scale; all of
    them for an answer that is sent. Raises ``Invalid`` on ``answers``."""
    if not isinstance(values, dict):
        raise Invalid(gettext("Give the answers as {question: points}."), field="answers")
    unknown = sorted(str(k) for k in values if k not in instrument.item_keys)
    if unknown:
        raise Invalid(gettext("Unknown question: %(keys)s.") % {"keys": ", ".join(unknown)}, field="answers")
    lo, hi = instrument.scale_min, instrument.scale_max
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise Invalid(
                gettext("Each answer is a whole number from %(lo)d to %(hi)d (%(key)s).")
                % {"lo": lo, "hi": hi, "key": key},
                field="answers",
            )
    missing = [k for k in instrument.item_keys if k not in values]
    if complete and missing:
        raise Invalid(
            ngettext(
                "Answer every question before sending (%(n)d left).",
                "Answer every question before sending (%(n)d left).",
                len(missing),
            )
            % {"n": len(missing)},
            field="answers",
        )
    return {k: values[k] for k in instrument.item_keys if k in values}


def checkup_answer_save(
    *,
    couple: Couple,
    user: User,
    answers: dict,
    instrument: str | None = None,
    submit: bool = True,
    now: dt.datetime | None = None,
) -> Answer:
    """A partner fills in the round that is open (or, with none yet, starts
    one now; the partner is reminded it is open). ``submit=False`` keeps a
    draft, which is never an answer. Sending again before the reveal
    replaces what was sent; after the reveal the answer is final (the round
    is not open any more: 409)."""
    now = now or timezone.now()
    with transaction.atomic():
        couple = _lock_couple(couple, user)
        current = _unrevealed(couple.pk)
        started = False
        if current is None:
            chosen = _instrument_for(instrument)
            current = Round.objects.create(
                couple=couple, instrument=chosen, number=_next_number(couple.pk), opens_at=now, created_at=now
            )
            started = True
        elif current.opens_at > now:
            local = current.opens_at.astimezone(localtime.zone(name=couple.timezone))
            raise Conflict(
                gettext("Your next check-up opens on %(day)s.") % {"day": date_format(local, "MONTH_DAY_FORMAT")}
            )
        if instrument and instrument != current.instrument.key:
            raise Invalid(gettext("This round uses another check-up."), field="instrument")
        values = checkup_values_clean(instrument=current.instrument, values=answers, complete=submit)
        answer = Answer.objects.filter(round=current, author=user).first() or Answer(round=current, author=user)
        if not submit and answer.submitted_at is not None:
            raise Conflict(gettext("You sent this round already. Send it again to change it before it is revealed."))
        answer.values = values
        answer.updated_at = now
        if submit:
            answer.score = current.instrument.score(values)
            answer.submitted_at = now
        answer.save()
        if started:
            _remind(round_=current, user_ids=[p.pk for p in couple_partners(couple=couple) if p.pk != user.pk])
        if submit:
            checkup_round_reveal(round_=current, couple=couple, now=now)
    return answer


def checkup_round_reveal(*, round_: Round, couple: Couple, now: dt.datetime) -> bool:
    """Reveal together, for a check-up round: the only writer of
    ``Round.revealed_at``. Both current partners sent their answer (drafts
    never count) -> revealed to both at once, and the next round is put on
    the cadence. Called under the couple's lock; safe to call twice."""
    partners = {p.pk for p in couple_partners(couple=couple)}
    sent = set(
        Answer.objects.filter(round=round_, submitted_at__isnull=False, author_id__in=partners).values_list(
            "author_id", flat=True
        )
    )
    if len(partners) < 2 or sent != partners:
        return False
    if (
        Round.objects.filter(pk=round_.pk, revealed_at__isnull=True, closed_at__isnull=True).update(revealed_at=now)
        != 1
    ):
        return False
    _reminders_cancel([round_.pk])
    _schedule_next(round_=round_, couple=couple, partner_ids=sorted(partners), now=now)
    return True


def cadence_weeks(couple_id: int) -> int:
    """The couple's cadence in weeks (2 unless set)."""
    row = Cadence.objects.filter(couple_id=couple_id).values_list("weeks", flat=True).first()
    return row or Cadence.DEFAULT_WEEKS


def next_round_at(
    *, opened_at: dt.datetime, tz: str, now: dt.datetime, weeks: int = Cadence.DEFAULT_WEEKS
) -> dt.datetime:
    """The next round on the cadence: ``weeks`` * 7 local days after the
    day the last one opened, at ``CADENCE_TIME`` on the couple's wall clock
    (DST-true), and never in the past (a late reveal skips to the next
    step of the rhythm)."""
    day = localtime.local_date(instant=opened_at, tz=tz)
    while True:
        day += dt.timedelta(days=7 * weeks)
        at = localtime.local_to_utc(day=day, time=CADENCE_TIME, tz=tz)
        if at > now:
            return at


def _schedule_next(*, round_: Round, couple: Couple, partner_ids: list[int], now: dt.datetime) -> Round:
    instrument = round_.instrument if round_.instrument.active else instrument_builtin()
    at = next_round_at(opened_at=round_.opens_at, tz=couple.timezone, now=now, weeks=cadence_weeks(couple.pk))
    following = Round.objects.create(
        couple=couple, instrument=instrument, number=round_.number + 1, opens_at=at, created_at=now
    )
    _remind(round_=following, user_ids=partner_ids)
    return following


def checkup_cadence_set(
    *, couple: Couple, weeks, user: User | None = None, therapist: User | None = None, now: dt.datetime | None = None
) -> Cadence:
    """Either partner (``user``), or a therapist with the ``progress`` scope
    (``therapist``: checked and logged by
    ``therapists.services.therapist_checkup_cadence_set``), sets how often
    the check-up comes: 1, 2 or 4 weeks. The round already scheduled (not
    open yet) moves to the new rhythm from the last round's opening, its
    reminders with it; an open round stays as it is."""
    now = now or timezone.now()
    if isinstance(weeks, bool) or weeks not in Cadence.WEEKS:
        raise Invalid(gettext("Choose every 1, 2 or 4 weeks."), field="weeks")
    with transaction.atomic():
        couple = _lock_couple(couple, user)
        cadence, _ = Cadence.objects.update_or_create(
            couple=couple, defaults={"weeks": weeks, "updated_by": user or therapist, "updated_at": now}
        )
        scheduled = _unrevealed(couple.pk)
        last = Round.objects.filter(couple=couple, revealed_at__isnull=False).order_by("-number").first()
        if scheduled is not None and scheduled.opens_at > now and last is not None and scheduled.asked_by_id is None:
            at = next_round_at(opened_at=last.opens_at, tz=couple.timezone, now=now, weeks=weeks)
            if at != scheduled.opens_at:
                _reminders_cancel([scheduled.pk])
                Round.objects.filter(pk=scheduled.pk).update(opens_at=at)
                scheduled.refresh_from_db()
                _remind(round_=scheduled, user_ids=[p.pk for p in couple_partners(couple=couple)])
    return cadence


def _remind(*, round_: Round, user_ids: list[int]) -> None:
    from reminders.services import reminder_schedule

    # One reminder per partner per opening time: "once", and a round moved
    # to now by a therapist gets a new one (the old one is cancelled).
    for user_id in user_ids:
        reminder_schedule(
            user_id=user_id,
            kind=DUE_KIND,
            target_id=round_.pk,
            due_at=round_.opens_at,
            occurrence=round_.opens_at.isoformat()[:40],
        )


def _reminders_cancel(round_ids: list[int]) -> None:
    from reminders.services import reminders_cancel

    reminders_cancel(kind_prefix=DUE_KIND, target_ids=round_ids)


def checkup_round_request(*, couple: Couple, therapist: User, now: dt.datetime | None = None) -> Round:
    """A therapist (with the progress scope: checked by the caller, in the
    same transaction) asks for a round now: the scheduled round opens now,
    or a first one starts; both partners get the content-free reminder. A
    round already open is 409: the partners were reminded when it opened."""
    now = now or timezone.now()
    with transaction.atomic():
        couple = _lock_couple(couple)
        current = _unrevealed(couple.pk)
        if current is not None and current.opens_at <= now:
            raise Conflict(gettext("A check-up round is open now. Both partners were reminded when it opened."))
        if current is None:
            current = Round.objects.create(
                couple=couple,
                instrument=instrument_builtin(),
                number=_next_number(couple.pk),
                opens_at=now,
                asked_by=therapist,
                created_at=now,
            )
        else:
            _reminders_cancel([current.pk])
            Round.objects.filter(pk=current.pk).update(opens_at=now, asked_by=therapist)
            current.refresh_from_db()
        _remind(round_=current, user_ids=[p.pk for p in couple_partners(couple=couple)])
    return current


def checkup_rounds_close_for_couple(couple_id: int, now: dt.datetime | None = None) -> int:
    """Leaving the couple: the round not yet revealed closes silently (never
    revealed; each keeps their own fill), its reminders with it."""
    now = now or timezone.now()
    ids = list(
        Round.objects.filter(couple_id=couple_id, revealed_at__isnull=True, closed_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    Round.objects.filter(pk__in=ids).update(closed_at=now)
    _reminders_cancel(ids)
    return len(ids)
