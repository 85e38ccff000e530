"""Therapist access reads.

- Partners read their couple's grants (404 for anyone else:
  ``couple_get_for_member``) and access log; a former member still reads
  the log of a couple they were in, for their time in it
  (``access_log_for_member``, 404 for anyone who never was a member).
- A therapist reads a couple only through ``grant_active_for_therapist``,
  which reads the grant from the database on every request: pending,
  expired and revoked grants, and closed couples, are all the same 404 as
  a couple that does not exist.
- ``summary_for_grant`` builds the summary of the granted scopes only, from
  aggregates computed in the database in a fixed number of queries,
  whatever the length of the period. It never reads a text column.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Avg, Count, DateField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncWeek
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from backend import localtime
from backend.prepared import PreparedRows
from couples.models import Couple, Membership
from couples.selectors import couple_get_for_member

from .models import SCOPE_ORDER, SUMMARY_SCOPES, AccessEvent, ConnectCode, Grant, Scope

DEFAULT_WEEKS = 8
MAX_DAYS = 731  # two years, a leap day included


# --- partners ---------------------------------------------------------------------------------


def grants_for_member(*, user: User) -> QuerySet[Grant]:
    return grants_for_couple(couple=couple_get_for_member(user=user))


def grants_for_couple(*, couple: Couple) -> QuerySet[Grant]:
    return (
        Grant.objects.filter(couple=couple)
        .select_related("therapist", "requested_by", "approved_by", "ended_by", "couple")
        .order_by("-requested_at", "-id")
    )


# The home card's read (the member's couple given), prepared once per limit
# (backend.prepared).
GRANTS_FOR_CARD = PreparedRows(
    lambda *, couple, limit: grants_for_couple(couple=couple)[:limit], objects={"couple": Couple}
)


def grant_get_for_member(*, user: User, grant_id: int) -> Grant:
    grant = grants_for_member(user=user).filter(pk=grant_id).first()
    if grant is None:
        raise Http404
    return grant


def access_log_couples_for_member(*, user: User) -> QuerySet[Membership]:
    """Every couple the person is or was in, the current one first: each
    one's access log is part of their own history and stays readable to
    them after a split or the other partner's account deletion. A therapist
    was never a member of anything: always empty."""
    return (
        Membership.objects.filter(user_id=user.pk)
        .select_related("couple")
        .order_by(F("left_at").desc(nulls_first=True), "-joined_at", "-id")
    )


def access_log_for_member(*, user: User, couple_id: int | None = None) -> QuerySet[AccessEvent]:
    """The therapist access log of the person's current couple, or of
    ``couple_id``, a couple they are or were in; in both cases only what
    happened while they were a member (read-only: the log is append-only).
    404 for a couple they never were in (a stranger, a therapist) and, with
    no ``couple_id``, for someone not paired now."""
    memberships = Membership.objects.filter(user_id=user.pk)
    membership = (memberships.current() if couple_id is None else memberships.filter(couple_id=couple_id)).first()
    if membership is None:
        raise Http404
    return AccessEvent.objects.filter(_during(membership)).order_by("-at", "-id")


def _during(membership: Membership) -> Q:
    q = Q(couple_id=membership.couple_id, at__gte=membership.joined_at)
    if not membership.is_current:
        q &= Q(at__lte=membership.left_at)
    return q


def access_log_export(*, user: User) -> list[dict]:
    """The access log of every couple the person is or was in, for their
    time in it, for "export my data" (``GET /api/v1/me/export/``). The IP
    address is the therapist's, kept for the record but never shown: not
    exported either. Two queries."""
    memberships = list(Membership.objects.filter(user_id=user.pk))
    if not memberships:
        return []
    during = Q()
    for membership in memberships:
        during |= _during(membership)
    return [
        {
            "couple_id": e.couple_id,
            "therapist": {"id": e.therapist_id, "display_name": e.therapist_name},
            "what": e.what,
            "scopes": [s for s in SCOPE_ORDER if s in (e.scopes or [])],
            "period": {"from": e.period_start.isoformat(), "to": e.period_end.isoformat()}
            if e.period_start is not None
            else None,
            "at": e.at.isoformat(),
        }
        for e in AccessEvent.objects.filter(during).order_by("at", "id")
    ]


def grants_waiting_for(*, user: User, now: dt.datetime | None = None) -> list[Grant]:
    """Requests the partner made that wait for this person's approval."""
    now = now or timezone.now()
    return list(
        grants_for_member(user=user)
        .filter(approved_at__isnull=True, ended_at__isnull=True, expires_at__gt=now)
        .exclude(requested_by=user)
    )


