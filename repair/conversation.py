"""The repair conversation (issue #18, section 3): after a rupture, each
partner answers one step privately; when both have sent it, that step is
revealed to both, is final, and the next one opens. The last step is a
commitment ``{text, due}`` that becomes a promise its maker keeps.

Every write takes the repair's row lock first (``access_repair(lock=True)``):
two partners sending at once are serialized, and the second one, seeing both
answers, reveals the step exactly once (``repair_step_reveal``, the only
writer of a reveal). See docs/repair.md."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from backend.errors import Conflict, Invalid
from couples.models import Couple
from couples.selectors import couple_ids_of_member, couple_partners, member_is_current
from journal.models import Entry
from reminders import services as reminders
from space.models import Kind, SpacePeriod

from . import live
from .models import COMMITMENT_MAX, REPAIR_TEXT_MAX, Commitment, Repair, RepairAnswer, RepairEvent, RepairReveal
from .services import clean_text

# Our own wording. ``kind`` tells a client how to answer: ``text`` is a
# string; ``commitment`` is ``{text, due}``.
STEPS: list[dict[str, Any]] = [
    {
        "key": "felt",
        "kind": "text",
        "prompt": _("What I felt"),
        "help": _("Name the feelings, not the other person's faults: hurt, scared, alone, angry…"),
    },
    {
        "key": "needed",
        "kind": "text",
        "prompt": _("What I needed and didn't get"),
        "help": _("Say it as a need of yours (“I needed to know you were coming back”)."),
    },
    {
        "key": "set_off",
        "kind": "text",
        "prompt": _("What may have set me off"),
        "help": _(
            "Something old, a worry, a tired day. You may link an entry of your trigger log: "
            "your partner sees nothing of it unless you share it from your journal."
        ),
        "trigger": True,
    },
    {
        "key": "own",
        "kind": "text",
        "prompt": _("What I own, and regret"),
        "help": _("Your part only, however small."),
    },
    {
        "key": "commitment",
        "kind": "commitment",
        "prompt": _("One thing I will do differently"),
        "help": _("Small and concrete, with a date you can keep. It becomes a promise."),
    },
]
STEP_KEYS = [s["key"] for s in STEPS]
LAST_STEP = STEP_KEYS[-1]
COMMITMENT_LONGEST = dt.timedelta(days=90)

STARTED_KIND = "repair_started"
REVEALED_KIND = "repair_step_revealed"
COMMITMENT_KIND = "repair_commitment_due"


def step_by_key(key: str) -> dict[str, Any]:
    for step in STEPS:
        if step["key"] == key:
            return step
    raise Http404


def open_days() -> int:
    return settings.STEADY_REPAIR_OPEN_DAYS


def repair_is_open(repair: Repair, now: dt.datetime) -> bool:
    """Open, and not past its time: a repair left open past
    STEADY_REPAIR_OPEN_DAYS counts as closed on every path even before the
    sweep (``repairs_expire``) records it."""
    return repair.status == Repair.Status.OPEN and now < repair.expires_at


# --- access --------------------------------------------------------------------------


def access_repair(user: User, repair_id: int, *, lock: bool = False) -> Repair:
    """The repair, if ``user`` is one of its couple now; otherwise 404 (a
    stranger, a therapist, a former partner and a missing repair look the
    same). With ``lock``, the same query locks its row: membership is
    checked on the locked row and writers of one repair go one at a time."""
    query = Repair.objects.filter(pk=repair_id, couple_id__in=couple_ids_of_member(user=user))
    if lock:
        query = query.select_for_update(of=("self",))
    repair = query.first()
    if repair is None:
        raise Http404
    return repair


# --- events --------------------------------------------------------------------------


def _events_append(*, repair: Repair, events: list[tuple[str, dict]]) -> None:
    """The one writer of a repair's event sequence. The caller holds the
    repair's row lock, so the next numbers are ours (the unique constraint
    backs it). Events carry step keys and states, never text; each is
    broadcast to the live sockets after commit (``repair.live``)."""
    if not events:
        return
    now = timezone.now()
    first = repair.last_event_seq + 1
    rows = [
        RepairEvent(repair_id=repair.pk, seq=first + i, kind=kind, data=data, created_at=now)
        for i, (kind, data) in enumerate(events)
    ]
    repair.last_event_seq = rows[-1].seq
    Repair.objects.filter(pk=repair.pk).update(last_event_seq=repair.last_event_seq)
    RepairEvent.objects.bulk_create(rows)
    for event in rows:
        transaction.on_commit(
            lambda seq=event.seq, kind=event.kind, data=dict(event.data): live.broadcast_event(
                repair.pk, seq, kind, data
            )
        )


# --- start and stop ------------------------------------------------------------------


@transaction.atomic
def repair_start(
    *, couple: Couple, user: User, timeout: SpacePeriod | int | None = None, now: dt.datetime | None = None
) -> Repair:
    """Either partner opens a repair conversation, alone or after a
    time-out of the couple's. One open per couple (409 with its id)."""
    now = now or timezone.now()
    if not member_is_current(user=user, couple_id=couple.pk):
        raise Http404
    period = None
    if timeout is not None:
        timeout_id = timeout.pk if isinstance(timeout, SpacePeriod) else timeout
        period = SpacePeriod.objects.filter(pk=timeout_id, couple=couple, kind=Kind.TIMEOUT).first()
        if period is None:
            raise Invalid(gettext("There is no time-out of yours with this id."), field="timeout")
    # The couple's row lock serializes two starts: they make one conversation.
    Couple.objects.select_for_update().filter(pk=couple.pk).first()
    repairs_expire(now=now, couple_id=couple.pk)
    current = Repair.objects.filter(couple=couple, status=Repair.Status.OPEN).first()
    if current is not None:
        message = gettext("You already have a repair conversation open.")
        raise Conflict(message, errors={"detail": message, "repair": current.pk})
    repair = Repair.objects.create(
        couple=couple,
        started_by=user,
        timeout=period,
        created_at=now,
        expires_at=now + dt.timedelta(days=open_days()),
    )
    _events_append(repair=repair, events=[("started", {})])
    for partner in couple_partners(couple=couple):
        if partner.pk != user.pk:
            reminders.reminder_schedule(user_id=partner.pk, kind=STARTED_KIND, target_id=repair.pk, due_at=now)
    return repair


