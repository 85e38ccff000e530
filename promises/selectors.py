"""The promise ledger (issue #19): one view of every promise a couple made,
projected from the rows that already hold each promise. The ledger has no
table of its own: a time-out's return time is its ``space.SpacePeriod``, a
repair commitment its ``repair.Commitment``, a check-in kept together its
revealed ``checkins.CheckIn``, an agreement review each review period of
an accepted ``agreements.AgreementVersion`` (generated in SQL, kept by its
revealed ``agreements.Reflection`` pair). One source of truth per promise;
the ledger is one ``UNION ALL`` statement over them, so a page is one query
whatever the number of rows (tests/test_promises.py pins it).

No scorekeeping between partners: ``seen`` is the state as the viewer may
read it (``state_seen``); a partner's missed promise reads as ``ended``."""

import datetime as dt
import zoneinfo
from collections.abc import Callable
from functools import lru_cache

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    DateField,
    DateTimeField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Least
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from agreements.models import AgreementVersion, Reflection
from agreements.periods import REVIEW_AT
from backend.localtime import local_date, local_to_utc
from checkins.models import CheckIn
from couples.models import Couple
from repair.models import Commitment
from space.models import Extension, SpacePeriod
from space.models import Status as SpaceStatus

OPEN, KEPT, RENEGOTIATED, MISSED, ENDED = "open", "kept", "renegotiated", "missed", "ended"
STATES = (OPEN, KEPT, RENEGOTIATED, MISSED, ENDED)

KINDS = ("space", "timeout", "commitment", "checkin", "agreement_review", "practice")

# The columns every source yields, in this order (a UNION matches by position).
COLUMNS = (
    "p_id",
    "p_kind",
    "p_couple",
    "p_made_by",
    "p_due",
    "p_first_due",
    "p_state",
    "p_renegotiated_at",
    "p_closed_at",
    "p_source_type",
    "p_source_id",
)

# An agreement's review is due at 18:00 on the last day of its period, in
# the couple's timezone (the review reminder's time, ``agreements.periods``,
# docs/agreements.md): PostgreSQL turns the wall-clock time into an instant,
# DST-true.
REVIEW_LOCAL_TIME = REVIEW_AT.strftime("%H:%M")


class _LocalDayAt(Func):
    """``(day + TIME '18:00') AT TIME ZONE tz``: a local wall-clock time on
    a date, as an instant (the zone's offset on that very day)."""

    template = "((%(expressions)s))"
    arg_joiner = f" + TIME '{REVIEW_LOCAL_TIME}') AT TIME ZONE ("
    output_field = DateTimeField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite (the embedded default) has no time zones: the same instant
        # from backend.localtime's policy, through a function registered on
        # each SQLite connection (promises.apps).
        return self.as_sql(
            compiler,
            connection,
            template=f"steady_local_at(%(expressions)s, '{REVIEW_LOCAL_TIME}')",
            arg_joiner=", ",
            **extra_context,
        )


@lru_cache(maxsize=4096)
def sqlite_local_at(day: str | None, tz: str | None, time: str | None) -> str | None:
    """``steady_local_at(day, tz, time)`` for SQLite: the UTC instant of a
    wall-clock time on a date (DST policy of ``backend.localtime``), as
    SQLite stores a datetime (naive UTC text). Cached: a page asks for the
    same day's due time for several columns of a row."""
    if day is None or time is None or tz is None:
        return None
    try:
        instant = local_to_utc(day=dt.date.fromisoformat(day[:10]), time=dt.time.fromisoformat(time), tz=tz)
    except (ValueError, KeyError, zoneinfo.ZoneInfoNotFoundError):
        return None
    return instant.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")


def _pid(prefix: str) -> Concat:
    return Concat(Value(f"{prefix}-"), Cast("pk", CharField()), output_field=CharField())


def _space(couple_ids, now: dt.datetime) -> QuerySet:
    last_moved = (
        Extension.objects.filter(period=OuterRef("pk")).order_by().values("period").annotate(at=Max("created_at"))
    )
    is_open = Q(status=SpaceStatus.OPEN)
    return SpacePeriod.objects.filter(couple_id__in=couple_ids).annotate(
        p_id=_pid("space"),
        p_kind=Cast("kind", CharField()),
        p_couple=F("couple_id"),
        p_made_by=F("author_id"),
        p_due=F("reconnect_by"),
        p_first_due=F("first_reconnect_by"),
        p_state=Case(
            When(is_open & Q(reconnect_by__lt=now), then=Value(MISSED)),
            When(is_open & Q(reconnect_by__gt=F("first_reconnect_by")), then=Value(RENEGOTIATED)),
            When(is_open, then=Value(OPEN)),
            When(status=SpaceStatus.KEPT, then=Value(KEPT)),
            When(status__in=[SpaceStatus.LATE, SpaceStatus.MISSED], then=Value(MISSED)),
            default=Value(ENDED),
            output_field=CharField(),
        ),
        p_renegotiated_at=Subquery(last_moved.values("at"), output_field=DateTimeField()),
        p_closed_at=F("closed_at"),
        p_source_type=Cast("kind", CharField()),
        p_source_id=F("pk"),
    )


