"""Two partners acting on one agreement at the same instant, against a real
PostgreSQL: whatever the order, the agreement ends in one consistent state."""

import pytest

from agreements import services
from agreements.models import AgreementVersion, Reflection
from backend.errors import Conflict

from .concurrency import race
from .factories import AgreementFactory, UserFactory, make_couple

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROUNDS = 5


@pytest.fixture
def pair():
    alice, bob = UserFactory(display_name="Alice"), UserFactory(display_name="Bob")
    return alice, bob, make_couple(alice, bob)


def test_accept_against_amend_ends_consistent(pair):
    alice, bob, couple = pair
    for _ in range(ROUNDS):
        agreement = AgreementFactory(couple=couple, user=alice)

        accept, amend = race(
            [
                lambda a=agreement: services.agreement_accept(agreement=a, user=bob, version=1),
                lambda a=agreement: services.agreement_amend(
                    agreement=a, user=alice, version=1, changes={"title": "Phones away at meals"}
                ),
            ]
        )

        agreement.refresh_from_db()
        v1 = AgreementVersion.objects.get(agreement=agreement, number=1)
        assert AgreementVersion.objects.filter(agreement=agreement).count() == 2
        # The amend always wins the last word (it starts from version 1, which
        # is current whether or not the accept came first) ...
        assert amend[0] == "ok"
        assert (agreement.status, agreement.version, agreement.active_since) == ("proposed", 2, None)
        if accept[0] == "ok":
            # ... accepted first: version 1 was accepted, then amended.
            assert (v1.accepted_by_id, v1.accepted_at is not None) == (bob.pk, True)
        else:
            # ... amended first: the accept read a stale version and changed nothing.
            assert isinstance(accept[1], Conflict)
            assert (v1.accepted_by_id, v1.accepted_at) == (None, None)
        # Never active with wording nobody accepted.
        assert not AgreementVersion.objects.filter(agreement=agreement, number=2, accepted_at__isnull=False).exists()


def test_two_amends_at_once_make_one_new_version(pair):
    alice, bob, couple = pair
    for _ in range(ROUNDS):
        agreement = AgreementFactory(couple=couple, user=alice)
        services.agreement_accept(agreement=agreement, user=bob, version=1)

        results = race(
            [
                lambda a=agreement: services.agreement_amend(
                    agreement=a, user=alice, version=1, changes={"title": "Alice's wording"}
                ),
                lambda a=agreement: services.agreement_amend(
                    agreement=a, user=bob, version=1, changes={"title": "Bob's wording"}
                ),
            ]
        )

        assert sorted(kind for kind, _ in results) == ["error", "ok"]
        assert isinstance(next(value for kind, value in results if kind == "error"), Conflict)
        agreement.refresh_from_db()
        versions = list(AgreementVersion.objects.filter(agreement=agreement).order_by("number"))
        assert [v.number for v in versions] == [1, 2]
        assert (agreement.status, agreement.version) == ("proposed", 2)
        winner = next(value for kind, value in results if kind == "ok")
        assert versions[1].title == winner.current.title
        assert versions[1].proposed_by_id == (alice.pk if winner.current.title == "Alice's wording" else bob.pk)


def test_accept_against_retire_of_an_amendment(pair):
    # Bob accepts v2 while Alice retires: retire needs "active", so either the
    # accept lands first and the retire follows, or the retire is refused.
    alice, bob, couple = pair
    for _ in range(ROUNDS):
        agreement = AgreementFactory(couple=couple, user=alice)
        accept, retire = race(
            [
                lambda a=agreement: services.agreement_accept(agreement=a, user=bob, version=1),
                lambda a=agreement: services.agreement_retire(agreement=a, user=alice, reason="changed my mind"),
            ]
        )
        agreement.refresh_from_db()
        assert accept[0] == "ok"
        if retire[0] == "ok":
            assert agreement.status == "retired" and agreement.retired_by_id == alice.pk
        else:
            assert isinstance(retire[1], Conflict) and agreement.status == "active"


def test_both_reflect_at_once_and_both_are_revealed(pair):
    alice, bob, couple = pair
    for _ in range(ROUNDS):
        agreement = AgreementFactory(couple=couple, user=alice)
        services.agreement_accept(agreement=agreement, user=bob, version=1)

        results = race(
            [
                lambda a=agreement: services.reflection_submit(agreement=a, author=alice, outcome="kept"),
                lambda a=agreement: services.reflection_submit(agreement=a, author=bob, outcome="partly"),
            ]
        )

        assert [kind for kind, _ in results] == ["ok", "ok"]
        rows = list(Reflection.objects.filter(agreement=agreement))
        assert len(rows) == 2
        # Whichever came second revealed both: neither is left hidden.
        assert all(r.revealed_at is not None for r in rows)
