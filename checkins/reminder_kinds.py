"""Check-ins' reminder kinds, registered with the reminders engine (found
by ``RemindersConfig.ready``). Titles are fixed wording: no answer and no
name reaches a lock screen, an email or a push. Each kind's target is a
check-in's id; ``checkins/couple_closed.py`` cancels them by their prefixes."""

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reminders.kinds import Kind, register

from .models import Answer, CheckIn, LiveSession, Schedule


def _load_checkins(ids: list[int]) -> dict[int, Any]:
    checkins = {
        c.pk: c for c in CheckIn.objects.filter(pk__in=ids).only("id", "scheduled_for", "closes_at", "revealed_at")
    }
    for c in checkins.values():
        c.done_by = set()
    # Who already sent (or chose to skip) answers: they need no nudge.
    for checkin_id, author_id in (
        Answer.objects.filter(checkin_id__in=ids)
        .filter(Q(submitted_at__isnull=False) | Q(skipped_at__isnull=False))
        .values_list("checkin_id", "author_id")
    ):
        checkins[checkin_id].done_by.add(author_id)
    return checkins


def _checkin_url(checkin) -> str:
    return f"/checkins/{checkin.pk}/"


register(
    Kind(
        key="checkin_before",
        title=_("Your check-in is coming up"),
        label=_("Before a check-in"),
        load=_load_checkins,
        still_due=lambda r, c, now: c is not None and c.revealed_at is None and now < c.scheduled_for,
        url=_checkin_url,
        grace=dt.timedelta(minutes=20),
    )
)

# An ad-hoc check-in (started now by one partner): the other is told what
# it is, in content-free words, not "Time for your check-in" as if it had
# been scheduled.
register(
    Kind(
        key="checkin_started",
        title=_("Your partner started a check-in"),
        label=_("When your partner starts a check-in"),
        load=_load_checkins,
        still_due=lambda r, c, now: (
            c is not None and c.revealed_at is None and now < c.closes_at and r.user_id not in c.done_by
        ),
        url=_checkin_url,
        grace=dt.timedelta(hours=1),
    )
)

register(
    Kind(
        key="checkin_open",
        title=_("Time for your check-in"),
        label=_("When a check-in opens"),
        load=_load_checkins,
        still_due=lambda r, c, now: (
            c is not None and c.revealed_at is None and now < c.closes_at and r.user_id not in c.done_by
        ),
        url=_checkin_url,
        grace=dt.timedelta(hours=1),
    )
)

register(
    Kind(
        key="checkin_unanswered",
        title=_("Your check-in is still open, whenever you're ready"),
        label=_("A check-in I haven't answered yet"),
        load=_load_checkins,
        still_due=lambda r, c, now: (
            c is not None and c.revealed_at is None and now < c.closes_at and r.user_id not in c.done_by
        ),
        url=_checkin_url,
        grace=dt.timedelta(hours=3),
    )
)


def _load_live(ids: list[int]) -> dict[int, Any]:
    return {s.checkin_id: s for s in LiveSession.objects.filter(checkin_id__in=ids)}


register(
    Kind(
        key="live_resume",
        title=_("Your break is over: your check-in is waiting where you left it"),
        label=_("When a break in a live check-in ends"),
        load=_load_live,
        # Only if the session is still paused until this very time: an early
        # resume or a new break makes this one moot.
        still_due=lambda r, s, now: (
            s is not None
            and s.finished_at is None
            and s.paused_until is not None
            and s.paused_until.strftime("%Y%m%dT%H%M%S") == r.occurrence
        ),
        url=lambda s: f"/checkins/{s.checkin_id}/live/",
        grace=dt.timedelta(minutes=30),
    )
)


# A schedule proposed (or changed, or asked to resume) by one partner: the
# other is told once per version, in content-free words, and the link leads
# to the schedule, where accepting and declining are. The target is the
# schedule's id (not a check-in's: its prefix is not one of
# couple_closed.REMINDER_PREFIXES); the occurrence is the version, so each
# new proposal is told once and an old one is never told again.
SCHEDULE_PROPOSED_KIND = "schedule_proposed"


def schedule_proposal_occurrence(version: int) -> str:
    return f"v{version}"


def _load_schedules(ids: list[int]) -> dict[int, Any]:
    return {
        s.pk: s
        for s in Schedule.objects.filter(pk__in=ids)
        .select_related("couple")
        .only("id", "status", "version", "proposed_by_id", "couple__id", "couple__ended_at")
    }


def _schedule_proposal_still_due(reminder, schedule, now: dt.datetime) -> bool:
    return (
        schedule is not None
        and schedule.couple.ended_at is None
        and schedule.status == Schedule.Status.PROPOSED
        and schedule.proposed_by_id is not None
        and schedule.proposed_by_id != reminder.user_id
        and reminder.occurrence == schedule_proposal_occurrence(schedule.version)
    )


register(
    Kind(
        key=SCHEDULE_PROPOSED_KIND,
        title=_("Your partner proposed a time for check-ins"),
        label=_("When my partner proposes a check-in schedule"),
        load=_load_schedules,
        still_due=_schedule_proposal_still_due,
        url=lambda s: f"/checkins/schedules/#schedule-{s.pk}",
        grace=dt.timedelta(days=2),
    )
)
