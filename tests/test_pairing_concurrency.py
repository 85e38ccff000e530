"""Two joins at the same instant, against a real PostgreSQL."""

import pytest

from couples import services
from couples.models import Couple, Membership

from .concurrency import race
from .factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_people_entering_one_code_at_once_pair_only_one():
    alice, bob, carol = (UserFactory() for _ in range(3))
    code = services.invite_create(user=alice).code

    results = race(
        [lambda: services.couple_join(user=bob, code=code), lambda: services.couple_join(user=carol, code=code)]
    )

    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    assert Couple.objects.count() == 1
    assert Membership.objects.filter(left_at__isnull=True).count() == 2
    assert Membership.objects.filter(user=alice, left_at__isnull=True).count() == 1


def test_crossed_joins_at_once_never_double_pair():
    # Alice enters Bob's code while Bob enters Alice's: one couple at most.
    alice, bob = UserFactory(), UserFactory()
    a_code = services.invite_create(user=alice).code
    b_code = services.invite_create(user=bob).code

    results = race(
        [lambda: services.couple_join(user=alice, code=b_code), lambda: services.couple_join(user=bob, code=a_code)]
    )

    assert [kind for kind, _ in results].count("ok") == 1
    assert Couple.objects.count() == 1
    for person in (alice, bob):
        assert Membership.objects.filter(user=person, left_at__isnull=True).count() == 1


def test_one_person_joining_two_couples_at_once():
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    b_code = services.invite_create(user=bob).code
    c_code = services.invite_create(user=carol).code

    results = race(
        [lambda: services.couple_join(user=alice, code=b_code), lambda: services.couple_join(user=alice, code=c_code)]
    )

    assert [kind for kind, _ in results].count("ok") == 1
    assert Membership.objects.filter(user=alice, left_at__isnull=True).count() == 1