# --- therapists ---------------------------------------------------------------------------------


def grant_active_for_therapist(*, therapist: User, couple_id: int, now: dt.datetime | None = None) -> Grant:
    now = now or timezone.now()
    grant = Grant.objects.active(now).filter(therapist=therapist, couple_id=couple_id).select_related("couple").first()
    if grant is None:
        raise Http404
    return grant


def grants_active_for_therapist(*, therapist: User, now: dt.datetime | None = None) -> QuerySet[Grant]:
    """The couples that share with this therapist now, each with its
    partners (prefetched: two queries for any number of couples)."""
    now = now or timezone.now()
    partners = Membership.objects.current().select_related("user").order_by("joined_at", "id")
    return (
        Grant.objects.active(now)
        .filter(therapist=therapist)
        .select_related("couple")
        .prefetch_related(Prefetch("couple__memberships", queryset=partners, to_attr="partners"))
        .order_by("expires_at", "id")
    )


def couples_attention(*, grants: list[Grant], now: dt.datetime | None = None) -> dict[int, list[dict]]:
    """What needs the therapist's attention per couple on their list, from
    what each couple shares only, in two queries for any number of
    couples (the check-up falls; then practices and notes together):

    - a fall of a partner's check-up total (``progress`` scope);
    - practices missed (``practice`` scope): accepted, due time passed in
      silence, since the therapist last opened the session page;
    - pre-session notes written since the therapist last opened the
      session page (any scope: the notes are written for them).
    """
    from checkups.selectors import latest_drops

    from .models import Practice, PreSessionNote

    now = now or timezone.now()
    out: dict[int, list[dict]] = defaultdict(list)
    if not grants:
        return out
    therapist_id = grants[0].therapist_id
    for couple_id, drops in latest_drops(
        couple_ids=[g.couple_id for g in grants if Scope.PROGRESS in g.scopes]
    ).items():
        out[couple_id].extend(drops)
    last_look = Coalesce(
        Subquery(
            AccessEvent.objects.filter(
                couple_id=OuterRef("couple_id"), therapist_id=therapist_id, what=AccessEvent.What.SESSION
            )
            .order_by("-at")
            .values("at")[:1]
        ),
        Value(dt.datetime(2000, 1, 1, tzinfo=dt.UTC)),
    )
    practice_ids = [g.couple_id for g in grants if Scope.PRACTICE in g.scopes]
    # Both counts in one query (a UNION), whatever the number of couples.
    missed = (
        Practice.objects.filter(
            couple_id__in=practice_ids, therapist_id=therapist_id, state=Practice.State.ACCEPTED, due_at__lte=now
        )
        .annotate(since=last_look)
        .filter(due_at__gt=F("since"))
        .values("couple_id")
        .annotate(n=Count("id"), what=Value("practice_missed"))
        .values("couple_id", "what", "n")
        .order_by()
    )
    notes = (
        PreSessionNote.objects.filter(couple_id__in=[g.couple_id for g in grants], therapist_id=therapist_id)
        .annotate(since=last_look)
        .filter(created_at__gt=F("since"))
        .values("couple_id")
        .annotate(n=Count("id"), what=Value("presession_note"))
        .values("couple_id", "what", "n")
        .order_by()
    )
    for row in sorted(missed.union(notes, all=True), key=lambda r: (r["couple_id"], r["what"])):
        out[row["couple_id"]].append({"kind": row["what"], "count": row["n"]})
    return dict(out)


def connect_codes_open_for(*, therapist: User, now: dt.datetime | None = None) -> QuerySet[ConnectCode]:
    now = now or timezone.now()
    return ConnectCode.objects.filter(therapist=therapist, used_at__isnull=True, expires_at__gt=now).order_by(
        "-created_at", "-id"
    )


# --- the period ---------------------------------------------------------------------------------------


def default_period(*, couple: Couple, now: dt.datetime | None = None) -> tuple[dt.date, dt.date]:
    """The last 8 calendar weeks, this one included, in the couple's timezone."""
    now = now or timezone.now()
    today = localtime.local_date(instant=now, tz=couple.timezone)
    return localtime.week_start(day=today) - dt.timedelta(weeks=DEFAULT_WEEKS - 1), today


def period_bounds(*, couple: Couple, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start's local midnight, the day after end's) in the couple's timezone, as UTC instants."""
    return (
        localtime.local_midnight(day=start, tz=couple.timezone),
        localtime.local_midnight(day=end + dt.timedelta(days=1), tz=couple.timezone),
    )


