"""Writes of the safety check and the quiet pause (docs/safety.md).

None of these tells anyone anything: no notification, no reminder, no
event, no log line with the answer. The pause only sets
``User.couple_paused_at``; everything the partner sees goes on as if the
person had simply not answered."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from backend.errors import Invalid
from journal.crypto import cipher_for

from .models import SEALED_FIELD, Feeling, SafetyAnswer, SafetyPreference


def safety_answer(*, user: User, feel_safe: str, now: dt.datetime | None = None) -> SafetyAnswer:
    if feel_safe not in Feeling.values:
        raise Invalid(gettext("Choose yes, I'm not sure, or no."), field="feel_safe")
    now = now or timezone.now()
    sealed = cipher_for(user.pk, create=True).seal(SEALED_FIELD, feel_safe)
    with transaction.atomic():
        answer = SafetyAnswer.objects.create(user=user, feel_safe_sealed=sealed, created_at=now)
        safety_asked(user=user, now=now)
    return answer


def safety_asked(*, user: User, now: dt.datetime | None = None) -> None:
    """The question was answered or put aside ("Not now"): the next ask, if
    the person chose one, is a few weeks from now."""
    now = now or timezone.now()
    pref = SafetyPreference.objects.filter(user=user).first()
    if pref is None:
        return
    pref.last_seen_at = now
    pref.save(update_fields=["last_seen_at"])
    _next_ask(user=user, pref=pref)


def safety_ask_every(*, user: User, every_weeks: int | None, now: dt.datetime | None = None) -> SafetyPreference:
    if every_weeks is not None and every_weeks not in SafetyPreference.Every.values:
        raise Invalid(gettext("Choose every 2, 4 or 8 weeks, or never."), field="every_weeks")
    pref, _created = SafetyPreference.objects.update_or_create(
        user=user, defaults={"every_weeks": every_weeks, "last_seen_at": now or timezone.now()}
    )
    _next_ask(user=user, pref=pref)
    return pref


def _next_ask(*, user: User, pref: SafetyPreference) -> None:
    ask_at = pref.last_seen_at + dt.timedelta(weeks=pref.every_weeks) if pref.every_weeks else None
    User.objects.filter(pk=user.pk).update(safety_ask_at=ask_at)
    user.safety_ask_at = ask_at


def safety_pause(*, user: User, now: dt.datetime | None = None) -> User:
    """Pauses couple features for this person alone. Idempotent: pausing
    again keeps the first time."""
    User.objects.filter(pk=user.pk, couple_paused_at__isnull=True).update(couple_paused_at=now or timezone.now())
    user.refresh_from_db(fields=["couple_paused_at"])
    return user


def safety_resume(*, user: User) -> User:
    """One tap: everything is as before. Reminders that fell in the pause
    are not sent late (they were recorded as paused)."""
    User.objects.filter(pk=user.pk).update(couple_paused_at=None)
    user.refresh_from_db(fields=["couple_paused_at"])
    return user


def safety_erase(*, user: User) -> None:
    SafetyAnswer.objects.filter(user=user).delete()
    SafetyPreference.objects.filter(user=user).delete()
    User.objects.filter(pk=user.pk).update(safety_ask_at=None, couple_paused_at=None)
