"""Time-out reads, scoped to the member who asks (404 for anyone else)."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.models import User
from couples.selectors import couple_get_for_member
from space.models import Kind, SpacePeriod
from space.selectors import space_for_member, space_list_for_member

from .models import TimeoutDuring, TimeoutRules, TimeoutRulesVersion


def _with_versions(qs: QuerySet[TimeoutRules]) -> QuerySet[TimeoutRules]:
    # Every version with its "during" texts, two queries for the whole page.
    versions = TimeoutRulesVersion.objects.prefetch_related(
        Prefetch("during", queryset=TimeoutDuring.objects.order_by("author_id"))
    )
    return qs.prefetch_related(Prefetch("versions", queryset=versions))


def timeout_rules_for_member(*, user: User) -> QuerySet[TimeoutRules]:
    couple = couple_get_for_member(user=user)
    return _with_versions(TimeoutRules.objects.filter(couple=couple)).order_by("-updated_at", "-id")


def timeout_rules_get_for_member(*, user: User, rules_id: int) -> TimeoutRules:
    rules = timeout_rules_for_member(user=user).filter(pk=rules_id).first()
    if rules is None:
        raise Http404
    return rules


def timeout_rules_current_for_member(*, user: User) -> TimeoutRules | None:
    """The couple's rules not retired (at most one), for the pages."""
    return timeout_rules_for_member(user=user).exclude(status=TimeoutRules.Status.RETIRED).first()


def rules_version(rules: TimeoutRules, number: int | None) -> TimeoutRulesVersion | None:
    if number is None:
        return None
    return next((v for v in rules.versions.all() if v.number == number), None)


def timeouts_list_for_member(*, user: User) -> QuerySet[SpacePeriod]:
    return space_list_for_member(user=user).filter(kind=Kind.TIMEOUT)


def timeout_get_for_member(*, user: User, period_id: int) -> SpacePeriod:
    period = space_for_member(user=user).filter(pk=period_id, kind=Kind.TIMEOUT).first()
    if period is None:
        raise Http404
    return period
