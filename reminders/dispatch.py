"""The dispatcher: one tick claims the reminders that are due, decides what
each one becomes, records it exactly once, and queues email and push after
commit.

Queries per batch are constant: claim, users with preferences, targets per
kind, today's sends, deliveries insert and read-back, notifications insert,
push subscribers, and the reminder updates. Nothing scans the whole table:
the claim reads the partial index on pending ``fire_at``.
"""

import datetime as dt
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from backend import localtime

from .kinds import KINDS, is_enabled, source_text
from .models import Delivery, Notification, Preference, PushSubscription, Reminder
from .quiet import quiet_until
from .sending import send_deliveries

DEFAULT_PREFS = Preference()


@dataclass
class Decision:
    reminder: Reminder
    outcome: str | None  # a Delivery.Outcome, or None when only deferred
    defer_to: dt.datetime | None = None
    title: str = ""
    url: str = ""


@dataclass
class TickResult:
    claimed: int = 0
    outcomes: Counter = field(default_factory=Counter)
    deferred: int = 0
    batches: int = 0
    lines: list = field(default_factory=list)  # for --dry-run

    def as_dict(self) -> dict:
        return {
            "claimed": self.claimed,
            "deferred": self.deferred,
            "batches": self.batches,
            **{f"outcome_{k}": v for k, v in sorted(self.outcomes.items())},
        }


def _claim(*, now: dt.datetime, batch_size: int, lock: bool) -> list[Reminder]:
    qs = Reminder.objects.filter(status=Reminder.Status.PENDING, fire_at__lte=now).order_by("fire_at", "id")
    if lock and connection.features.has_select_for_update_skip_locked:
        # Two dispatchers running at once take disjoint rows: a row locked by
        # one is skipped by the other rather than waited for and re-sent.
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs[:batch_size])


def _sent_today(user_ids: list[int], users: dict[int, User], now: dt.datetime) -> Counter:
    """Notifications sent to each person since their own local midnight."""
    counts: Counter = Counter()
    rows = Delivery.objects.filter(
        user_id__in=user_ids, outcome=Delivery.Outcome.SENT, decided_at__gt=now - dt.timedelta(hours=26)
    ).values_list("user_id", "decided_at")
    midnights = {}
    for user_id, decided_at in rows:
        if user_id not in midnights:
            tz = localtime.zone(name=users[user_id].timezone)
            midnights[user_id] = localtime.local_midnight(day=localtime.local_date(instant=now, tz=tz), tz=tz)
        if decided_at >= midnights[user_id]:
            counts[user_id] += 1
    return counts


def _plan(rows: list[Reminder], now: dt.datetime) -> tuple[list[Decision], dict[int, User]]:
    user_ids = sorted({r.user_id for r in rows})
    users = {
        u.pk: u
        for u in User.objects.filter(pk__in=user_ids)
        .select_related("reminder_prefs")
        .only(
            "id",
            "email",
            "is_active",
            "timezone",
            "quiet_hours_start",
            "quiet_hours_end",
            "couple_paused_at",
            "reminder_prefs",
        )
    }
    by_kind: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        by_kind[r.kind].append(r.target_id)
    targets = {key: KINDS[key].load(ids) for key, ids in by_kind.items() if key in KINDS}
    sent_today = _sent_today(user_ids, users, now)

    decisions = []
    for r in rows:
        user = users.get(r.user_id)
        kind = KINDS.get(r.kind)
        target = targets.get(r.kind, {}).get(r.target_id)
        prefs = getattr(user, "reminder_prefs", None) or DEFAULT_PREFS
        if user is None or kind is None or not user.is_active or not kind.still_due(r, target, now):
            decisions.append(Decision(r, Delivery.Outcome.STALE))
        elif user.couple_paused_at is not None:
            # The quiet pause (docs/safety.md): nothing reaches the paused
            # person, in no channel. A recurring kind moves on to its next
            # time as a turned-off one does, so resuming needs no repair.
            decisions.append(Decision(r, Delivery.Outcome.PAUSED))
        elif not is_enabled(kind, prefs.kinds):
            decisions.append(Decision(r, Delivery.Outcome.DISABLED))
        elif now - r.fire_at > kind.grace:
            # Catch-up after an outage: too late to be useful, and a burst of
            # stale reminders is exactly what an anxious partner must not get.
            decisions.append(Decision(r, Delivery.Outcome.MISSED))
        elif until := quiet_until(
            start=user.quiet_hours_start, end=user.quiet_hours_end, tz_name=user.timezone, now=now
        ):
            decisions.append(Decision(r, None, defer_to=until))
        elif sent_today[r.user_id] >= prefs.daily_cap:
            decisions.append(Decision(r, Delivery.Outcome.CAPPED))
        else:
            sent_today[r.user_id] += 1
            decisions.append(Decision(r, Delivery.Outcome.SENT, title=source_text(kind.title), url=kind.url(target)))
    return decisions, users


