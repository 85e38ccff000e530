"""Check-up reads. One rule for what each person may see of a round
(``round_view_for``): their own fill (a draft included, as theirs), and the
partner's only once the round was revealed. Every path (API, page,
export) goes through it; the trends (``progress_for_couple``) read revealed
rounds only, for the couple's page and for a therapist with the progress
scope alike."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from couples.models import Couple
from couples.selectors import couple_get_for_member, couple_partners

from .instruments import instrument_builtin
from .models import Answer, Instrument, Round


def rounds_for_member(*, user: User, now: dt.datetime | None = None) -> QuerySet[Round]:
    """The couple's rounds that have opened (not the one scheduled ahead),
    newest first, with their sent answers and the caller's own draft."""
    now = now or timezone.now()
    couple = couple_get_for_member(user=user)
    visible = Answer.objects.filter(Q(submitted_at__isnull=False) | Q(author=user))
    return (
        Round.objects.filter(couple=couple, opens_at__lte=now)
        .select_related("instrument")
        .prefetch_related(Prefetch("answers", queryset=visible, to_attr="visible_answers"))
        .order_by("-number")
    )


def round_get_for_member(*, user: User, round_id: int, now: dt.datetime | None = None) -> Round:
    found = rounds_for_member(user=user, now=now).filter(pk=round_id).first()
    if found is None:
        raise Http404
    return found


def round_next_for_member(*, user: User) -> Round | None:
    couple = couple_get_for_member(user=user)
    return Round.objects.filter(couple=couple, revealed_at__isnull=True, closed_at__isnull=True).first()


def round_view_for(*, round_: Round, user: User, now: dt.datetime | None = None) -> dict:
    """What ``user`` sees of a round: theirs always (``draft`` when not
    sent), the partner's sent answer only once revealed - never a draft,
    never whether the partner has sent before the reveal."""
    now = now or timezone.now()
    answers = getattr(round_, "visible_answers", None)
    if answers is None:
        answers = list(round_.answers.filter(Q(submitted_at__isnull=False) | Q(author=user)))
    mine = next((a for a in answers if a.author_id == user.pk), None)
    partner = None
    if round_.revealed_at is not None:
        partner = next((a for a in answers if a.author_id != user.pk and a.submitted_at is not None), None)
    return {
        "id": round_.pk,
        "number": round_.number,
        "instrument": round_.instrument.key,
        "opens_at": round_.opens_at,
        "state": round_.state_at(now),
        "asked_by_therapist": round_.asked_by_id is not None,
        "revealed_at": round_.revealed_at,
        "mine": _answer_view(mine) if mine else None,
        "partner": _answer_view(partner) if partner else None,
    }


def _answer_view(answer: Answer) -> dict:
    sent = answer.submitted_at is not None
    return {
        "values": answer.values,
        "score": answer.score if sent else None,
        "draft": not sent,
        "submitted_at": answer.submitted_at,
    }


def instruments_active() -> QuerySet[Instrument]:
    instrument_builtin()
    return Instrument.objects.filter(active=True).order_by("id")


def progress_for_couple(*, couple: Couple) -> dict:
    """Both partners' scores, side by side, for revealed rounds only, and a
    flag where one partner's total fell by at least the instrument's
    ``drop_flag`` between two of their fills. Numbers only; no label on
    anyone. Two queries (partners, answers), whatever the history."""
    partners = [(p.pk, p.display_name) for p in couple_partners(couple=couple)]
    rows = list(
        Answer.objects.filter(
            round__couple=couple,
            round__revealed_at__isnull=False,
            submitted_at__isnull=False,
            author_id__in=[pid for pid, _ in partners],
        )
        .select_related("round__instrument")
        .order_by("round__number")
    )
    instrument = rows[-1].round.instrument if rows else instrument_builtin()
    people, flags = [], []
    for pid, name in partners:
        points, previous = [], None
        for a in rows:
            if a.author_id != pid:
                continue
            points.append(
                {
                    "round_id": a.round_id,
                    "round_number": a.round.number,
                    "opened_at": a.round.opens_at,
                    "revealed_at": a.round.revealed_at,
                    "instrument": a.round.instrument.key,
                    "score": a.score,
                    "values": a.values,
                }
            )
            if previous is not None and previous.round.instrument_id == a.round.instrument_id:
                drop = previous.score - a.score
                if drop >= a.round.instrument.drop_flag:
                    flags.append(
                        {
                            "partner_id": pid,
                            "round_id": a.round_id,
                            "round_number": a.round.number,
                            "from_score": previous.score,
                            "to_score": a.score,
                            "drop": drop,
                        }
                    )
            previous = a
        people.append({"partner_id": pid, "display_name": name, "points": points})
    return {
        "instrument": {
            "key": instrument.key,
            "name": gettext(instrument.name),
            "items": [item["key"] for item in instrument.items],
            "scale": {"min": instrument.scale_min, "max": instrument.scale_max},
            "score_max": instrument.score_max,
            "drop_flag": instrument.drop_flag,
        },
        "partners": people,
        "flags": flags,
    }


def latest_drops(*, couple_ids: list[int]) -> dict[int, list[dict]]:
    """For a therapist's list of couples: per couple, each partner whose
    latest revealed total fell by at least the instrument's ``drop_flag``
    since their fill before it. One query for any number of couples (a
    window function keeps each partner's last two fills)."""
    if not couple_ids:
        return {}
    rows = (
        Answer.objects.filter(
            round__couple_id__in=couple_ids, round__revealed_at__isnull=False, submitted_at__isnull=False
        )
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("round__couple_id"), F("author_id")], order_by=F("round__number").desc()
            )
        )
        .filter(rank__lte=2)
        .values(
            "round__couple_id",
            "author_id",
            "round__number",
            "round__instrument_id",
            "round__instrument__drop_flag",
            "score",
            "rank",
        )
    )
    last: dict[tuple[int, int], dict] = {}
    before: dict[tuple[int, int], dict] = {}
    for r in rows:
        key = (r["round__couple_id"], r["author_id"])
        (last if r["rank"] == 1 else before)[key] = r
    out: dict[int, list[dict]] = {}
    for key, latest in sorted(last.items()):
        previous = before.get(key)
        if previous is None or previous["round__instrument_id"] != latest["round__instrument_id"]:
            continue
        drop = previous["score"] - latest["score"]
        if drop >= latest["round__instrument__drop_flag"]:
            out.setdefault(key[0], []).append(
                {
                    "kind": "checkup_drop",
                    "partner_id": key[1],
                    "round_number": latest["round__number"],
                    "from_score": previous["score"],
                    "to_score": latest["score"],
                    "drop": drop,
                }
            )
    return out