def _as_date(value, tz) -> dt.date:
    if isinstance(value, dt.datetime):
        return localtime.local_date(instant=value, tz=tz) if timezone.is_aware(value) else value.date()
    return value


def _ratio(done: int, total: int) -> float | None:
    return round(done / total, 3) if total else None


# --- sections -------------------------------------------------------------------------------------------


def checkin_consistency_by_week(
    *, couple: Couple, start: dt.datetime, end: dt.datetime, weeks: list[dt.date], now: dt.datetime
) -> dict:
    """Per week (Monday to Sunday in the couple's timezone): scheduled
    check-ins that have finished (revealed, or their window ended), how
    many of them both partners completed, and extra ones both completed
    without a schedule. The couple's together, never one partner against
    the other; never who skipped. One query."""
    from checkins.models import CheckIn

    tz = localtime.zone(name=couple.timezone)
    finished = Q(revealed_at__isnull=False) | Q(closes_at__lte=now)
    rows = (
        CheckIn.objects.filter(couple=couple, scheduled_for__gte=start, scheduled_for__lt=end)
        .filter(finished)
        .annotate(week=TruncWeek("scheduled_for", tzinfo=tz, output_field=DateField()))
        .values("week")
        .annotate(
            scheduled=Count("id", filter=Q(schedule__isnull=False)),
            completed=Count("id", filter=Q(schedule__isnull=False, revealed_at__isnull=False)),
            extra=Count("id", filter=Q(schedule__isnull=True, revealed_at__isnull=False)),
        )
        .order_by("week")
    )
    by_week = {_as_date(r["week"], tz): r for r in rows}
    out, totals = [], {"scheduled": 0, "completed": 0, "extra_completed": 0}
    for week in weeks:
        r = by_week.get(week, {"scheduled": 0, "completed": 0, "extra": 0})
        out.append(
            {
                "week_start": week,
                "scheduled": r["scheduled"],
                "completed": r["completed"],
                "ratio": _ratio(r["completed"], r["scheduled"]),
                "extra_completed": r["extra"],
            }
        )
        totals["scheduled"] += r["scheduled"]
        totals["completed"] += r["completed"]
        totals["extra_completed"] += r["extra"]
    return {"weeks": out, "totals": {**totals, "ratio": _ratio(totals["completed"], totals["scheduled"])}}


def mood_trends_by_week(
    *, couple: Couple, partners: list[tuple[int, str]], start: dt.datetime, end: dt.datetime, weeks: list[dt.date]
) -> dict:
    """Each partner's average mood per week, from check-ins that were
    revealed (what both partners already see). One query."""
    from checkins.models import Answer

    tz = localtime.zone(name=couple.timezone)
    ids = [pid for pid, _name in partners]
    rows = (
        Answer.objects.filter(
            checkin__couple=couple,
            checkin__revealed_at__isnull=False,
            checkin__scheduled_for__gte=start,
            checkin__scheduled_for__lt=end,
            author_id__in=ids,
            mood__isnull=False,
        )
        .annotate(week=TruncWeek("checkin__scheduled_for", tzinfo=tz, output_field=DateField()))
        .values("author_id", "week")
        .annotate(average=Avg("mood"), count=Count("id"))
        .order_by("author_id", "week")
    )
    cells: dict[int, dict[dt.date, tuple[float, int]]] = defaultdict(dict)
    for r in rows:
        cells[r["author_id"]][_as_date(r["week"], tz)] = (float(r["average"]), r["count"])
    people = []
    for pid, name in partners:
        mine = cells.get(pid, {})
        n = sum(c for _avg, c in mine.values())
        overall = round(sum(a * c for a, c in mine.values()) / n, 2) if n else None
        people.append(
            {
                "partner_id": pid,
                "display_name": name,
                "average": overall,
                "count": n,
                "weeks": [
                    {
                        "week_start": w,
                        "average": round(mine[w][0], 2) if w in mine else None,
                        "count": mine[w][1] if w in mine else 0,
                    }
                    for w in weeks
                ],
            }
        )
    return {"scale": {"min": 1, "max": 5}, "partners": people}


def _partners_of(couple: Couple) -> list[tuple[int, str]]:
    return list(
        Membership.objects.current_of(couple_id=couple.pk)
        .order_by("joined_at", "id")
        .values_list("user_id", "user__display_name")
    )


