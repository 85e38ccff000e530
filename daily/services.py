"""The daily question: the pick, answering, the reveal and each person's
preferences (themes to skip, the opt-in reminder).

One question per couple per local day (the couple's timezone, through
``backend.localtime``), made the first time either partner asks for it; the
same row for both. The pick is deterministic: the library in an order of
the couple's own (a hash of couple and index), the first question not asked
within the last 365 days outside the skipped themes; when that pool is used
up, the least recently asked one."""

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.models import User
from backend.errors import Conflict, Invalid
from backend.localtime import local_date, local_to_utc
from couples.models import Couple, Membership
from reminders import services as reminders
from reminders.kinds import KINDS, is_enabled
from reminders.models import Preference

from . import library
from .models import ANSWER_MAX, DailyAnswer, DailyPreference, DailyQuestion
from .selectors import access_daily_question

REMINDER_KIND = "daily_question"
FINAL = gettext_noop("Both answers are shown now, so they stay as they are.")


# --- the pick ------------------------------------------------------------------------


def _order_key(couple_id: int, index: int) -> bytes:
    return hashlib.sha256(f"daily:{couple_id}:{index}".encode()).digest()


def question_pick(
    *, couple_id: int, day: dt.date, skip: Iterable[str], last_asked: dict[int, dt.date]
) -> library.Question:
    """The question for ``day``: pure, so the rule is tested on its own.

    ``last_asked`` maps a question's index to the last day the couple was
    asked it. Of the questions outside the skipped themes, the least
    recently asked, a never-asked one first; ties go by the couple's own
    order of the library. So nothing comes back within 365 days while the
    pool has a question not asked in them (the library has more than 365),
    and when a small pool is used up, the oldest comes back first. When both
    partners together skip every theme, the skip is ignored rather than
    leave the couple without a question."""
    skip = set(skip)
    pool = [q for q in library.questions() if q.theme not in skip] or list(library.questions())
    return min(pool, key=lambda q: (last_asked.get(q.index, dt.date.min), _order_key(couple_id, q.index)))


def couple_skip_themes(*, couple_id: int) -> set[str]:
    """The union of both current partners' themes to skip."""
    skip: set[str] = set()
    partners = Membership.objects.current_of(couple_id=couple_id).values("user_id")
    for themes in DailyPreference.objects.filter(user_id__in=partners).values_list("skip_themes", flat=True):
        skip.update(themes or [])
    return skip


def daily_question_for(*, couple: Couple, now: dt.datetime | None = None) -> DailyQuestion:
    """The couple's question for their local day at ``now``, made if it is
    the first time anyone asks. Two partners asking at once get the same
    row: the couple's lock serializes the pick and the unique (couple, date)
    constraint backs it."""
    now = now or timezone.now()
    day = local_date(instant=now, tz=couple.timezone)
    found = DailyQuestion.objects.filter(couple=couple, date=day).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            Couple.objects.select_for_update().filter(pk=couple.pk).first()
            found = DailyQuestion.objects.filter(couple=couple, date=day).first()
            if found is not None:
                return found
            last_asked = dict(
                DailyQuestion.objects.filter(couple=couple, date__lt=day)
                .values("question_index")
                .annotate(last=Max("date"))
                .values_list("question_index", "last")
            )
            q = question_pick(
                couple_id=couple.pk, day=day, skip=couple_skip_themes(couple_id=couple.pk), last_asked=last_asked
            )
            return DailyQuestion.objects.create(
                couple=couple, date=day, question_index=q.index, theme=q.theme, text=q.text, created_at=now
            )
    except IntegrityError:  # pragma: no cover - the lock makes this the rare path (SQLite has no row locks)
        return DailyQuestion.objects.get(couple=couple, date=day)


# --- answering and the reveal ----------------------------------------------------------