def _cancel_reminders(repair_ids: list[int]) -> None:
    reminders.reminders_cancel(kind_prefix=STARTED_KIND, target_ids=repair_ids)
    reminders.reminders_cancel(kind_prefix=REVEALED_KIND, target_ids=repair_ids)


@transaction.atomic
def repair_stop(*, repair_id: int, user: User, now: dt.datetime | None = None) -> Repair:
    """Either partner can stop it, alone, at any step: nothing unrevealed
    is shown, revealed steps stay as they were."""
    now = now or timezone.now()
    repair = access_repair(user, repair_id, lock=True)
    if not repair_is_open(repair, now):
        raise Conflict(gettext("This repair conversation is already closed."))
    repair.status = Repair.Status.STOPPED
    repair.closed_at = now
    repair.closed_by = user
    repair.save(update_fields=["status", "closed_at", "closed_by"])
    _events_append(repair=repair, events=[("closed", {"status": repair.status})])
    _cancel_reminders([repair.pk])
    return repair


def repairs_expire(*, now: dt.datetime | None = None, couple_id: int | None = None) -> int:
    """Closes, silently, repairs left open past their time: no event, no
    notification, nothing becomes "missed". A conditional update claims each
    one, so two sweeps at once (or a retried task) close each once."""
    now = now or timezone.now()
    stale = Repair.objects.filter(status=Repair.Status.OPEN, expires_at__lte=now)
    if couple_id is not None:
        stale = stale.filter(couple_id=couple_id)
    ids = list(stale.values_list("pk", flat=True)[:1000])
    if not ids:
        return 0
    closed = Repair.objects.filter(pk__in=ids, status=Repair.Status.OPEN).update(
        status=Repair.Status.EXPIRED, closed_at=now
    )
    _cancel_reminders(ids)
    return closed


def repairs_end_for_couple(*, couple_id: int, now: dt.datetime | None = None) -> int:
    """The couple ended: open repairs close silently as ``ended``, their
    commitments end (nobody is owed them any more), reminders cancelled."""
    now = now or timezone.now()
    ids = list(Repair.objects.filter(couple_id=couple_id, status=Repair.Status.OPEN).values_list("pk", flat=True))
    Repair.objects.filter(pk__in=ids).update(status=Repair.Status.ENDED, closed_at=now)
    commitments = list(
        Commitment.objects.filter(repair__couple_id=couple_id, status=Commitment.Status.OPEN).values_list(
            "pk", flat=True
        )
    )
    Commitment.objects.filter(pk__in=commitments).update(status=Commitment.Status.ENDED)
    _cancel_reminders(ids)
    reminders.reminders_cancel(kind_prefix=COMMITMENT_KIND, target_ids=commitments)
    return len(ids)


