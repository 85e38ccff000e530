"""Agreement reads, scoped to the member who asks (404 for anyone else).

``reflection_periods_for`` is the one place that decides when a partner's
reflection may be shown: no page or endpoint can show it before both
partners have reflected on the same period.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from backend.prepared import PreparedList, PreparedRows
from couples.models import Couple, Membership
from couples.selectors import couple_get_for_member, couple_ids_of_member

from .models import Agreement, AgreementVersion, Reflection
from .periods import Period
from .services import agreement_period

STATUSES = tuple(Agreement.Status.values)
OUTCOMES = tuple(Reflection.Outcome.values)


def _with_current(qs: QuerySet[Agreement]) -> QuerySet[Agreement]:
    # The current version joined in the same query: `agreement.current`.
    return qs.annotate(current=FilteredRelation("versions", condition=Q(versions__number=F("version")))).select_related(
        "current", "couple"
    )


def agreements_for_couple(*, couple: Couple, status: str | None = None) -> QuerySet[Agreement]:
    return _agreements(Agreement.objects.filter(couple=couple), status=status)


def agreements_list_for_member(*, user: User, status: str | None = None) -> QuerySet[Agreement]:
    """``agreements_for_member`` for the API's list: the couple by subquery,
    in the page's own query; empty for someone not paired, which the list
    tells apart (``couples.api.MemberListMixin``)."""
    return _agreements(Agreement.objects.filter(couple__in=couple_ids_of_member(user=user)), status=status)


def _agreements(qs: QuerySet[Agreement], *, status: str | None) -> QuerySet[Agreement]:
    qs = _with_current(qs)
    if status is not None:
        qs = qs.filter(status=status)
    return qs.order_by("-updated_at", "-id")


# The API list, prepared once per status filter (backend.prepared).
AGREEMENT_ROWS = PreparedList(agreements_list_for_member)


def agreements_for_card(*, couple: Couple) -> QuerySet[Agreement]:
    """The couple's proposed and active agreements, for the home card."""
    return agreements_for_couple(couple=couple).filter(status__in=[Agreement.Status.PROPOSED, Agreement.Status.ACTIVE])


def _my_reflections_since(*, user: User, couple: Couple, day: dt.date) -> QuerySet:
    return Reflection.objects.filter(
        author=user, agreement__couple=couple, agreement__status=Agreement.Status.ACTIVE, period_start__gte=day
    ).values("agreement_id", "period_start")


# The home card's reads, prepared (backend.prepared): the agreements, and
# the viewer's reflections on the active ones since the earliest current
# period's start (a few rows: the card keeps those of each one's current
# period).
AGREEMENTS_FOR_CARD = PreparedRows(agreements_for_card, objects={"couple": Couple})
MY_REFLECTIONS_SINCE = PreparedRows(_my_reflections_since, objects={"user": None, "couple": Couple}, day=True)


def agreements_for_member(*, user: User, status: str | None = None) -> QuerySet[Agreement]:
    return agreements_for_couple(couple=couple_get_for_member(user=user), status=status)


def agreement_get_for_member(*, user: User, agreement_id: int) -> Agreement:
    try:
        return agreements_for_member(user=user).get(pk=agreement_id)
    except Agreement.DoesNotExist:
        raise Http404 from None


def agreement_versions(*, agreement: Agreement) -> QuerySet[AgreementVersion]:
    """Newest first."""
    return AgreementVersion.objects.filter(agreement=agreement).order_by("-number")


def agreement_current_period(*, agreement: Agreement, now: dt.datetime | None = None) -> Period | None:
    if agreement.status != Agreement.Status.ACTIVE:
        return None
    return agreement_period(agreement=agreement, version=agreement.current, on=now or timezone.now())


# --- reflections -----------------------------------------------------------------------


@dataclass
class ReflectionPeriod:
    start: dt.date
    end: dt.date
    version: int
    mine: Reflection | None
    partner: Reflection | None  # None until both have reflected on this period

    @property
    def revealed_at(self) -> dt.datetime | None:
        return self.mine.revealed_at if self.mine is not None and self.partner is not None else None


def my_reflections(*, agreement: Agreement, user: User) -> QuerySet[Reflection]:
    """The viewer's own reflections, newest period first: the periods a
    viewer can see are exactly those they reflected on themselves (a period
    only the partner reflected on must not even show up)."""
    return Reflection.objects.filter(agreement=agreement, author=user).order_by("-period_start")