def summary_for_grant(*, grant: Grant, start: dt.date, end: dt.date, now: dt.datetime | None = None) -> dict:
    """The summary of the granted scopes only, for [start, end] (dates in
    the couple's timezone). Queries: one for the partners, then at most
    one per scope (three for agreements) - fixed, whatever the period."""
    from agreements.selectors import agreements_followthrough
    from gratitude.selectors import gratitude_counts_by_week
    from journal.selectors import trigger_patterns
    from space.selectors import space_followthrough

    now = now or timezone.now()
    couple = grant.couple
    scopes = [s for s in SUMMARY_SCOPES if s in grant.scopes]
    lo, hi = period_bounds(couple=couple, start=start, end=end)
    weeks = localtime.week_starts(first=start, last=end)
    partners = _partners_of(couple)
    sections: dict[str, dict] = {}
    if Scope.CHECKIN_CONSISTENCY in scopes:
        sections[Scope.CHECKIN_CONSISTENCY] = checkin_consistency_by_week(
            couple=couple, start=lo, end=hi, weeks=weeks, now=now
        )
    if Scope.MOOD_TRENDS in scopes:
        sections[Scope.MOOD_TRENDS] = mood_trends_by_week(
            couple=couple, partners=partners, start=lo, end=hi, weeks=weeks
        )
    if Scope.AGREEMENTS in scopes:
        sections[Scope.AGREEMENTS] = {
            "agreements": [
                {
                    "agreement_id": a["agreement_id"],
                    # The wording both partners accepted is what the scope is
                    # about; details, reasons and reflection notes never are.
                    "title": a["title"],
                    "category": a["category"],
                    "status": a["status"],
                    "partners": [
                        {k: p[k] for k in ("partner_id", "display_name", "kept", "partly", "missed")}
                        for p in a["partners"]
                    ],
                }
                for a in agreements_followthrough(couple=couple, start=start, end=end)
            ]
        }
    if Scope.GRATITUDE_FREQUENCY in scopes:
        rows = gratitude_counts_by_week(couple=couple, start=lo, end=hi, now=now)
        sections[Scope.GRATITUDE_FREQUENCY] = {
            "weeks": [
                {"week_start": r["week_start"], "notes": r["notes"], "acknowledged": r["acknowledged"]} for r in rows
            ],
            "total": sum(r["notes"] for r in rows),
        }
    if Scope.RECONNECT_FOLLOWTHROUGH in scopes:
        counts = space_followthrough(couple=couple, start=lo, end=hi)
        sections[Scope.RECONNECT_FOLLOWTHROUGH] = {
            k: counts[k] for k in ("kept", "late", "missed", "open", "extended", "total")
        }
    if Scope.TRIGGER_PATTERNS in scopes:
        patterns = trigger_patterns(user_ids=[pid for pid, _ in partners], start=lo, end=hi, tz=couple.timezone)
        sections[Scope.TRIGGER_PATTERNS] = {
            "categories": patterns["categories"],
            "partners": [
                {"partner_id": pid, "display_name": name, **_trigger_person(patterns["people"].get(pid))}
                for pid, name in partners
            ],
        }
    return {
        "couple": {
            "id": couple.pk,
            "timezone": couple.timezone,
            "partners": [{"id": pid, "display_name": name} for pid, name in partners],
        },
        "from": start,
        "to": end,
        "scopes": scopes,
        "grant": {"id": grant.pk, "expires_at": grant.expires_at},
        "sections": sections,
    }


def _trigger_person(person: dict | None) -> dict:
    if person is None:
        return {"total": 0, "by_category": {}, "intensity": {}, "weeks": []}
    return {
        "total": person["total"],
        "by_category": person["by_category"],
        "intensity": person["intensity"],
        "weeks": [
            {
                "week_start": w["week_start"],
                "total": w["total"],
                "counts": w["counts"],
                "before_avg": w["before_avg"],
                "grounded": w["grounded"],
                "grounded_after_avg": w["grounded_after_avg"],
            }
            for w in person["weeks"]
        ],
    }


def period_from_params(*, couple: Couple, raw_from: str | None, raw_to: str | None, now: dt.datetime | None = None):
    """``from`` and ``to`` (YYYY-MM-DD, both included) from a query string:
    the last 8 weeks by default, at most two years, ``from`` not after
    ``to``. Raises ``Invalid`` with field errors."""
    from backend.errors import Invalid

    default_from, default_to = default_period(couple=couple, now=now)
    errors: dict[str, list[str]] = {}

    def parse(raw: str | None, field: str, default: dt.date) -> dt.date:
        if raw is None or raw == "":
            return default
        try:
            return dt.date.fromisoformat(raw.strip())
        except (TypeError, ValueError):
            errors[field] = [gettext("Give a date as YYYY-MM-DD, for example 2026-03-01.")]
            return default

    start = parse(raw_from, "from", default_from)
    end = parse(raw_to, "to", default_to)
    if raw_to and not raw_from and "to" not in errors:
        start = end - (default_to - default_from)
    if not errors:
        if start > end:
            errors["from"] = [gettext("The start comes after the end. Swap them.")]
        elif (end - start).days + 1 > MAX_DAYS:
            errors["to"] = [gettext("Choose at most two years at a time.")]
        elif start.year < 2000 or end.year > 2100:
            errors["from" if start.year < 2000 else "to"] = [gettext("Choose a date between 2000 and 2100.")]
    if errors:
        raise Invalid(errors=errors)
    return start, end


