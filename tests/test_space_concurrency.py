"""Taking space under races, against a real PostgreSQL: two phones at once
open one period, and a period closes exactly once."""

import datetime as dt

import pytest
from django.utils import timezone

from backend.errors import Conflict
from space import services
from space.models import Extension, SpacePeriod

from .concurrency import race
from .factories import UserFactory, make_couple

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def pair():
    alice, bob = UserFactory(display_name="Alice"), UserFactory(display_name="Bob")
    return make_couple(alice, bob), alice, bob


def test_two_phones_taking_space_at_once_open_one(pair):
    couple, _alice, bob = pair
    when = timezone.now() + dt.timedelta(hours=1)

    results = race([lambda: services.space_take(couple=couple, user=bob, reconnect_by=when)] * 4)

    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "error", "error", "ok"]
    assert all(isinstance(exc, Conflict) for kind, exc in results if kind == "error")
    assert SpacePeriod.objects.filter(author=bob, status="open").count() == 1


def test_back_and_the_missed_sweep_at_once_close_it_once(pair):
    couple, _alice, bob = pair
    now = timezone.now()
    period = services.space_take(couple=couple, user=bob, reconnect_by=now + dt.timedelta(minutes=20))
    later = period.reconnect_by + services.MISSED_AFTER

    results = race(
        [
            lambda: services.space_reconnect(period=SpacePeriod.objects.get(pk=period.pk), user=bob, now=later),
            lambda: services.space_mark_missed(now=later),
            lambda: services.space_mark_missed(now=later),
        ]
    )

    period.refresh_from_db()
    assert period.status in ("late", "missed")
    if period.status == "late":
        assert [kind for kind, _ in results] == ["ok", "ok", "ok"]
        assert [value for _, value in results[1:]] == [0, 0]
    else:
        assert results[0][0] == "error" and isinstance(results[0][1], Conflict)
        assert sorted(value for _, value in results[1:]) == [0, 1]


def test_two_extensions_at_once_record_one(pair):
    couple, _alice, bob = pair
    now = timezone.now()
    period = services.space_take(couple=couple, user=bob, reconnect_by=now + dt.timedelta(hours=1))

    def extend(hours):
        return lambda: services.space_extend(
            period=SpacePeriod.objects.get(pk=period.pk), user=bob, reconnect_by=now + dt.timedelta(hours=hours)
        )

    results = race([extend(2), extend(3)])

    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    assert Extension.objects.count() == 1
    period.refresh_from_db()
    assert period.reconnect_by == Extension.objects.get().new_reconnect_by
