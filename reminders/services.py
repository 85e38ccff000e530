"""Reminder writes: scheduling reminders for things that are due, and
preferences. The dispatcher lives in dispatch.py."""

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from backend.errors import Invalid

from .kinds import KINDS
from .models import Notification, Preference, PushSubscription, Reminder

UNANSWERED_AFTER = dt.timedelta(hours=24)


def prefs_for(user: User) -> Preference:
    prefs = getattr(user, "_reminder_prefs_cache", None)
    if prefs is None:
        prefs, _ = Preference.objects.get_or_create(user=user)
    return prefs


def reminder_schedule(
    *, user_id: int, kind: str, target_id: int, due_at: dt.datetime, occurrence: str = "once"
) -> None:
    """The hook every feature uses: remind ``user_id`` of ``kind`` about
    ``target_id`` at ``due_at``. Idempotent (unique per occurrence)."""
    reminders_schedule_many(
        [Reminder(user_id=user_id, kind=kind, target_id=target_id, due_at=due_at, occurrence=occurrence)]
    )


def reminders_schedule_many(rows: Iterable[Reminder]) -> None:
    rows = list(rows)
    for row in rows:
        if row.kind not in KINDS:
            raise ValueError(f"unknown reminder kind {row.kind}")
        row.fire_at = row.fire_at or row.due_at
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)


def reminders_cancel(*, kind_prefix: str, target_ids: list[int]) -> int:
    return Reminder.objects.filter(
        kind__startswith=kind_prefix, target_id__in=target_ids, status=Reminder.Status.PENDING
    ).update(status=Reminder.Status.CANCELLED)


def checkin_reminders_create(
    *, checkins: list, started_by_id: int | None = None, now: dt.datetime | None = None
) -> None:
    """Reminders for new check-ins, for both partners: before it (their own
    lead time), when it opens, and once more if still unanswered."""
    from couples.models import Membership

    if not checkins:
        return
    now = now or timezone.now()
    couple_ids = {c.couple_id for c in checkins}
    partners: dict[int, list[int]] = {}
    for couple_id, user_id in (
        Membership.objects.current().filter(couple_id__in=couple_ids).values_list("couple_id", "user_id")
    ):
        partners.setdefault(couple_id, []).append(user_id)
    leads = dict(
        Preference.objects.filter(user_id__in=[u for us in partners.values() for u in us]).values_list(
            "user_id", "lead_minutes"
        )
    )
    rows = []
    for c in checkins:
        for user_id in partners.get(c.couple_id, []):
            if started_by_id is not None:
                # An ad-hoc check-in: the partner hears it has opened; the
                # one who started it needs no reminder for now.
                if user_id != started_by_id:
                    rows.append(Reminder(user_id=user_id, kind="checkin_started", target_id=c.pk, due_at=now))
            else:
                before = c.scheduled_for - dt.timedelta(minutes=leads.get(user_id, 30))
                if before > now and leads.get(user_id, 30) > 0:
                    rows.append(Reminder(user_id=user_id, kind="checkin_before", target_id=c.pk, due_at=before))
                rows.append(Reminder(user_id=user_id, kind="checkin_open", target_id=c.pk, due_at=c.scheduled_for))
            unanswered = c.scheduled_for + UNANSWERED_AFTER
            if unanswered < c.closes_at:
                rows.append(Reminder(user_id=user_id, kind="checkin_unanswered", target_id=c.pk, due_at=unanswered))
    reminders_schedule_many(rows)


def preferences_update(*, user: User, data: dict) -> Preference:
    prefs = prefs_for(user)
    if "kinds" in data:
        unknown = sorted(set(data["kinds"]) - set(KINDS))
        if unknown:
            raise Invalid(gettext("Unknown kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)}, field="kinds")
        prefs.kinds = {**prefs.kinds, **data["kinds"]}
    for name in ("email", "push", "daily_cap", "lead_minutes", "gratitude_nudge_days"):
        if name in data:
            setattr(prefs, name, data[name])
    prefs.save()
    return prefs


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def push_subscribe(
    *, user: User, endpoint: str, p256dh: str, auth: str, session_key: str = "", token_key: str = ""
) -> PushSubscription:
    """Registers (or renews) a phone's subscription, tied to the web session
    or API token that registered it: once that is signed out, the phone
    gets no more pushes."""
    # An endpoint belongs to one browser; if it was someone else's (a shared
    # device), it is theirs no longer.
    PushSubscription.objects.filter(endpoint=endpoint).exclude(user=user).delete()
    sub, _ = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"user": user, "p256dh": p256dh, "auth": auth, "session_key": session_key, "token_key": token_key},
    )
    return sub


def push_unsubscribe(*, user: User, endpoint: str) -> int:
    deleted, _ = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return deleted