def _apply(decisions: list[Decision], users: dict[int, User], now: dt.datetime) -> None:
    tick = uuid.uuid4()
    push_users = (
        set(PushSubscription.objects.filter(user_id__in=list(users)).values_list("user_id", flat=True).distinct())
        if settings.STEADY_VAPID_PRIVATE_KEY
        else set()
    )
    deliveries = []
    for d in decisions:
        if d.outcome is None:
            continue
        r = d.reminder
        prefs = getattr(users.get(r.user_id), "reminder_prefs", None) or DEFAULT_PREFS
        sent = d.outcome == Delivery.Outcome.SENT
        deliveries.append(
            Delivery(
                reminder_id=r.pk,
                occurrence=r.occurrence,
                user_id=r.user_id,
                kind=r.kind,
                outcome=d.outcome,
                due_at=r.due_at,
                decided_at=now,
                tick=tick,
                email_state=Delivery.Channel.QUEUED if sent and prefs.email else Delivery.Channel.NONE,
                push_state=(
                    Delivery.Channel.QUEUED
                    if sent and prefs.push and r.user_id in push_users
                    else Delivery.Channel.NONE
                ),
            )
        )
    # The unique (reminder, occurrence) constraint makes a repeated decision
    # a no-op; only rows this tick really inserted carry its tick id.
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=1000)
    created = list(
        Delivery.objects.filter(tick=tick).values_list("id", "reminder_id", "outcome", "email_state", "push_state")
    )
    by_reminder = {d.reminder.pk: d for d in decisions}
    notifications, to_send = [], []
    for delivery_id, reminder_id, outcome, email_state, push_state in created:
        if outcome != Delivery.Outcome.SENT:
            continue
        d = by_reminder[reminder_id]
        notifications.append(
            Notification(
                user_id=d.reminder.user_id,
                kind=d.reminder.kind,
                title=d.title,
                url=d.url,
                delivery_id=delivery_id,
                created_at=now,
            )
        )
        if Delivery.Channel.QUEUED in (email_state, push_state):
            to_send.append(delivery_id)
    Notification.objects.bulk_create(notifications, batch_size=1000)

    finished, moved = [], []
    for d in decisions:
        r = d.reminder
        if d.outcome is None:
            r.fire_at = d.defer_to
            moved.append(r)
            continue
        kind = KINDS.get(r.kind)
        following = kind.next_due(r, None, now) if kind and kind.next_due else None
        if following:
            r.due_at = r.fire_at = following
            r.occurrence = following.strftime("%Y%m%dT%H%M")
            moved.append(r)
        else:
            finished.append(r.pk)
    if finished:
        Reminder.objects.filter(pk__in=finished).update(status=Reminder.Status.DONE)
    if moved:
        _move(moved)
    if to_send:
        # Never enqueue inside the open transaction: the worker must see the
        # rows. If the broker is down the decision stands and the tick goes
        # on; reminders.recover queues the send once the broker is back.
        transaction.on_commit(lambda ids=tuple(to_send): send_deliveries.delay(list(ids)), robust=True)


def _move(rows: list[Reminder]) -> None:
    """Saves new fire times in one statement. Django's bulk_update builds a
    CASE per row, which was half the tick's time; on PostgreSQL an UPDATE
    from a VALUES list does the same in a fraction."""
    if connection.vendor != "postgresql":
        Reminder.objects.bulk_update(rows, ["fire_at", "due_at", "occurrence"], batch_size=1000)
        return
    table = Reminder._meta.db_table
    for start in range(0, len(rows), 1000):
        chunk = rows[start : start + 1000]
        values = ", ".join(["(%s, %s::timestamptz, %s::timestamptz, %s)"] * len(chunk))
        params = [v for r in chunk for v in (r.pk, r.fire_at, r.due_at, r.occurrence)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS r SET fire_at = v.fire_at, due_at = v.due_at, occurrence = v.occurrence "  # noqa: S608 - table name is ours
                f"FROM (VALUES {values}) AS v(id, fire_at, due_at, occurrence) WHERE r.id = v.id",
                params,
            )


def dispatch_tick(
    *,
    now: dt.datetime | None = None,
    batch_size: int = 500,
    max_batches: int = 200,
    dry_run: bool = False,
) -> TickResult:
    now = now or timezone.now()
    result = TickResult()
    if dry_run:
        rows = _claim(now=now, batch_size=batch_size * max_batches, lock=False)
        decisions, users = _plan(rows, now)
        result.claimed = len(rows)
        for d in decisions:
            if d.outcome == Delivery.Outcome.SENT:
                r, user = d.reminder, users[d.reminder.user_id]
                local = r.fire_at.astimezone(localtime.zone(name=user.timezone))
                result.lines.append(
                    f"{r.user_id} {r.kind} {r.fire_at.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')} "
                    f"{local.strftime('%Y-%m-%dT%H:%M:%S%z')}"
                )
            result.outcomes[d.outcome or "deferred"] += 1
        return result
    for _ in range(max_batches):
        with transaction.atomic():
            rows = _claim(now=now, batch_size=batch_size, lock=True)
            if not rows:
                break
            decisions, users = _plan(rows, now)
            _apply(decisions, users, now)
        result.batches += 1
        result.claimed += len(rows)
        for d in decisions:
            if d.outcome is None:
                result.deferred += 1
            else:
                result.outcomes[d.outcome] += 1
        if len(rows) < batch_size:
            break
    return result
