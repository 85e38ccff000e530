"""Taking-space reads, scoped to the member who asks (404 for anyone else).
Both partners see the same periods: an open one's return time is shared on
purpose, so that the one waiting has a return time rather than silence.
How one came back is not a score between them: of the partner's periods the
viewer sees open, kept and ended (``status_seen_by``)."""

import datetime as dt

from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from backend.prepared import PreparedList, PreparedRows
from couples.models import Couple
from couples.selectors import couple_get_for_member, couple_ids_of_member

from .models import SpacePeriod, Status

STATUSES = tuple(Status.values)

# No scorekeeping between partners (issue #20, item 10; the promise
# ledger's rule): each sees every outcome of their own periods; of the
# partner's, a late or unmarked return reads as "ended", without a label.
PRIVATE_OUTCOMES = (Status.LATE, Status.MISSED)


def status_seen_by(*, period: SpacePeriod, viewer_id: int) -> str:
    """A period's status as ``viewer_id`` may see it: every path (API, pages)
    asks this, never ``period.status`` directly."""
    if period.author_id != viewer_id and period.status in PRIVATE_OUTCOMES:
        return Status.ENDED.value
    return period.status


def _status_seen_filter(*, viewer: User, status: str) -> Q:
    """The periods ``status_seen_by`` shows ``viewer`` as ``status``: a late
    or missed list is the viewer's own; "ended" holds the partner's."""
    if status in PRIVATE_OUTCOMES:
        return Q(status=status, author=viewer)
    if status == Status.ENDED:
        return Q(status=Status.ENDED) | (Q(status__in=PRIVATE_OUTCOMES) & ~Q(author=viewer))
    return Q(status=status)


def space_for_member(*, user: User, status: str | None = None) -> QuerySet[SpacePeriod]:
    return _space(SpacePeriod.objects.filter(couple=couple_get_for_member(user=user)), status=status, viewer=user)


def _space(qs: QuerySet[SpacePeriod], *, status: str | None, viewer: User) -> QuerySet[SpacePeriod]:
    qs = qs.select_related("author").order_by("-started_at", "-id")
    if status is not None:
        qs = qs.filter(_status_seen_filter(viewer=viewer, status=status))
    return qs


# What the API's list shows of a period (space.api.SpaceOutput).
LIST_FIELDS = (
    "id",
    "author_id",
    "started_at",
    "first_reconnect_by",
    "reconnect_by",
    "note",
    "status",
    "reconnected_at",
    "kind",
    "latest_reconnect_by",
)


def space_list_for_member(*, user: User, status: str | None = None) -> QuerySet[SpacePeriod]:
    """``space_for_member`` with only the list's columns, and the author's
    name by subquery instead of the author's whole row (a subquery, not a
    join, so the page's count stays a plain count of periods). The couple by
    subquery too: empty for someone not paired, which the list tells apart
    (``couples.api.MemberListMixin``)."""
    author_name = User.objects.filter(pk=OuterRef("author_id")).values("display_name")
    qs = SpacePeriod.objects.filter(couple__in=couple_ids_of_member(user=user))
    return (
        _space(qs, status=status, viewer=user)
        .select_related(None)
        .only(*LIST_FIELDS)
        .annotate(author_name=Subquery(author_name))
    )


# The API list, prepared once per status filter (backend.prepared).
SPACE_ROWS = PreparedList(space_list_for_member)


def space_current_for_member(*, user: User) -> QuerySet[SpacePeriod]:
    """The couple's open periods (one per person at most): the viewer's own
    first, then the partner's."""
    return _current(space_for_member(user=user, status=Status.OPEN), viewer=user)


def _current(qs: QuerySet[SpacePeriod], *, viewer: User) -> QuerySet[SpacePeriod]:
    mine_first = Case(When(author=viewer, then=Value(0)), default=Value(1))
    return qs.order_by(mine_first, "reconnect_by", "id")


def _current_in(*, user: User, couple: Couple) -> QuerySet[SpacePeriod]:
    return _current(_space(SpacePeriod.objects.filter(couple=couple), status=Status.OPEN, viewer=user), viewer=user)


# ``space_current_for_member`` for the home card (the member's couple
# given), prepared (backend.prepared).
CURRENT_FOR_CARD = PreparedRows(_current_in, objects={"user": None, "couple": Couple})


def space_get_for_member(*, user: User, period_id: int) -> SpacePeriod:
    period = space_for_member(user=user).select_related("couple").filter(pk=period_id).first()
    if period is None:
        raise Http404
    return period


def space_followthrough(*, couple: Couple, start: dt.datetime, end: dt.datetime) -> dict:
    """How promises to reconnect went for the couple, for periods started
    in [start, end): counts per outcome, the couple's together - never one
    partner against the other, never a note. One query.

    ``{"kept", "late", "missed", "open", "extended", "total"}``; ``extended``
    counts periods moved later before their time (whatever the outcome).
    A period that ended with the couple (``ended``) was neither kept nor
    missed, and counts nowhere, the total included."""
    periods = SpacePeriod.objects.filter(couple=couple, started_at__gte=start, started_at__lt=end)
    row = periods.exclude(status=Status.ENDED).aggregate(
        total=Count("id"),
        kept=Count("id", filter=Q(status=Status.KEPT)),
        late=Count("id", filter=Q(status=Status.LATE)),
        missed=Count("id", filter=Q(status=Status.MISSED)),
        open=Count("id", filter=Q(status=Status.OPEN)),
        extended=Count("id", filter=Q(reconnect_by__gt=F("first_reconnect_by"))),
    )
    return {key: row[key] for key in ("kept", "late", "missed", "open", "extended", "total")}


def space_followthrough_recent(*, couple: Couple, weeks: int = 8, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    return space_followthrough(couple=couple, start=now - dt.timedelta(weeks=weeks), end=now)


def space_followthrough_for_member(
    *, couple: Couple, viewer: User, weeks: int = 8, now: dt.datetime | None = None
) -> dict:
    """Follow-through as a partner sees it, never one against the other:
    what the couple did together (the kept and open periods of both) and the
    viewer's own late and unmarked returns; the partner's late and unmarked
    ones count nowhere, the total and ``extended`` included, so that no
    subtraction finds them (``status_seen_by``'s rule). One query. The full
    counts are for a consenting therapist only (``space_followthrough``)."""
    now = now or timezone.now()
    periods = SpacePeriod.objects.filter(
        couple=couple, started_at__gte=now - dt.timedelta(weeks=weeks), started_at__lt=now
    ).filter(Q(status__in=[Status.KEPT, Status.OPEN]) | Q(status__in=PRIVATE_OUTCOMES, author=viewer))
    row = periods.aggregate(
        total=Count("id"),
        kept=Count("id", filter=Q(status=Status.KEPT)),
        late=Count("id", filter=Q(status=Status.LATE)),
        missed=Count("id", filter=Q(status=Status.MISSED)),
        open=Count("id", filter=Q(status=Status.OPEN)),
        extended=Count("id", filter=Q(reconnect_by__gt=F("first_reconnect_by"))),
        kept_mine=Count("id", filter=Q(status=Status.KEPT, author=viewer)),
    )
    return {key: row[key] for key in ("kept", "late", "missed", "open", "extended", "total", "kept_mine")}