def reflection_periods_for(*, agreement: Agreement, user: User, mine: list[Reflection]) -> list[ReflectionPeriod]:
    """The viewer's reflections with the partner's beside them, where both
    are revealed. One query, whatever the number of periods."""
    revealed_starts = [r.period_start for r in mine if r.revealed_at is not None]
    theirs = {}
    if revealed_starts:
        theirs = {
            r.period_start: r
            for r in Reflection.objects.filter(
                agreement=agreement, period_start__in=revealed_starts, revealed_at__isnull=False
            ).exclude(author=user)
        }
    return [
        ReflectionPeriod(
            start=r.period_start,
            end=r.period_end,
            version=r.version,
            mine=r,
            partner=theirs.get(r.period_start) if r.revealed_at is not None else None,
        )
        for r in mine
    ]


def reflection_period_for(*, agreement: Agreement, user: User, period: Period) -> ReflectionPeriod:
    mine = my_reflections(agreement=agreement, user=user).filter(period_start=period.start).first()
    if mine is None:
        return ReflectionPeriod(start=period.start, end=period.end, version=agreement.version, mine=None, partner=None)
    return reflection_periods_for(agreement=agreement, user=user, mine=[mine])[0]


def _partners_of(couple: Couple) -> list[tuple[int, str]]:
    return list(
        Membership.objects.current_of(couple_id=couple.pk)
        .order_by("joined_at", "id")
        .values_list("user_id", "user__display_name")
    )


def agreement_followthrough(*, agreement: Agreement, viewer: User, limit: int = 12) -> dict:
    """Follow-through over time as a partner sees it, never a score of one
    against the other (issue #20, item 10): what the couple did together
    (the periods both reflected on, and those both called kept) and the
    viewer's own totals and outcome per period. The partner's outcomes are
    in each revealed period's pair (``reflection_periods_for``, revealed
    together), not tallied here. One query. A consenting therapist's summary
    has each partner's counts (``agreements_followthrough``)."""
    periods: dict[dt.date, dict] = {}
    for start, end, author_id, outcome in (
        Reflection.objects.filter(agreement=agreement, revealed_at__isnull=False)
        .order_by("-period_start")
        .values_list("period_start", "period_end", "author_id", "outcome")
    ):
        entry = periods.setdefault(start, {"start": start, "end": end, "mine": None, "count": 0, "kept": 0})
        entry["count"] += 1
        entry["kept"] += outcome == Reflection.Outcome.KEPT
        if author_id == viewer.pk:
            entry["mine"] = outcome
    together = [p for p in periods.values() if p["count"] == 2]
    mine = dict.fromkeys(OUTCOMES, 0)
    for p in periods.values():
        if p["mine"] is not None:
            mine[p["mine"]] += 1
    return {
        "together": {"periods": len(together), "kept": sum(1 for p in together if p["kept"] == 2)},
        "partners": [
            {"partner_id": viewer.pk, "display_name": viewer.display_name, "you": True, **mine},
        ],
        "periods": [
            {
                "start": p["start"],
                "end": p["end"],
                "outcomes": [{"partner_id": viewer.pk, "outcome": p["mine"]}],
                "both_kept": p["count"] == 2 and p["kept"] == 2,
            }
            for p in list(periods.values())[:limit]
        ],
    }


def agreements_followthrough(*, couple: Couple, start: dt.date, end: dt.date) -> list[dict]:
    """For the therapist summary (scope ``agreements``): per agreement that
    was in force at some point in [start, end], its title, category and
    status, and each partner's counts of kept / partly / missed over the
    periods starting in that range. Only revealed reflections count (what
    both partners can see), and no note or other text is included. Three
    queries, whatever the number of agreements or reflections."""
    if isinstance(start, dt.datetime):
        start = start.date()
    if isinstance(end, dt.datetime):
        end = end.date()
    partners = _partners_of(couple)
    counts: dict[int, dict[int, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: dict.fromkeys(OUTCOMES, 0)))
    for agreement_id, author_id, outcome, n in (
        Reflection.objects.filter(
            agreement__couple=couple,
            revealed_at__isnull=False,
            period_start__gte=start,
            period_start__lte=end,
        )
        .values_list("agreement_id", "author_id", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[agreement_id][author_id][outcome] = n
    # Agreements both partners accepted at some point, not retired before
    # the range began; plus any with reflections in it.
    accepted_by_end = AgreementVersion.objects.filter(
        agreement_id=OuterRef("pk"), accepted_at__isnull=False, accepted_at__date__lte=end
    )
    agreements = (
        _with_current(Agreement.objects.filter(couple=couple))
        .filter(
            Q(pk__in=list(counts))
            | (Exists(accepted_by_end) & (Q(retired_at__isnull=True) | Q(retired_at__date__gte=start)))
        )
        .order_by("id")
    )
    return [
        {
            "agreement_id": a.pk,
            "title": a.current.title,
            "category": a.current.category,
            "status": a.status,
            "partners": [{"partner_id": pid, "display_name": name, **counts[a.pk][pid]} for pid, name in partners],
        }
        for a in agreements
    ]
