"""Reads of the safety check, each for the person who asks and no one else
(there is no way to name another person's answers: every read takes the
caller)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from journal.crypto import Unreadable, cipher_for

from .guidance import GUIDANCE
from .models import SEALED_FIELD, Feeling, SafetyAnswer, SafetyPreference
from .resources import resources_for

FEELING_LABELS = dict(Feeling.choices)


def safety_state_for(*, user: User) -> dict:
    """What the safety page and ``GET /me/safety/`` show: the pause, the
    country and its resources. Never past answers (those only on request)."""
    country = user.effective_country
    pref = SafetyPreference.objects.filter(user=user).only("every_weeks").first()
    return {
        "paused": user.couple_paused,
        "country": country,
        "resources": resources_for(country),
        "guidance": GUIDANCE,
        "ask_every_weeks": pref.every_weeks if pref else None,
    }


def answers_for(*, user: User) -> list[dict]:
    """The person's own past answers, newest first. An answer whose key was
    destroyed reads as ``None``."""
    cipher = cipher_for(user.pk)
    rows = []
    for answer in SafetyAnswer.objects.filter(user=user).order_by("-created_at", "-id"):
        try:
            value = cipher.open(SEALED_FIELD, answer.feel_safe_sealed)
        except Unreadable:
            value = None
        rows.append(
            {
                "id": answer.pk,
                "feel_safe": value,
                "label": FEELING_LABELS.get(value, ""),
                "created_at": answer.created_at,
            }
        )
    return rows


def safety_check_due(*, user: User, now: dt.datetime | None = None) -> bool:
    """Whether the person's own home page asks the question again: only if
    they chose to be asked, and a few weeks have passed since they last
    answered or put it aside. In-app only: no reminder kind exists for it.
    Reads the user row in hand (``User.safety_ask_at``): no query."""
    return user.safety_ask_at is not None and (now or timezone.now()) >= user.safety_ask_at


SAFETY_EXPORT = {
    "included": False,
    "note": "Safety check answers and the pause are not part of this file, so that a file left on a phone or a "
    "computer cannot show them. You can read your past answers in Steady (Settings, Safety check, Show my past "
    "answers, or GET /api/v1/me/safety/answers/).",
}


def safety_export(*, user: User) -> dict:
    """The export's safety part: the same for every person, whether they
    ever answered or paused (docs/safety.md, "The export")."""
    return dict(SAFETY_EXPORT)