def _clean_answer(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise Invalid(gettext("Write a few words first."), field="text")
    text = text.replace("\r\n", "\n").strip()
    if len(text) > ANSWER_MAX:
        raise Invalid(gettext("Keep it under %(n)d characters.") % {"n": ANSWER_MAX}, field="text")
    return text


def daily_question_reveal(*, question: DailyQuestion, now: dt.datetime) -> bool:
    """Reveal together, for the daily question: once both current partners
    answered, both answers are shown to both at once, and neither can change
    (``daily_answer_submit`` answers 409). The only writer of
    ``DailyQuestion.revealed_at``. The caller holds the question's lock, so
    two last answers at once cannot both miss each other."""
    if question.revealed_at is not None or question.closed_at is not None:
        return question.revealed_at is not None
    partners = Membership.objects.current_of(couple_id=question.couple_id).values("user_id")
    if DailyAnswer.objects.filter(question=question, author_id__in=partners).count() < 2:
        return False
    DailyQuestion.objects.filter(pk=question.pk, revealed_at__isnull=True).update(revealed_at=now)
    question.revealed_at = now
    return True


@transaction.atomic
def daily_answer_submit(*, user: User, question_id: int, text: Any, now: dt.datetime | None = None) -> DailyQuestion:
    """The caller's answer to one of their couple's questions: written, or
    changed, until both answered; then revealed to both, and final (409)."""
    text = _clean_answer(text)
    now = now or timezone.now()
    question = access_daily_question(user=user, question_id=question_id, lock=True)
    if question.revealed_at is not None:
        raise Conflict(gettext(FINAL))
    if question.closed_at is not None:  # the selector only finds current couples' rows; belt and braces
        raise Conflict(gettext("This question is closed."))
    answer, created = DailyAnswer.objects.get_or_create(
        question=question, author=user, defaults={"text": text, "created_at": now, "updated_at": now}
    )
    if not created and answer.text != text:
        answer.text = text
        answer.updated_at = now
        answer.save(update_fields=["text", "updated_at"])
    daily_question_reveal(question=question, now=now)
    return question


# --- preferences and the opt-in reminder -------------------------------------------------


def _prefs(user: User) -> DailyPreference:
    prefs, _ = DailyPreference.objects.get_or_create(user=user)
    return prefs


def reminder_time_for(user: User) -> dt.time | None:
    """The time of the person's daily reminder, or None when it is off. On
    only with both a time and the (opt-in) kind switched on."""
    time = DailyPreference.objects.filter(user=user).values_list("reminder_time", flat=True).first()
    if time is None:
        return None
    kinds = Preference.objects.filter(user=user).values_list("kinds", flat=True).first() or {}
    return time if is_enabled(KINDS[REMINDER_KIND], kinds) else None


def reminder_next_due(*, time: dt.time, tz: str, after: dt.datetime) -> dt.datetime:
    """The next instant, after ``after``, when the person's wall clock shows
    ``time`` (DST-true: a skipped time moves to the jump)."""
    day = local_date(instant=after, tz=tz)
    while True:
        due = local_to_utc(day=day, time=time, tz=tz)
        if due > after:
            return due
        day += dt.timedelta(days=1)


def _reminder_reschedule(*, user: User, time: dt.time | None, now: dt.datetime) -> None:
    reminders.reminders_cancel(kind_prefix=REMINDER_KIND, target_ids=[user.pk])
    if time is None:
        return
    due = reminder_next_due(time=time, tz=user.timezone, after=now)
    # Cancelled rows keep their occurrence under the unique constraint: a
    # fresh token makes the new one a new row, even at the same instant.
    occurrence = f"{due:%Y%m%dT%H%M}-{secrets.token_hex(3)}"
    reminders.reminder_schedule(
        user_id=user.pk, kind=REMINDER_KIND, target_id=user.pk, due_at=due, occurrence=occurrence
    )


def daily_preferences_update(*, user: User, data: dict[str, Any], now: dt.datetime | None = None) -> DailyPreference:
    """The caller's own themes to skip and daily reminder (``reminder_time``:
    a time switches it on, None off). Every problem reported at once."""
    errors: dict[str, list[str]] = {}
    known = library.themes()
    skip = data.get("skip_themes")
    if "skip_themes" in data:
        if not isinstance(skip, list) or not all(isinstance(t, str) for t in skip):
            errors["skip_themes"] = [gettext("Give a list of themes.")]
        elif unknown := sorted(set(skip) - set(known)):
            errors["skip_themes"] = [
                gettext("Unknown themes: %(unknown)s. Choose from: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(known)}
            ]
        elif set(skip) >= set(known):
            errors["skip_themes"] = [gettext("Keep at least one theme.")]
    time = data.get("reminder_time")
    if "reminder_time" in data and time is not None and not isinstance(time, dt.time):
        errors["reminder_time"] = [gettext("Give a time like 19:00, or null to turn the reminder off.")]
    if errors:
        raise Invalid(gettext("Some fields need another look."), errors=errors)
    now = now or timezone.now()
    with transaction.atomic():
        prefs = _prefs(user)
        if "skip_themes" in data:
            prefs.skip_themes = [t for t in known if t in set(skip)]
        if "reminder_time" in data:
            prefs.reminder_time = time.replace(second=0, microsecond=0) if time else None
            reminders.preferences_update(user=user, data={"kinds": {REMINDER_KIND: time is not None}})
            _reminder_reschedule(user=user, time=prefs.reminder_time, now=now)
        prefs.save()
    return prefs
