"""Words for people: what each scope shares, and the access log's
sentences ("Theo viewed your check-in consistency on 3 May at 14:02"),
in the reader's own timezone."""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend import dates

from .models import SCOPE_ORDER, AccessEvent, Scope

# What a therapist sees under each scope, for the consent form: plain,
# and saying what is never shared.
SCOPE_HELP = {
    Scope.CHECKIN_CONSISTENCY: _(
        "How many of your scheduled check-ins you both completed, week by week. Never your answers."
    ),
    Scope.MOOD_TRENDS: _("Each of your average moods from check-ins you both saw, week by week. Never your answers."),
    Scope.AGREEMENTS: _(
        "The title of each agreement and how often each of you felt it was kept. Never details or notes."
    ),
    Scope.GRATITUDE_FREQUENCY: _("How many notes of appreciation you sent each other, week by week. Never the notes."),
    Scope.RECONNECT_FOLLOWTHROUGH: _(
        "How often promises to reconnect after taking space were kept, late or missed. Never notes."
    ),
    Scope.TRIGGER_PATTERNS: _(
        "From each of your trigger logs: how often, which kind, and how strong. Never what you wrote."
    ),
    Scope.PROGRESS: _(
        "Each of your relationship check-up scores, once a round was revealed to you both, side by side. "
        "Never a round before you both saw it."
    ),
    Scope.PROMISES: _(
        "Each promise either of you made (a return time, a repair commitment, a review) and how it went, "
        "missed ones included. Never what a commitment says."
    ),
    Scope.REPAIR_TREND: _(
        "Per month, how long it took from a time-out to a finished repair conversation. "
        "Never how many, never what was said."
    ),
    Scope.PRACTICE: _(
        "Lets them suggest practices between sessions (each needs both of you to accept), and see whether "
        "each was done, renegotiated, missed or not taken up. Never who said no."
    ),
}

SCOPE_TITLES = {
    Scope.CHECKIN_CONSISTENCY: _("Check-in consistency"),
    Scope.MOOD_TRENDS: _("Mood trends"),
    Scope.AGREEMENTS: _("Agreements"),
    Scope.GRATITUDE_FREQUENCY: _("Notes of appreciation"),
    Scope.RECONNECT_FOLLOWTHROUGH: _("Promises to reconnect"),
    Scope.TRIGGER_PATTERNS: _("Trigger patterns"),
    Scope.PROGRESS: _("Check-up progress"),
    Scope.PROMISES: _("Promises"),
    Scope.REPAIR_TREND: _("Time to repair"),
    Scope.PRACTICE: _("Practices"),
}


def join_words(words: list[str]) -> str:
    words = [str(w) for w in words]
    if len(words) <= 1:
        return "".join(words)
    return gettext("%(items)s and %(last)s") % {"items": ", ".join(words[:-1]), "last": words[-1]}


def scope_phrase(scopes: list[str]) -> str:
    return join_words([Scope(s).label for s in SCOPE_ORDER if s in scopes])


def _moment(at: dt.datetime, tz) -> dict:
    local = at.astimezone(tz)
    return {"day": date_format(local, "MONTH_DAY_FORMAT"), "time": dateformat.format(local, "H:i")}


def when_phrase(at: dt.datetime, tz) -> str:
    return gettext("on %(day)s at %(time)s") % _moment(at, tz)


def event_sentence(event: AccessEvent, *, tz) -> str:
    """One line of the access log, a whole sentence per kind of look (the
    page adds the full stop)."""
    words = {"who": event.therapist_name or gettext("Your therapist"), **_moment(event.at, tz)}
    if event.what == AccessEvent.What.LIST:
        progress = Scope.PROGRESS in (event.scopes or [])
        practice = Scope.PRACTICE in (event.scopes or [])
        if progress and practice:
            return (
                gettext(
                    "%(who)s opened their list of couples, which shows your names, until when you share and whether "
                    "a check-up total fell and whether a practice was missed, on %(day)s at %(time)s"
                )
                % words
            )
        if progress:
            return (
                gettext(
                    "%(who)s opened their list of couples, which shows your names, until when you share and whether "
                    "a check-up total fell, on %(day)s at %(time)s"
                )
                % words
            )
        if practice:
            return (
                gettext(
                    "%(who)s opened their list of couples, which shows your names, until when you share and whether "
                    "a practice was missed, on %(day)s at %(time)s"
                )
                % words
            )
        return (
            gettext(
                "%(who)s opened their list of couples, which shows your names and until when you share, "
                "on %(day)s at %(time)s"
            )
            % words
        )
    if event.what == AccessEvent.What.SESSION:
        return (
            gettext(
                "%(who)s opened their session page, which shows the notes you wrote for them, on %(day)s at %(time)s"
            )
            % words
        )
    if event.what == AccessEvent.What.PRACTICE_NEW:
        return gettext("%(who)s suggested a practice for you both on %(day)s at %(time)s") % words
    if event.what == AccessEvent.What.CHECKUP_CADENCE:
        return gettext("%(who)s set how often your check-up comes on %(day)s at %(time)s") % words
    if event.what == AccessEvent.What.SESSION_DATE:
        return gettext("%(who)s set the date of your next session on %(day)s at %(time)s") % words
    if event.what == AccessEvent.What.CHECKUP_REQUEST:
        return gettext("%(who)s asked you both for a check-up round on %(day)s at %(time)s") % words
    if not event.scopes:
        return gettext("%(who)s opened your couple's page, which shows your names, on %(day)s at %(time)s") % words
    words["what"] = scope_phrase(event.scopes)
    if event.period_start and event.period_end:
        words["start"] = dates.when(event.period_start, "day_month_year_short")
        words["end"] = dates.when(event.period_end, "day_month_year_short")
        return gettext("%(who)s viewed your %(what)s (from %(start)s to %(end)s) on %(day)s at %(time)s") % words
    return gettext("%(who)s viewed your %(what)s on %(day)s at %(time)s") % words