# --- answering a step ----------------------------------------------------------------


def current_step(revealed: set[str]) -> str | None:
    """The step open now: the first not yet revealed (None when all are)."""
    return next((key for key in STEP_KEYS if key not in revealed), None)


def _clean_text(value: Any, *, field: str, text_max: int, required: bool) -> str:
    """The time-out rules' text check (``services.clean_text``), and a sent
    step must say something."""
    value = clean_text(value, field=field, limit=text_max)
    if required and not value:
        raise Invalid(gettext("Write something here, even a few words."), field=field)
    return value


def _clean_due(value: Any, *, now: dt.datetime, required: bool) -> dt.datetime | None:
    if value is None:
        if required:
            raise Invalid(gettext("Choose when you will have done it."), field="due")
        return None
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise Invalid(gettext("Give a time with its timezone offset, like 2026-03-09T20:00:00+01:00."), field="due")
    if value <= now:
        raise Invalid(gettext("Choose a time that is still to come."), field="due")
    if value > now + COMMITMENT_LONGEST:
        raise Invalid(gettext("Choose a time within the next 90 days: something you can keep soon."), field="due")
    return value


@transaction.atomic
def repair_answer(
    *,
    repair_id: int,
    user: User,
    step: str,
    text: Any,
    due: dt.datetime | None = None,
    trigger_entry: int | None = None,
    submit: bool = True,
    now: dt.datetime | None = None,
) -> Repair:
    """Saves the caller's answer to the open step (a draft with
    ``submit=False``: it never counts toward the reveal), then reveals the
    step if both have sent it. A step not yet open, or already revealed
    (final), is 409."""
    now = now or timezone.now()
    spec = step_by_key(step)
    repair = access_repair(user, repair_id, lock=True)
    if not repair_is_open(repair, now):
        raise Conflict(gettext("This repair conversation is closed."))
    revealed = set(RepairReveal.objects.filter(repair=repair).values_list("step", flat=True))
    if step in revealed:
        raise Conflict(gettext("This step was revealed to you both; it can't be changed now."))
    if step != current_step(revealed):
        raise Conflict(gettext("This step opens when you have both answered the one before it."))
    is_commitment = spec["kind"] == "commitment"
    limit = COMMITMENT_MAX if is_commitment else REPAIR_TEXT_MAX
    field = "text" if is_commitment else "value"
    text = _clean_text(text, field=field, text_max=limit, required=submit)
    due_at = _clean_due(due, now=now, required=submit and is_commitment) if is_commitment else None
    entry_id = None
    if trigger_entry is not None:
        if not spec.get("trigger"):
            raise Invalid(
                gettext("Only the step about what set you off can link a trigger-log entry."), field="trigger_entry"
            )
        # Only the author's own trigger-log entries; anyone else's is "missing".
        if not Entry.objects.filter(pk=trigger_entry, author=user, kind="trigger").exists():
            raise Invalid(gettext("There is no trigger-log entry of yours with this id."), field="trigger_entry")
        entry_id = trigger_entry
    RepairAnswer.objects.update_or_create(
        repair=repair,
        author=user,
        step=step,
        defaults={
            "text": text,
            "due_at": due_at,
            "trigger_entry_id": entry_id,
            "submitted_at": now if submit else None,
            "updated_at": now,
        },
    )
    if submit:
        repair_step_reveal(repair=repair, step=step, now=now, actor=user)
    return repair


