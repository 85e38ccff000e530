"""Time-out rules under races, against a real PostgreSQL: two first
proposals at once make one set; an accept and an amendment at once end in
one consistent state; two time-outs at once open one."""

import datetime as dt

import pytest
from django.utils import timezone

from backend.errors import Conflict
from repair import services
from repair.models import TimeoutRules, TimeoutRulesVersion
from space.models import SpacePeriod

from .concurrency import race
from .factories import UserFactory, make_couple

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def pair():
    alice, bob = UserFactory(display_name="Alice"), UserFactory(display_name="Bob")
    return make_couple(alice, bob), alice, bob


def test_two_first_proposals_at_once_make_one_set(pair):
    couple, alice, bob = pair

    def propose(user):
        return lambda: services.timeout_rules_propose(couple=couple, user=user, signal="Pause", max_minutes=60)

    results = race([propose(alice), propose(bob)])

    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    assert all(isinstance(exc, Conflict) for kind, exc in results if kind == "error")
    assert TimeoutRules.objects.filter(couple=couple).count() == 1


def test_accept_and_amend_at_once_end_consistent(pair):
    couple, alice, bob = pair
    rules = services.timeout_rules_propose(couple=couple, user=alice, signal="Pause", max_minutes=60)

    results = race(
        [
            lambda: services.timeout_rules_accept(rules=TimeoutRules.objects.get(pk=rules.pk), user=bob, version=1),
            lambda: services.timeout_rules_amend(
                rules=TimeoutRules.objects.get(pk=rules.pk), user=alice, version=1, changes={"max_minutes": 90}
            ),
        ]
    )

    rules.refresh_from_db()
    accepted = TimeoutRulesVersion.objects.filter(rules=rules, accepted_at__isnull=False).count()
    errors = [exc for kind, exc in results if kind == "error"]
    # Either way the amendment is the proposal now waiting, and nothing is half done.
    assert rules.status == "proposed" and rules.version == 2
    if rules.active_version == 1:  # the accept came first: 60 is in force, 90 is proposed over it
        assert errors == [] and accepted == 1
    else:  # the amendment came first: the accept of version 1 was stale
        assert len(errors) == 1 and isinstance(errors[0], Conflict)
        assert rules.active_version is None and accepted == 0


def test_two_time_outs_at_once_open_one(pair):
    couple, alice, bob = pair
    rules = services.timeout_rules_propose(couple=couple, user=alice, signal="Pause", max_minutes=60)
    services.timeout_rules_accept(rules=rules, user=bob, version=1)
    when = timezone.now() + dt.timedelta(minutes=30)

    results = race([lambda: services.timeout_take(couple=couple, user=bob, reconnect_by=when)] * 3)

    assert sorted(kind for kind, _ in results) == ["error", "error", "ok"]
    assert SpacePeriod.objects.filter(author=bob, status="open", kind="timeout").count() == 1