def _commitments(couple_ids, now: dt.datetime) -> QuerySet:
    is_open = Q(status=Commitment.Status.OPEN)
    return Commitment.objects.filter(repair__couple_id__in=couple_ids).annotate(
        p_id=_pid("commitment"),
        p_kind=Value("commitment", output_field=CharField()),
        p_couple=F("repair__couple_id"),
        p_made_by=F("author_id"),
        p_due=F("due_at"),
        p_first_due=Coalesce("first_due_at", "due_at"),
        p_state=Case(
            When(is_open & Q(due_at__lt=now), then=Value(MISSED)),
            When(is_open & Q(renegotiated_at__isnull=False), then=Value(RENEGOTIATED)),
            When(is_open, then=Value(OPEN)),
            When(status=Commitment.Status.KEPT, then=Value(KEPT)),
            default=Value(ENDED),
            output_field=CharField(),
        ),
        p_renegotiated_at=F("renegotiated_at"),
        p_closed_at=F("kept_at"),
        p_source_type=Value("commitment", output_field=CharField()),
        p_source_id=F("pk"),
    )


def _checkins(couple_ids, now: dt.datetime) -> QuerySet:
    """A check-in enters once, for the couple, and only when kept (revealed):
    one that closed unrevealed leaves no entry and no per-person state."""
    return CheckIn.objects.filter(couple_id__in=couple_ids, revealed_at__isnull=False).annotate(
        p_id=_pid("checkin"),
        p_kind=Value("checkin", output_field=CharField()),
        p_couple=F("couple_id"),
        p_made_by=Value(None, output_field=IntegerField()),
        p_due=F("scheduled_for"),
        p_first_due=F("scheduled_for"),
        p_state=Value(KEPT, output_field=CharField()),
        p_renegotiated_at=Value(None, output_field=DateTimeField()),
        p_closed_at=F("revealed_at"),
        p_source_type=Value("checkin", output_field=CharField()),
        p_source_id=F("pk"),
    )


# --- agreement reviews ---------------------------------------------------------------------
#
# Each accepted agreement version with a review interval of N days has
# review periods counted from the local day it was accepted
# (``agreements.periods``: the first runs from that day to N - 1 days later,
# the next starts the day after), and its review is due at 18:00 on each
# period's last day. The ledger generates the periods in the statement
# itself: a series of integers k (a recursive CTE, the same SQL on
# PostgreSQL and SQLite) joined to the versions, period k starting k * N days
# after the anchor. Only periods begun by now appear (the current one and the
# past ones), and none begun after the version stopped: the next version was
# proposed, the agreement retired, or the couple ended.

# A review's id is ``review-{version pk * REVIEW_ID_STEP + k}``: one number
# per period, the same while open and once kept (parse_promise_id's scheme).
REVIEW_ID_STEP = 10_000
_SERIES = "review_k"
_NEVER = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


@lru_cache(maxsize=4096)
def sqlite_local_date(instant: str | None, tz: str | None) -> str | None:
    """``steady_local_date(instant, tz)`` for SQLite: the local date of a
    stored (naive UTC) instant, by ``backend.localtime.local_date``."""
    if instant is None or tz is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(instant)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return local_date(instant=moment, tz=tz).isoformat()
    except (ValueError, KeyError, zoneinfo.ZoneInfoNotFoundError):
        return None


class _Sql(Func):
    """A small expression with one SQL form per database (``{0}``, ``{1}``
    are its arguments)."""

    postgresql = sqlite = ""

    def _render(self, compiler, template):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, p = compiler.compile(expression)
            parts.append(sql)
            params.extend(p)
        return template.format(*parts), params

    def as_postgresql(self, compiler, connection, **extra_context):
        return self._render(compiler, self.postgresql)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self._render(compiler, self.sqlite)


class _LocalDate(_Sql):
    """The local date of an instant in a timezone (``backend.localtime``'s
    ``local_date``; on SQLite that very function, registered)."""

    output_field = DateField()
    postgresql = "((({0})::timestamptz AT TIME ZONE ({1}))::date)"
    sqlite = "steady_local_date({0}, {1})"