def presession_notes_for_member(*, user: User, couple: Couple, limit: int = 20):
    """The pre-session notes a partner sees: their own, and the partner's
    that its author chose to share with them too."""
    from .models import PreSessionNote

    return list(
        PreSessionNote.objects.filter(couple=couple)
        .filter(Q(author=user) | Q(share_with_partner=True))
        .select_related("author", "therapist")[:limit]
    )


# --- practice between sessions ------------------------------------------------------------------------


def _practice_row(practice, *, now: dt.datetime, live: bool) -> dict:
    """What anyone is shown of a practice. ``status``: ``proposed``,
    ``accepted``, ``missed``, ``not_taken_up``, ``done``, ``renegotiated``,
    ``closed`` (an open practice whose grant ended is shown closed at
    once, before any tidy-up ran)."""
    status = practice.status_at(now)
    if status in ("proposed", "accepted") and not live:
        status = "closed"
    return {
        "id": practice.pk,
        "kind": practice.kind,
        "title": practice.title,
        "details": practice.details,
        "due_at": practice.due_at,
        "proposed_at": practice.proposed_at,
        "accepted_at": practice.accepted_at,
        "settled_at": practice.settled_at,
        "status": status,
        "therapist": {"id": practice.therapist_id, "display_name": practice.therapist_name},
    }


def _practice_live_therapists(couple_id: int, now: dt.datetime) -> set[int]:
    return {
        g.therapist_id
        for g in Grant.objects.active(now).filter(couple_id=couple_id).only("therapist_id", "scopes")
        if Scope.PRACTICE in g.scopes
    }


def practices_for_therapist(*, therapist: User, couple_id: int, now: dt.datetime | None = None) -> list[dict]:
    """The practices this therapist proposed to this couple, newest first,
    each with its status only: never the partners' answers (a decline is
    "not taken up", never who). Call it through
    ``services.therapist_practices_read`` (consent and the log)."""
    from .models import Practice

    now = now or timezone.now()
    return [
        _practice_row(p, now=now, live=True) for p in Practice.objects.filter(couple_id=couple_id, therapist=therapist)
    ]


def practices_for_member(*, user: User, now: dt.datetime | None = None) -> list[dict]:
    """The couple's practices for a partner (404 when not paired), each with
    the partner's own answer and whether the other partner accepted yet.
    Three queries."""
    from .models import Practice

    now = now or timezone.now()
    couple = couple_get_for_member(user=user)
    live = _practice_live_therapists(couple.pk, now)
    rows = []
    for p in Practice.objects.filter(couple=couple).prefetch_related("answers"):
        row = _practice_row(p, now=now, live=p.therapist_id in live)
        mine = next((a for a in p.answers.all() if a.partner_id == user.pk), None)
        row["my_answer"] = None if mine is None else ("accepted" if mine.accepted else "declined")
        row["partner_accepted"] = any(a.accepted for a in p.answers.all() if a.partner_id != user.pk)
        rows.append(row)
    return rows


def practice_get_for_member(*, user: User, practice_id: int, now: dt.datetime | None = None) -> dict:
    for row in practices_for_member(user=user, now=now):
        if row["id"] == practice_id:
            return row
    raise Http404


def practices_export(*, user: User) -> list[dict]:
    """Each partner's export: the practices of every couple they are or
    were in, with their own answer (never the partner's decline)."""
    from .models import Practice

    couple_ids = list(Membership.objects.filter(user_id=user.pk).values_list("couple_id", flat=True))
    out = []
    for p in (
        Practice.objects.filter(couple_id__in=couple_ids).prefetch_related("answers").order_by("proposed_at", "id")
    ):
        mine = next((a for a in p.answers.all() if a.partner_id == user.pk), None)
        out.append(
            {
                "couple_id": p.couple_id,
                "therapist": {"id": p.therapist_id, "display_name": p.therapist_name},
                "kind": p.kind,
                "title": p.title,
                "details": p.details,
                "due_at": p.due_at.isoformat(),
                "proposed_at": p.proposed_at.isoformat(),
                "state": p.status_at(timezone.now()),
                "accepted_at": p.accepted_at.isoformat() if p.accepted_at else None,
                "settled_at": p.settled_at.isoformat() if p.settled_at else None,
                "my_answer": None if mine is None else ("accepted" if mine.accepted else "declined"),
            }
        )
    return out


