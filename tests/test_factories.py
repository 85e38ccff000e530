"""The test factories make what the app's own services make."""

import pytest

from couples.models import Membership

from .factories import AgreementFactory, CheckInFactory, CoupleFactory, make_couple

pytestmark = pytest.mark.django_db


def test_a_couple_pairs_its_members(alice, bob):
    couple = make_couple(alice, bob)

    assert couple.timezone == alice.timezone
    assert set(Membership.objects.current().filter(couple=couple).values_list("user_id", flat=True)) == {
        alice.pk,
        bob.pk,
    }
    assert not Membership.objects.filter(couple=CoupleFactory()).exists()


def test_a_checkin_is_open_until_both_answers_are_sent(couple, alice, bob):
    pulse = {"mood": 4, "appreciated": "tea", "need": "sleep"}

    opened = CheckInFactory(couple=couple, user=alice)
    half = CheckInFactory(couple=couple, user=alice, answers={alice: pulse})
    revealed = CheckInFactory(couple=couple, user=alice, answers={alice: pulse, bob: pulse})

    assert opened.format.key == "daily-pulse" and opened.couple == couple
    assert opened.revealed_at is None and half.revealed_at is None
    assert revealed.revealed_at is not None


def test_an_agreement_is_proposed_or_accepted(couple, alice, bob):
    proposed = AgreementFactory(couple=couple, user=alice)
    active = AgreementFactory(couple=couple, user=alice, accepted_by=bob, title="Call if late")

    assert proposed.status == proposed.Status.PROPOSED
    assert active.status == active.Status.ACTIVE
    assert active.versions.get().title == "Call if late"