def repair_step_reveal(*, repair: Repair, step: str, now: dt.datetime, actor: User | None = None) -> bool:
    """Reveal together, per step: once both partners have *sent* their
    answer to ``step`` (a draft is not sent), it is revealed to both, final,
    and the next step opens; the last step's reveal makes each partner's
    commitment and completes the conversation. The only writer of
    ``RepairReveal`` and the only emitter of ``step_revealed``; what each
    path may show is decided by ``repair.conversation_selectors.repair_steps_for``.
    The caller holds the repair's row lock, so two partners sending at once
    reveal the step exactly once (the unique pair backs it)."""
    if RepairReveal.objects.filter(repair=repair, step=step).exists():
        return False
    sent = list(
        RepairAnswer.objects.filter(repair=repair, step=step, submitted_at__isnull=False).values_list(
            "author_id", flat=True
        )
    )
    if len(set(sent)) < 2:
        return False
    RepairReveal.objects.create(repair=repair, step=step, revealed_at=now)
    events = [("step_revealed", {"step": step})]
    if step == LAST_STEP:
        made = Commitment.objects.bulk_create(
            Commitment(repair=repair, author_id=a.author_id, text=a.text, due_at=a.due_at, created_at=now)
            for a in RepairAnswer.objects.filter(repair=repair, step=step, submitted_at__isnull=False)
        )
        Repair.objects.filter(pk=repair.pk).update(status=Repair.Status.COMPLETED, closed_at=now)
        repair.status, repair.closed_at = Repair.Status.COMPLETED, now
        events.append(("closed", {"status": Repair.Status.COMPLETED}))
        _cancel_reminders([repair.pk])
        for commitment in made:
            reminders.reminder_schedule(
                user_id=commitment.author_id, kind=COMMITMENT_KIND, target_id=commitment.pk, due_at=commitment.due_at
            )
    _events_append(repair=repair, events=events)
    # The one who sent first may have closed the app: one content-free
    # notification per step tells them it is there to read.
    for author_id in set(sent):
        if actor is None or author_id != actor.pk:
            reminders.reminder_schedule(
                user_id=author_id, kind=REVEALED_KIND, target_id=repair.pk, due_at=now, occurrence=step
            )
    return True


def _commitment_of_maker(*, commitment_id: int, user: User) -> Commitment:
    """Its maker's commitment on its locked row, in a couple they are still
    in; anyone else's is 404 (the same as one that does not exist)."""
    commitment = (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("repair")
        .filter(pk=commitment_id, author=user)
        .first()
    )
    if commitment is None or not member_is_current(user=user, couple_id=commitment.repair.couple_id):
        raise Http404
    return commitment


def commitment_keep(*, commitment_id: int, user: User, now: dt.datetime | None = None) -> Commitment:
    """Its maker marks a commitment kept, up to and at its due time (404 for
    anyone else). After the due time it cannot be kept any more (409): the
    promise ledger reads it as missed, and only its maker sees that."""
    now = now or timezone.now()
    with transaction.atomic():
        commitment = _commitment_of_maker(commitment_id=commitment_id, user=user)
        if commitment.status != Commitment.Status.OPEN:
            raise Conflict(gettext("This commitment is already closed."))
        if now > commitment.due_at:
            raise Conflict(gettext("The time you set for this has passed. Plans change; you can make a new one."))
        commitment.status, commitment.kept_at = Commitment.Status.KEPT, now
        commitment.save(update_fields=["status", "kept_at"])
        reminders.reminders_cancel(kind_prefix=COMMITMENT_KIND, target_ids=[commitment.pk])
    return commitment


def commitment_renegotiate(
    *, commitment_id: int, user: User, due_at: dt.datetime, now: dt.datetime | None = None
) -> Commitment:
    """Its maker moves a commitment later, strictly before its due time
    (at or after it: 409; an earlier or equal time: 400). The first time is
    kept (``first_due_at``); the reminder moves to the new time (one
    occurrence per promised time)."""
    now = now or timezone.now()
    if timezone.is_naive(due_at):
        raise Invalid(gettext("Give a time with its timezone offset, like 2026-03-02T20:00:00+01:00."), field="due_at")
    with transaction.atomic():
        commitment = _commitment_of_maker(commitment_id=commitment_id, user=user)
        if commitment.status != Commitment.Status.OPEN:
            raise Conflict(gettext("This commitment is already closed."))
        if now >= commitment.due_at:
            raise Conflict(gettext("The time you set for this has come. Plans change; you can make a new one."))
        if due_at <= commitment.due_at:
            raise Invalid(gettext("Choose a time later than the one you set."), field="due_at")
        if due_at > now + COMMITMENT_LONGEST:
            raise Invalid(gettext("Choose a time within the next 90 days."), field="due_at")
        commitment.first_due_at = commitment.first_due_at or commitment.due_at
        commitment.due_at, commitment.renegotiated_at = due_at, now
        commitment.save(update_fields=["first_due_at", "due_at", "renegotiated_at"])
        reminders.reminders_cancel(kind_prefix=COMMITMENT_KIND, target_ids=[commitment.pk])
        reminders.reminder_schedule(
            user_id=user.pk,
            kind=COMMITMENT_KIND,
            target_id=commitment.pk,
            due_at=due_at,
            occurrence=f"{due_at:%Y%m%dT%H%M%S}",
        )
    return commitment