def practice_ledger_rows(couple_ids, now: dt.datetime):
    """The couple's accepted practices as promises in the ledger
    (``promises.selectors.register_source``): made by the couple together
    (no maker), due at their due time; ``open`` until then, ``kept`` when
    done, ``renegotiated`` when the couple changed it, ``missed`` once the
    due time passed in silence (the practice's own rule, ``status_at``: at
    the due time it is missed), ``ended`` when it closed with the couple or
    the grant. A missed one reads "ended" to the partners (the ledger's
    rule for promises made together); a therapist sees it as missed."""
    from django.db.models import Case, CharField, DateTimeField, F, IntegerField, Q, Value, When
    from django.db.models.functions import Cast, Concat

    from promises import selectors as ledger

    from .models import Practice

    accepted = Q(state=Practice.State.ACCEPTED)
    return Practice.objects.filter(couple_id__in=couple_ids, accepted_at__isnull=False).annotate(
        p_id=Concat(Value("practice-"), Cast("pk", CharField()), output_field=CharField()),
        p_kind=Value("practice", output_field=CharField()),
        p_couple=F("couple_id"),
        p_made_by=Value(None, output_field=IntegerField()),
        p_due=F("due_at"),
        p_first_due=F("due_at"),
        p_state=Case(
            When(accepted & Q(due_at__lte=now), then=Value(ledger.MISSED)),
            When(accepted, then=Value(ledger.OPEN)),
            When(state=Practice.State.DONE, then=Value(ledger.KEPT)),
            When(state=Practice.State.RENEGOTIATED, then=Value(ledger.RENEGOTIATED)),
            default=Value(ledger.ENDED),
            output_field=CharField(),
        ),
        p_renegotiated_at=Case(
            When(state=Practice.State.RENEGOTIATED, then=F("settled_at")),
            default=Value(None),
            output_field=DateTimeField(),
        ),
        p_closed_at=F("settled_at"),
        p_source_type=Value("practice", output_field=CharField()),
        p_source_id=F("pk"),
    )


# --- before the next session: what changed since the last one ---------------------------------------