class _AddDays(_Sql):
    output_field = DateField()
    postgresql = "((({0})::date + ({1})::integer))"
    sqlite = "date({0}, '+' || ({1}) || ' days')"


class _DaysBetween(_Sql):
    """Whole days from the second date to the first."""

    output_field = IntegerField()
    postgresql = "((({0})::date - ({1})::date))"
    sqlite = "CAST(julianday({0}) - julianday({1}) AS INTEGER)"


class _Series:
    """``CROSS JOIN`` a series of integers 0..bound, as an entry of a
    query's FROM clause: a recursive CTE inside a derived table, which
    PostgreSQL and SQLite both read (SQLite has no generate_series built
    in). ``bound`` is a scalar subquery: the most periods any version of
    these couples has up to now, so the series is as long as needed."""

    join_type = None
    parent_alias = None
    filtered_relation = None

    def __init__(self, alias: str, bound):
        self.table_name = self.table_alias = alias
        self.bound = bound

    def as_sql(self, compiler, connection):
        # The alias is ours (_SERIES); the bound is compiled SQL with its params.
        bound, params = compiler.compile(self.bound)
        a = self.table_alias
        step = f"SELECT k + 1 FROM {a}_n WHERE k < COALESCE({bound}, -1)"  # noqa: S608
        series = f"WITH RECURSIVE {a}_n(k) AS (SELECT 0 UNION ALL {step})"
        return f"CROSS JOIN ({series} SELECT k FROM {a}_n) {a}", params  # noqa: S608

    def relabeled_clone(self, change_map):
        return _Series(change_map.get(self.table_alias, self.table_alias), self.bound)

    @property
    def identity(self):
        return self.__class__, self.table_alias

    def __eq__(self, other):
        if not isinstance(other, _Series):
            return NotImplemented
        return self.identity == other.identity

    def __hash__(self):
        return hash(self.identity)


class _SeriesK(Expression):
    """The series' integer (the period's number, from 0) in a row."""

    output_field = IntegerField()

    def __init__(self, alias: str = _SERIES):
        super().__init__()
        self.alias = alias

    def as_sql(self, compiler, connection):
        return f"{self.alias}.k", []

    def relabeled_clone(self, change_map):
        return _SeriesK(change_map.get(self.alias, self.alias))

    def get_group_by_cols(self):
        return [self]


def _with_series(qs: QuerySet, bound) -> QuerySet:
    qs = qs.all()
    query = qs.query
    query.alias_map[_SERIES] = _Series(_SERIES, bound.resolve_expression(query))
    query.alias_refcount[_SERIES] = 1
    return qs


def _review_versions(couple_ids, now: dt.datetime) -> QuerySet:
    """The accepted versions with a review interval, each with its anchor
    (``r_anchor``), when it stopped (``r_stopped``, or never), and the
    number of its last period begun by now and before it stopped
    (``r_last_k``)."""
    tz = F("agreement__couple__timezone")
    every = F("review_every_days")
    following = AgreementVersion.objects.filter(agreement=OuterRef("agreement"), number=OuterRef("number") + 1).values(
        "proposed_at"
    )[:1]
    next_proposed = Subquery(following, output_field=DateTimeField())
    stops = (next_proposed, F("agreement__retired_at"), F("agreement__couple__ended_at"))
    today = _LocalDate(Value(now, output_field=DateTimeField()), tz)
    never = Value(_NEVER, output_field=DateTimeField())
    return AgreementVersion.objects.filter(
        agreement__couple_id__in=couple_ids,
        accepted_at__isnull=False,
        accepted_at__lte=now,
        review_every_days__isnull=False,
    ).annotate(
        r_anchor=_LocalDate(F("accepted_at"), tz),
        r_stopped=Least(*(Coalesce(stop, never) for stop in stops)),
        r_last_day=Least(today, *(Coalesce(_LocalDate(stop, tz), today) for stop in stops)),
        r_last_k=ExpressionWrapper(_DaysBetween(F("r_last_day"), F("r_anchor")) / every, IntegerField()),
    )


