"""Repair conversation reads, scoped to the member who asks (404 for anyone
else). ``repair_steps_for`` is the one place that decides what each path
(REST, pages, export) may show of a step: the partner's answer only once
the step is revealed, and never their trigger-log link."""

import datetime as dt

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.models import User
from backend.localtime import local_date
from couples.selectors import couple_ids_of_member

from .conversation import STEPS, access_repair, current_step, repair_is_open
from .models import Commitment, Repair, RepairAnswer, RepairEvent, RepairReveal


def repairs_for_member(*, user: User) -> QuerySet[Repair]:
    return Repair.objects.filter(couple_id__in=couple_ids_of_member(user=user)).order_by("-created_at", "-id")


def repair_status_at(repair: Repair, now: dt.datetime) -> str:
    """Open past its time reads as expired on every path, before the sweep."""
    if repair.status == Repair.Status.OPEN and not repair_is_open(repair, now):
        return Repair.Status.EXPIRED
    return repair.status


def repair_get_for_member(*, user: User, repair_id: int) -> Repair:
    repair = access_repair(user, repair_id)
    return (
        Repair.objects.filter(pk=repair.pk)
        .prefetch_related(
            Prefetch("answers", queryset=RepairAnswer.objects.order_by("id")),
            Prefetch("reveals", queryset=RepairReveal.objects.order_by("id")),
        )
        .get()
    )


def _mine(answer: RepairAnswer | None) -> dict | None:
    if answer is None:
        return None
    return {
        "text": answer.text,
        "due": answer.due_at,
        "trigger_entry": answer.trigger_entry_id,
        "submitted": answer.submitted_at is not None,
        "updated_at": answer.updated_at,
    }


def _partners(answer: RepairAnswer | None) -> dict | None:
    # What the partner may see of a revealed answer: the words and, for a
    # commitment, its date. Never the trigger-log link (the entry is theirs
    # alone unless they share it through the journal).
    if answer is None:
        return None
    return {"text": answer.text, "due": answer.due_at}


def repair_steps_for(*, repair: Repair, user: User, now: dt.datetime | None = None) -> list[dict]:
    """Each step for ``user``: ``state`` (locked, open, waiting, revealed),
    ``mine`` (their own answer or draft), ``partner`` (null until revealed).
    Uses the prefetched answers and reveals when present."""
    now = now or timezone.now()
    revealed = {r.step: r.revealed_at for r in repair.reveals.all()}
    answers = list(repair.answers.all())
    mine = {a.step: a for a in answers if a.author_id == user.pk}
    theirs = {a.step: a for a in answers if a.author_id != user.pk and a.submitted_at is not None}
    is_open = repair_is_open(repair, now)
    opened = current_step(set(revealed)) if is_open else None
    rows = []
    for spec in STEPS:
        key = spec["key"]
        if key in revealed:
            state = "revealed"
        elif key == opened:
            # "waiting" says only what the caller did (sent theirs), never
            # whether the partner has answered.
            state = "waiting" if key in mine and mine[key].submitted_at is not None else "open"
        else:
            state = "locked"
        rows.append(
            {
                "key": key,
                "kind": spec["kind"],
                "prompt": spec["prompt"],
                "help": spec["help"],
                "trigger": bool(spec.get("trigger")),
                "state": state,
                "revealed_at": revealed.get(key),
                "mine": _mine(mine.get(key)),
                "partner": _partners(theirs.get(key)) if key in revealed else None,
            }
        )
    return rows


def repair_events_for_member(*, user: User, repair_id: int, since: int) -> QuerySet[RepairEvent]:
    repair = access_repair(user, repair_id)
    return RepairEvent.objects.filter(repair=repair, seq__gt=since).order_by("seq")


def commitments_for_member(*, user: User) -> QuerySet[Commitment]:
    """The couple's commitments (both partners', each shown to both when
    the last step was revealed)."""
    return Commitment.objects.filter(repair__couple_id__in=couple_ids_of_member(user=user)).order_by("due_at", "id")


def repairs_export(*, user: User, couple_ids: list[int]) -> dict:
    """The person's repair conversations (of every couple they were in):
    their own answers and drafts, the partner's answers only for revealed
    steps (``repair_steps_for``, as every path), never the partner's
    trigger-log link; and their own commitments."""
    now = timezone.now()
    repairs = Repair.objects.filter(couple_id__in=couple_ids).prefetch_related("answers", "reveals").order_by("id")
    conversations = []
    for repair in repairs:
        steps = repair_steps_for(repair=repair, user=user, now=now)
        conversations.append(
            {
                "id": repair.pk,
                "status": repair_status_at(repair, now),
                "timeout_id": repair.timeout_id,
                "created_at": repair.created_at.isoformat(),
                # A conversation ended by the couple ending says the day
                # only: its time is when the other partner left (issue #23).
                "closed_at": (
                    None
                    if repair.closed_at is None
                    else local_date(instant=repair.closed_at, tz=user.timezone).isoformat()
                    if repair.status == Repair.Status.ENDED
                    else repair.closed_at.isoformat()
                ),
                "steps": [
                    {
                        "key": s["key"],
                        "state": s["state"],
                        "mine": _export_answer(s["mine"]),
                        "partner": _export_answer(s["partner"]),
                    }
                    for s in steps
                ],
            }
        )
    commitments = [
        {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in row.items()}
        for row in Commitment.objects.filter(author=user)
        .order_by("id")
        .values("id", "repair_id", "text", "due_at", "status", "kept_at", "created_at")
    ]
    return {"conversations": conversations, "my_commitments": commitments}


def _export_answer(answer: dict | None) -> dict | None:
    if answer is None:
        return None
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in answer.items()}