def changes_since_last_session(*, grant: Grant, since: dt.datetime, now: dt.datetime | None = None) -> dict:
    """What changed since ``since`` (the last session date the therapist
    set that has passed, else the day sharing started), from the grant's
    scopes only; ``scopes`` lists what was read, for the access event
    (``services.therapist_session_read`` calls this inside its consent
    transaction). Sections:

    - ``progress`` (progress scope): each partner's check-up totals revealed
      since, with the one before for comparison, and the drop flags;
    - ``practices`` (practice scope): practices proposed, settled or missed
      since, with their status (never who declined);
    - ``agreements`` (agreements scope): agreements in force and how each
      partner felt they were kept in reflections since ("reviewed");
    - ``gratitude`` (gratitude_frequency scope): notes of appreciation
      delivered since, and how many acknowledged;
    - ``repair_trend`` (repair_trend scope): the months since, each with the
      median minutes from a time-out to a finished repair (no counts);
    - ``promises`` (promises scope): the couple's promises due since (and
      those coming up), with full outcomes, newest first, at most
      ``PROMISES_SHOWN``; never a commitment's text.
    """
    now = now or timezone.now()
    couple = grant.couple
    out: dict = {"since": since, "scopes": []}
    if Scope.PROGRESS in grant.scopes:
        from checkups.selectors import progress_for_couple

        progress = progress_for_couple(couple=couple)
        partners = []
        for person in progress["partners"]:
            new = [p for p in person["points"] if p["revealed_at"] > since]
            before = [p for p in person["points"] if p["revealed_at"] <= since]
            partners.append(
                {
                    "partner_id": person["partner_id"],
                    "display_name": person["display_name"],
                    "before": before[-1]["score"] if before else None,
                    "scores": [p["score"] for p in new],
                }
            )
        out["progress"] = {
            "score_max": progress["instrument"]["score_max"],
            "partners": partners,
            # Falls in rounds revealed since (numbers only, no label on anyone).
            "flags": [f for f in progress["flags"] if f["round_number"] >= _first_round_since(progress, since)],
        }
        out["scopes"].append(Scope.PROGRESS)
    if Scope.PRACTICE in grant.scopes:
        rows = practices_for_therapist(therapist=grant.therapist, couple_id=couple.pk, now=now)
        out["practices"] = [
            r
            for r in rows
            if r["status"] in ("proposed", "accepted")
            or (r["settled_at"] and r["settled_at"] > since)
            or (r["status"] == "missed" and r["due_at"] > since)
        ]
        out["scopes"].append(Scope.PRACTICE)
    if Scope.AGREEMENTS in grant.scopes:
        from agreements.selectors import agreements_followthrough

        start = localtime.local_date(instant=since, tz=couple.timezone)
        end = localtime.local_date(instant=now, tz=couple.timezone)
        out["agreements"] = [
            {
                "title": a["title"],
                "status": a["status"],
                "partners": [{k: p[k] for k in ("display_name", "kept", "partly", "missed")} for p in a["partners"]],
                "reviewed": sum(p["kept"] + p["partly"] + p["missed"] for p in a["partners"]),
            }
            for a in agreements_followthrough(couple=couple, start=start, end=end)
        ]
        out["scopes"].append(Scope.AGREEMENTS)
    if Scope.GRATITUDE_FREQUENCY in grant.scopes:
        from gratitude.selectors import gratitude_counts_by_week

        rows = gratitude_counts_by_week(couple=couple, start=since, end=now, now=now)
        out["gratitude"] = {
            "notes": sum(r["notes"] for r in rows),
            "acknowledged": sum(r["acknowledged"] for r in rows),
        }
        out["scopes"].append(Scope.GRATITUDE_FREQUENCY)
    if Scope.PROMISES in grant.scopes:
        from promises.selectors import ledger

        # Newest due first: stop at the first one due before ``since``.
        rows = ledger(couple_ids=[couple.pk], viewer_id=None, now=now)[: PROMISES_SHOWN * 2]
        out["promises"] = [r for r in rows if r["p_due"] > since][:PROMISES_SHOWN]
        out["scopes"].append(Scope.PROMISES)
    if Scope.REPAIR_TREND in grant.scopes:
        from repair.trend import repair_trend

        since_month = since.astimezone(localtime.zone(name=couple.timezone)).strftime("%Y-%m")
        months = repair_trend(couple=couple, now=now)["months"]
        out["repair_trend"] = [m for m in months if m["month"] >= since_month]
        out["scopes"].append(Scope.REPAIR_TREND)
    return out


PROMISES_SHOWN = 20


def _first_round_since(progress: dict, since: dt.datetime) -> int:
    numbers = [
        p["round_number"] for person in progress["partners"] for p in person["points"] if p["revealed_at"] > since
    ]
    return min(numbers) if numbers else 10**9


# --- the scoped reads, one definition each (the therapist's services and the partner's view) -------


def promises_for_therapist(*, couple_id: int, now: dt.datetime, limit: int) -> list[dict]:
    """What a therapist with the ``promises`` scope reads: the couple's
    ledger, newest due first, with **full** outcomes (a missed promise is
    ``missed``, whoever made it); never a commitment's text. One query."""
    from promises.selectors import ledger

    return list(ledger(couple_ids=[couple_id], viewer_id=None, now=now)[:limit])


def next_sessions_for(*, couple_id: int, therapist_ids, now: dt.datetime) -> dict[int, list]:
    """The next session dates each therapist set for this couple (after
    ``now``, soonest first), by therapist id. One query whatever the number
    of therapists."""
    from .models import NextSession

    out: dict[int, list] = defaultdict(list)
    ids = list(therapist_ids)
    if not ids:
        return {}
    for session in NextSession.objects.filter(couple_id=couple_id, therapist_id__in=ids, at__gt=now).order_by(
        "at", "id"
    ):
        out[session.therapist_id].append(session)
    return dict(out)


def next_sessions_for_therapist(*, therapist: User, couple_id: int, now: dt.datetime | None = None) -> list:
    """The dates ahead this therapist set for a couple they see now (an
    active grant, any scope; 404 otherwise, like every therapist path). The
    dates are the therapist's own entries, not the couple's data: reading
    them is not logged (setting one is, ``services.next_session_set``)."""
    now = now or timezone.now()
    grant = grant_active_for_therapist(therapist=therapist, couple_id=couple_id, now=now)
    return next_sessions_for(couple_id=grant.couple_id, therapist_ids=[therapist.pk], now=now).get(therapist.pk, [])


# --- what your therapist sees (a partner's view of a grant in force) ------------------------------

THERAPIST_VIEW_PROMISES = 30


