"""Words for people: what each scope shares, and the access log's
sentences ("Theo viewed your check-in consistency on 3 May at 14:02"),
in the reader's own timezone."""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat

from .models import SCOPE_ORDER, AccessEvent, Scope

# What a therapist sees under each scope, for the consent form: plain,
# and saying what is never shared.
SCOPE_HELP = {
    Scope.CHECKIN_CONSISTENCY: "How many of your scheduled check-ins you both completed, week by week. Never your answers.",
    Scope.MOOD_TRENDS: "Each of your average moods from check-ins you both saw, week by week. Never your answers.",
    Scope.AGREEMENTS: "The title of each agreement and how often each of you felt it was kept. Never details or notes.",
    Scope.GRATITUDE_FREQUENCY: "How many notes of appreciation you sent each other, week by week. Never the notes.",
    Scope.RECONNECT_FOLLOWTHROUGH: "How often promises to reconnect after taking space were kept, late or missed. Never notes.",
    Scope.TRIGGER_PATTERNS: "From each of your trigger logs: how often, which kind, and how strong. Never what you wrote.",
    Scope.PROGRESS: "Each of your relationship check-up scores, once a round was revealed to you both, side by side. "
    "Never a round before you both saw it.",
    Scope.PROMISES: "Each promise either of you made (a return time, a repair commitment, a review) and how it went, "
    "missed ones included. Never what a commitment says.",
    Scope.REPAIR_TREND: "Per month, how long it took from a time-out to a finished repair conversation. "
    "Never how many, never what was said.",
    Scope.PRACTICE: "Lets them suggest practices between sessions (each needs both of you to accept), and see whether "
    "each was done, renegotiated, missed or not taken up. Never who said no.",
}

SCOPE_TITLES = {
    Scope.CHECKIN_CONSISTENCY: "Check-in consistency",
    Scope.MOOD_TRENDS: "Mood trends",
    Scope.AGREEMENTS: "Agreements",
    Scope.GRATITUDE_FREQUENCY: "Notes of appreciation",
    Scope.RECONNECT_FOLLOWTHROUGH: "Promises to reconnect",
    Scope.TRIGGER_PATTERNS: "Trigger patterns",
    Scope.PROGRESS: "Check-up progress",
    Scope.PROMISES: "Promises",
    Scope.REPAIR_TREND: "Time to repair",
    Scope.PRACTICE: "Practices",
}


def join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def scope_phrase(scopes: list[str]) -> str:
    return join_words([Scope(s).label for s in SCOPE_ORDER if s in scopes])


def when_phrase(at: dt.datetime, tz) -> str:
    local = at.astimezone(tz)
    return f"on {dateformat.format(local, 'j F')} at {dateformat.format(local, 'H:i')}"


def event_sentence(event: AccessEvent, *, tz) -> str:
    who = event.therapist_name or "Your therapist"
    when = when_phrase(event.at, tz)
    if event.what == AccessEvent.What.LIST:
        extra = [
            words
            for scope, words in (
                (Scope.PROGRESS, "whether a check-up total fell"),
                (Scope.PRACTICE, "whether a practice was missed"),
            )
            if scope in (event.scopes or [])
        ]
        if extra:
            return (
                f"{who} opened their list of couples, which shows your names, until when you share "
                f"and {' and '.join(extra)}, {when}"
            )
        return f"{who} opened their list of couples, which shows your names and until when you share, {when}"
    if event.what == AccessEvent.What.SESSION:
        return f"{who} opened their session page, which shows the notes you wrote for them, {when}"
    if event.what == AccessEvent.What.PRACTICE_NEW:
        return f"{who} suggested a practice for you both {when}"
    if event.what == AccessEvent.What.CHECKUP_CADENCE:
        return f"{who} set how often your check-up comes {when}"
    if event.what == AccessEvent.What.SESSION_DATE:
        return f"{who} set the date of your next session {when}"
    if event.what == AccessEvent.What.CHECKUP_REQUEST:
        return f"{who} asked you both for a check-up round {when}"
    if not event.scopes:
        return f"{who} opened your couple's page, which shows your names, {when}"
    period = ""
    if event.period_start and event.period_end:
        period = f" (from {dateformat.format(event.period_start, 'j M Y')} to {dateformat.format(event.period_end, 'j M Y')})"
    return f"{who} viewed your {scope_phrase(event.scopes)}{period} {when}"