def _reviews(couple_ids, now: dt.datetime) -> QuerySet:
    """Each review period of an accepted agreement version (see above), made
    by the couple: ``kept`` once both reflections on the period are revealed
    (whenever that was), ``missed`` once its due time passed without, and
    ``ended`` when the version stopped (changed, retired, the couple ended)
    before it was due and it was not kept: it closes silently. Otherwise
    ``open``. A reflection one partner alone wrote changes nothing: it is
    private until both wrote, so only ``revealed_at`` is read."""
    versions = _review_versions(couple_ids, now)
    bound = Subquery(
        versions.order_by().annotate(r_most=Func(F("r_last_k"), function="MAX")).values("r_most"),
        output_field=IntegerField(),
    )
    k = _SeriesK()
    every = F("review_every_days")
    tz = F("agreement__couple__timezone")
    revealed = Reflection.objects.filter(
        agreement=OuterRef("agreement"), period_start=OuterRef("r_start"), revealed_at__isnull=False
    )
    kept_at = Subquery(revealed.order_by("revealed_at").values("revealed_at")[:1], output_field=DateTimeField())
    due = _LocalDayAt(F("r_end"), tz)
    stopped_first = Q(r_stopped__lte=F("p_due")) & Q(r_stopped__lte=now)
    return (
        _with_series(versions, bound)
        .annotate(r_k=k)
        .filter(r_k__lte=F("r_last_k"), r_k__lt=REVIEW_ID_STEP)
        .annotate(
            r_start=_AddDays(F("r_anchor"), ExpressionWrapper(k * every, IntegerField())),
            r_end=_AddDays(F("r_start"), ExpressionWrapper(every - 1, IntegerField())),
            r_kept=Exists(revealed),
            p_id=Concat(
                Value("review-"),
                Cast(
                    ExpressionWrapper(Cast("pk", BigIntegerField()) * Value(REVIEW_ID_STEP) + k, BigIntegerField()),
                    CharField(),
                ),
                output_field=CharField(),
            ),
            p_kind=Value("agreement_review", output_field=CharField()),
            p_couple=F("agreement__couple_id"),
            p_made_by=Value(None, output_field=IntegerField()),
            p_due=due,
            p_first_due=due,
        )
        .annotate(
            p_state=Case(
                When(r_kept=True, then=Value(KEPT)),
                When(stopped_first, then=Value(ENDED)),
                When(p_due__lt=now, then=Value(MISSED)),
                default=Value(OPEN),
                output_field=CharField(),
            ),
            p_renegotiated_at=Value(None, output_field=DateTimeField()),
            p_closed_at=Case(
                When(r_kept=True, then=kept_at),
                When(stopped_first, then=F("r_stopped")),
                default=Value(None, output_field=DateTimeField()),
                output_field=DateTimeField(),
            ),
            p_source_type=Value("agreement", output_field=CharField()),
            p_source_id=F("agreement_id"),
        )
    )