def grants_active_for_member(*, user: User, now: dt.datetime | None = None) -> list[Grant]:
    """The grants in force for the person's current couple (404 when not
    paired), each with its therapist: ``Grant.active_condition``, nothing
    else. One query after the couple's."""
    now = now or timezone.now()
    couple = couple_get_for_member(user=user)
    return list(
        Grant.objects.active(now).filter(couple=couple).select_related("therapist", "couple").order_by("requested_at")
    )


def grant_active_for_member(*, user: User, grant_id: int, now: dt.datetime | None = None) -> Grant:
    """One grant of the person's couple (404 for anyone else), which must be
    in force now: anything else is ``Conflict`` (nothing is shared under it)."""
    from backend.errors import Conflict

    now = now or timezone.now()
    grant = grant_get_for_member(user=user, grant_id=grant_id)
    if not grant.is_active_at(now):
        raise Conflict("Nothing is shared under this: your therapist sees nothing of it.")
    return grant


def therapist_view_for_member(*, user: User, grant: Grant, now: dt.datetime | None = None) -> dict:
    """What the therapist of ``grant`` (a grant in force of the person's
    couple) sees, scope by scope, built by the very selectors the
    therapist's pages and API call (``summary_for_grant``,
    ``checkups.selectors.progress_for_couple``, ``promises_for_therapist``,
    ``repair.trend.repair_trend``, ``practices_for_therapist``), over the
    therapist's default period (the last 8 weeks). Only the granted scopes
    are read; the others are listed in ``not_shared``.

    Shown to one partner, so the partner rules still hold where the
    therapist sees more than this partner may (``withheld`` says where):

    - ``promises``: the therapist sees every outcome; this partner sees
      their own and the couple's as the therapist does, and the other
      partner's with the ledger's partner rule (a missed one reads
      ``ended``, ``promises.selectors.state_seen``);
    - ``trigger_patterns``: from each partner's private journal, so only
      this partner's own are shown (the other's are withheld, not even a
      count);
    - pre-session notes: this partner's own and those the other chose to
      share with them; the therapist's own session notes never.

    Reads nothing through a therapist path: no access event is written (a
    partner looking at their own couple's data is not a therapist read)."""
    from checkups.selectors import progress_for_couple
    from promises.selectors import state_seen
    from repair.trend import repair_trend

    now = now or timezone.now()
    scopes = [s for s in SCOPE_ORDER if s in grant.scopes]
    start, end = default_period(couple=grant.couple, now=now)
    summary = summary_for_grant(grant=grant, start=start, end=end, now=now)
    withheld: list[str] = []
    if Scope.TRIGGER_PATTERNS in summary["sections"]:
        section = summary["sections"][Scope.TRIGGER_PATTERNS]
        section["partners"] = [p for p in section["partners"] if p["partner_id"] == user.pk]
        withheld.append(Scope.TRIGGER_PATTERNS)
    view: dict = {
        "grant": grant,
        "therapist": {"id": grant.therapist_id, "display_name": grant.therapist.display_name},
        "scopes": scopes,
        "not_shared": [s for s in SCOPE_ORDER if s not in grant.scopes],
        "summary": summary,
        "progress": progress_for_couple(couple=grant.couple) if Scope.PROGRESS in scopes else None,
        "promises": None,
        "repair_trend": repair_trend(couple=grant.couple, now=now) if Scope.REPAIR_TREND in scopes else None,
        "practices": (
            practices_for_therapist(therapist=grant.therapist, couple_id=grant.couple_id, now=now)
            if Scope.PRACTICE in scopes
            else None
        ),
        "withheld": withheld,
    }
    if Scope.PROMISES in scopes:
        rows = promises_for_therapist(couple_id=grant.couple_id, now=now, limit=THERAPIST_VIEW_PROMISES)
        for row in rows:
            mine_or_ours = row["p_made_by"] is None or row["p_made_by"] == user.pk
            row["p_seen"] = (
                row["p_state"]
                if mine_or_ours
                else state_seen(state=row["p_state"], made_by_id=row["p_made_by"], viewer_id=user.pk)
            )
        view["promises"] = rows
        # Always said when shared, whatever the rows: saying it only when a
        # row differs would tell this partner that the other missed one.
        withheld.append(Scope.PROMISES)
    view["next_sessions"] = next_sessions_for(
        couple_id=grant.couple_id, therapist_ids=[grant.therapist_id], now=now
    ).get(grant.therapist_id, [])
    view["presession_notes"] = [
        n for n in presession_notes_for_member(user=user, couple=grant.couple) if n.therapist_id == grant.therapist_id
    ]
    return view
