"""What ends in check-ins when a couple closes (couples.closing)."""

from django.db import transaction
from django.utils import timezone

from couples import closing
from reminders.services import reminders_cancel

from . import live
from .models import CheckIn, LiveSession, Schedule
from .reminder_kinds import SCHEDULE_PROPOSED_KIND

# Every check-in reminder kind (checkins/reminder_kinds.py) starts with one
# of these; their target is a check-in's id.
REMINDER_PREFIXES = ("checkin_", "live_")


@closing.handler
def close_sockets(couple_id: int) -> None:
    # After the commit, so a socket told to close reads a closed couple. A
    # handler of its own, which cannot fail: a failing one would take the
    # on_commit down with its savepoint. robust: an unreachable channel layer
    # does not make leaving fail (the consumers refuse a closed couple anyway).
    transaction.on_commit(lambda: live.close_couple_sockets(couple_id), robust=True)


@closing.handler
def live_sessions_finish(couple_id: int) -> None:
    # An open live session of a closed couple can never go on.
    LiveSession.objects.filter(checkin__couple_id=couple_id, finished_at__isnull=True).update(
        finished_at=timezone.now()
    )


@closing.handler
def reminders_end(couple_id: int) -> None:
    # Nobody is reminded of a check-in of a couple they have left.
    ids = list(CheckIn.objects.filter(couple_id=couple_id, closes_at__gt=timezone.now()).values_list("pk", flat=True))
    for prefix in REMINDER_PREFIXES:
        reminders_cancel(kind_prefix=prefix, target_ids=ids)


@closing.handler
def schedules_stop(couple_id: int) -> None:
    # A closed couple keeps no rhythm: its schedules stop making check-ins
    # (the periodic task only extends active ones), and the occurrences
    # nobody touched yet go, as a pause drops them. Answered ones stay
    # history. After reminders_end, which cancelled their reminders.
    now = timezone.now()
    schedules = Schedule.objects.filter(couple_id=couple_id).exclude(status=Schedule.Status.PAUSED)
    ids = list(schedules.values_list("pk", flat=True))
    schedules.update(status=Schedule.Status.PAUSED, paused_by=None, generated_until=None, updated_at=now)
    CheckIn.objects.filter(schedule_id__in=ids, scheduled_for__gt=now, answers__isnull=True).delete()
    # A proposal nobody will accept now: its notice, if not sent yet, goes.
    reminders_cancel(kind_prefix=SCHEDULE_PROPOSED_KIND, target_ids=ids)