def _review_lookup(pk: int) -> Q:
    return Q(pk=pk // REVIEW_ID_STEP, r_k=pk % REVIEW_ID_STEP)


_reviews.promise_filter = _review_lookup


def _reflections(couple_ids, now: dt.datetime) -> QuerySet:
    """Reflections both partners revealed on an agreement with no review
    interval (its periods are ISO weeks, with no review due): kept, once per
    period (the pair's first), made by the couple. A period one partner
    alone reflected on leaves no entry. Periods of a version with an interval
    are ``_reviews``' rows."""
    earlier = Reflection.objects.filter(
        agreement=OuterRef("agreement"),
        period_start=OuterRef("period_start"),
        revealed_at__isnull=False,
        pk__lt=OuterRef("pk"),
    )
    reviewed = AgreementVersion.objects.filter(
        agreement=OuterRef("agreement"),
        number=OuterRef("version"),
        accepted_at__isnull=False,
        review_every_days__isnull=False,
    )
    due = _LocalDayAt(F("period_end"), F("agreement__couple__timezone"))
    return (
        Reflection.objects.filter(agreement__couple_id__in=couple_ids, revealed_at__isnull=False)
        .filter(~Exists(earlier), ~Exists(reviewed))
        .annotate(
            p_id=_pid("reflection"),
            p_kind=Value("agreement_review", output_field=CharField()),
            p_couple=F("agreement__couple_id"),
            p_made_by=Value(None, output_field=IntegerField()),
            p_due=due,
            p_first_due=due,
            p_state=Value(KEPT, output_field=CharField()),
            p_renegotiated_at=Value(None, output_field=DateTimeField()),
            p_closed_at=F("revealed_at"),
            p_source_type=Value("agreement", output_field=CharField()),
            p_source_id=F("agreement_id"),
        )
    )


# Each source: couple ids and now -> a queryset annotated with COLUMNS. A
# layer above (therapists' practices, later) adds its own with
# ``register_source``: the sources never import this app.
SOURCES: dict[str, Callable] = {
    "space": _space,
    "commitment": _commitments,
    "checkin": _checkins,
    "review": _reviews,
    "reflection": _reflections,
}


def register_source(prefix: str, source: Callable) -> None:
    SOURCES[prefix] = source


def _seen(viewer_id: int | None):
    """The state as ``viewer_id`` may read it: of the partner's promises a
    missed one is ``ended``, without a label, and so is a missed promise the
    couple made together (a practice, an agreement review). ``None``: full outcomes (a
    therapist with the ``promises`` scope)."""
    if viewer_id is None:
        return F("p_state")
    return Case(
        # The partner's missed promise, or one the couple made together (a
        # practice: no one person's miss to own), reads "ended".
        When(Q(p_state=MISSED) & (Q(p_made_by__isnull=True) | ~Q(p_made_by=viewer_id)), then=Value(ENDED)),
        default=F("p_state"),
        output_field=CharField(),
    )


def state_seen(*, state: str, made_by_id: int | None, viewer_id: int | None) -> str:
    """``_seen`` for one row in Python (a page that already holds a row)."""
    if viewer_id is not None and state == MISSED and (made_by_id is None or made_by_id != viewer_id):
        return ENDED
    return state


def ledger(
    *,
    couple_ids,
    viewer_id: int | None,
    state: str | None = None,
    only_mine_or_couple: bool = False,
    now: dt.datetime | None = None,
) -> QuerySet:
    """The couple's promises, due time newest first, as ``viewer_id`` sees
    them (``p_seen``). One statement. ``state`` filters on the seen state, so
    ``missed`` holds only the viewer's own; ``only_mine_or_couple`` leaves the
    partner's out (the export after a leave: each keeps their own)."""
    now = now or timezone.now()
    parts = []
    for source in SOURCES.values():
        qs = source(couple_ids, now).annotate(p_seen=_seen(viewer_id))
        if state is not None:
            qs = qs.filter(p_seen=state)
        if only_mine_or_couple and viewer_id is not None:
            qs = qs.filter(Q(p_made_by__isnull=True) | Q(p_made_by=viewer_id))
        parts.append(qs.order_by().values(*COLUMNS, "p_seen"))
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-p_due", "-p_id")


def parse_promise_id(promise_id: str) -> tuple[str, int]:
    """``"commitment-12"`` -> ``("commitment", 12)``; anything else is 404."""
    prefix, _, pk = promise_id.partition("-")
    if prefix not in SOURCES or not pk.isdigit() or len(pk) > 18:
        raise Http404
    return prefix, int(pk)


def promise_get_for_member(*, user: User, promise_id: str, now: dt.datetime | None = None) -> dict:
    """One promise of the caller's current couple, as they see it; 404 for
    anyone else. One query."""
    from couples.selectors import couple_ids_of_member

    prefix, pk = parse_promise_id(promise_id)
    now = now or timezone.now()
    source = SOURCES[prefix]
    # A source whose rows are not one per model row (reviews: one per
    # period) says how its number reads.
    lookup = getattr(source, "promise_filter", None)
    qs = source(couple_ids_of_member(user=user), now).filter(lookup(pk) if lookup else Q(pk=pk))
    qs = qs.annotate(p_seen=_seen(user.pk))
    row = qs.values(*COLUMNS, "p_seen").first()
    if row is None:
        raise Http404
    return row


def ledger_for_member(*, user: User, state: str | None = None, now: dt.datetime | None = None) -> QuerySet:
    """The caller's current couple's ledger (empty when not paired: the API
    asks for the couple only on an empty page, ``MemberListMixin``)."""
    from couples.selectors import couple_ids_of_member

    return ledger(couple_ids=couple_ids_of_member(user=user), viewer_id=user.pk, state=state, now=now)


def kept_timeline(*, couple: Couple, now: dt.datetime | None = None, limit: int = 30) -> list[dict]:
    """The calm timeline: the couple's kept promises, newest first. Kept
    only; no misses, no counts."""
    return list(ledger(couple_ids=[couple.pk], viewer_id=None, state=KEPT, now=now)[:limit])


def promises_export(*, user: User, couple_ids: list[int]) -> list[dict]:
    """The person's own promises and the couple's (check-ins, reviews), in
    every couple they were in, with full outcomes; never the partner's."""
    rows = ledger(couple_ids=couple_ids, viewer_id=user.pk, only_mine_or_couple=True).order_by("p_due", "p_id")
    return [
        {
            "id": r["p_id"],
            "kind": r["p_kind"],
            "couple_id": r["p_couple"],
            "made_by": r["p_made_by"],
            "due_at": r["p_due"].isoformat(),
            "first_due_at": r["p_first_due"].isoformat(),
            "state": r["p_seen"],
            "renegotiated_at": r["p_renegotiated_at"].isoformat() if r["p_renegotiated_at"] else None,
        }
        for r in rows
    ]
