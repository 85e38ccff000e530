import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from couples.models import Couple, Invite, Membership, PairingBlock

from .conftest import client_for
from .factories import PASSWORD, UserFactory

INVITES = "/api/v1/couple/invites/"
JOIN = "/api/v1/couple/join/"
COUPLE = "/api/v1/couple/"
LEAVE = "/api/v1/couple/leave/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(db):
    return UserFactory(email="carol@example.com", display_name="Carol")


def pair(inviter_client, joiner_client):
    code = inviter_client.post(INVITES).json()["code"]
    return joiner_client.post(JOIN, {"code": code}, format="json")


class TestInvites:
    def test_code_is_typeable_and_expires_in_72_hours(self, as_alice, alice):
        with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False):
            response = as_alice.post(INVITES)

        assert response.status_code == 201
        body = response.json()
        assert len(body["code"]) == 8
        assert set(body["code"]) <= set("ABCDEFGHJKMNPQRTUVWXY346789")
        assert body["display_code"] == f"{body['code'][:4]}-{body['code'][4:]}"
        assert body["expires_at"] == "2026-03-04T12:00:00Z"

    def test_a_new_code_replaces_the_old_one(self, as_alice, as_bob):
        old = as_alice.post(INVITES).json()["code"]
        new = as_alice.post(INVITES).json()["code"]

        assert old != new
        assert as_bob.post(JOIN, {"code": old}, format="json").status_code == 400
        assert as_bob.post(JOIN, {"code": new}, format="json").status_code == 201

    def test_already_paired_cannot_invite(self, as_alice, couple):
        assert as_alice.post(INVITES).status_code == 409

    def test_therapist_cannot_invite(self, as_theo):
        assert as_theo.post(INVITES).status_code == 403

    def test_needs_auth(self, api):
        assert api.post(INVITES).status_code == 401


class TestJoin:
    def test_join_pairs_both(self, as_alice, as_bob, alice, bob):
        response = pair(as_alice, as_bob)

        assert response.status_code == 201
        body = response.json()
        assert body["partners"] == [
            {"id": alice.pk, "display_name": "Alice"},
            {"id": bob.pk, "display_name": "Bob"},
        ]
        assert body["timezone"] == "Europe/Berlin"  # the inviter's
        assert as_alice.get(COUPLE).json() == as_bob.get(COUPLE).json() == body

    def test_code_typed_loosely_still_works(self, as_alice, as_bob):
        code = as_alice.post(INVITES).json()["code"]
        loose = f" {code[:4].lower()}-{code[4:].lower()} "
        assert as_bob.post(JOIN, {"code": loose}, format="json").status_code == 201

    def test_used_code(self, as_alice, as_bob, carol):
        code = as_alice.post(INVITES).json()["code"]
        as_bob.post(JOIN, {"code": code}, format="json")

        response = client_for(carol).post(JOIN, {"code": code}, format="json")
        assert response.status_code == 400
        assert "code" in response.json()

    def test_expired_code(self, as_alice, as_bob, bob):
        with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC), tick=False):
            code = as_alice.post(INVITES).json()["code"]
        with time_machine.travel(dt.datetime(2026, 3, 4, 12, 0, 1, tzinfo=dt.UTC), tick=False):
            response = as_bob.post(JOIN, {"code": code}, format="json")

        assert response.status_code == 400
        assert "code" in response.json()
        assert not Membership.objects.filter(user=bob).exists()

    def test_unknown_code(self, as_bob):
        response = as_bob.post(JOIN, {"code": "ABCD-EFGH"}, format="json")
        assert response.status_code == 400
        assert response.json()["code"]

    def test_own_code(self, as_alice):
        code = as_alice.post(INVITES).json()["code"]
        response = as_alice.post(JOIN, {"code": code}, format="json")
        assert response.status_code == 400
        assert "own code" in response.json()["code"][0]

    def test_unknown_used_and_expired_codes_give_one_message(self, as_alice, as_bob, carol):
        unknown = as_bob.post(JOIN, {"code": "ABCDEFGH"}, format="json").json()
        code = as_alice.post(INVITES).json()["code"]
        as_bob.post(JOIN, {"code": code}, format="json")
        used = client_for(carol).post(JOIN, {"code": code}, format="json").json()
        assert unknown == used

    def test_joiner_already_paired_is_409(self, as_mallory, mallory_couple, as_alice):
        code = as_alice.post(INVITES).json()["code"]
        assert as_mallory.post(JOIN, {"code": code}, format="json").status_code == 409

    def test_inviter_paired_meanwhile_is_409(self, alice, bob, carol):
        as_alice, as_bob, as_carol = client_for(alice), client_for(bob), client_for(carol)
        alice_code = as_alice.post(INVITES).json()["code"]
        carol_code = as_carol.post(INVITES).json()["code"]
        # Alice pairs with Carol using Carol's code: Alice's own code is void.
        assert as_alice.post(JOIN, {"code": carol_code}, format="json").status_code == 201

        response = as_bob.post(JOIN, {"code": alice_code}, format="json")
        assert response.status_code in (400, 409)
        assert not Membership.objects.filter(user=bob).exists()

    @pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": 12345678}, {"code": "x" * 500}, {"code": None}])
    def test_bad_input(self, as_bob, body):
        response = as_bob.post(JOIN, body, format="json")
        assert response.status_code == 400
        assert "code" in response.json()

    def test_therapist_cannot_join(self, as_alice, as_theo):
        code = as_alice.post(INVITES).json()["code"]
        assert as_theo.post(JOIN, {"code": code}, format="json").status_code == 403

    def test_join_attempts_are_throttled(self, as_bob):
        from rest_framework.settings import api_settings

        limit = int(api_settings.DEFAULT_THROTTLE_RATES["pair_join"].split("/")[0])
        statuses = [as_bob.post(JOIN, {"code": f"ABCDEFG{i % 9}"}, format="json").status_code for i in range(limit + 1)]
        assert statuses[:limit] == [400] * limit
        assert statuses[-1] == 429


class TestCouple:
    def test_not_paired_is_404(self, as_alice):
        assert as_alice.get(COUPLE).status_code == 404

    def test_shows_display_names_only(self, as_alice, couple):
        body = as_alice.get(COUPLE).json()
        assert set(body) == {"id", "partners", "timezone", "created_at"}
        for partner in body["partners"]:
            assert set(partner) == {"id", "display_name"}

    def test_mallory_sees_only_her_own(self, as_mallory, mallory_couple, couple):
        body = as_mallory.get(COUPLE).json()
        assert body["id"] == mallory_couple.pk
        assert {p["display_name"] for p in body["partners"]} == {"Mallory", "Mike"}

    def test_therapist_has_no_couple(self, as_theo, couple):
        assert as_theo.get(COUPLE).status_code == 404


class TestLeave:
    def test_leave_closes_the_couple_for_both_at_once(self, as_alice, as_bob, couple, alice, bob):
        response = as_alice.post(LEAVE, {"password": PASSWORD}, format="json")

        assert response.status_code == 204
        assert as_alice.get(COUPLE).status_code == 404
        assert as_bob.get(COUPLE).status_code == 404
        couple.refresh_from_db()
        assert couple.ended_at is not None
        assert not Membership.objects.filter(couple=couple, left_at__isnull=True).exists()
        # The closed couple and its history stay; both can pair again.
        assert Couple.objects.filter(pk=couple.pk).exists()
        assert as_alice.post(INVITES).status_code == 201
        assert as_bob.post(INVITES).status_code == 201

    def test_wrong_password_changes_nothing(self, as_alice, couple):
        response = as_alice.post(LEAVE, {"password": "not-my-password"}, format="json")
        assert response.status_code == 400
        assert "password" in response.json()
        assert as_alice.get(COUPLE).status_code == 200

    def test_missing_password(self, as_alice, couple):
        response = as_alice.post(LEAVE, {}, format="json")
        assert response.status_code == 400
        assert response.json()["password"] == ["This field is required."]

    def test_not_paired_is_404(self, as_alice):
        assert as_alice.post(LEAVE, {"password": PASSWORD}, format="json").status_code == 404

    def test_the_two_can_pair_again_without_a_block(self, as_alice, as_bob, couple):
        as_bob.post(LEAVE, {"password": PASSWORD, "block_partner": False}, format="json")
        assert not PairingBlock.objects.exists()
        assert pair(as_alice, as_bob).status_code == 201

    def test_the_block_is_the_default(self, as_alice, as_bob, couple, alice, bob):
        assert as_alice.post(LEAVE, {"password": PASSWORD}, format="json").status_code == 204
        assert PairingBlock.objects.filter(blocker=alice, blocked=bob).exists()

    def test_block_stops_the_former_partner_pairing_again(self, as_alice, as_bob, couple, alice, bob):
        as_alice.post(LEAVE, {"password": PASSWORD, "block_partner": True}, format="json")

        assert PairingBlock.objects.filter(blocker=alice, blocked=bob).exists()
        # Bob's code entered by Alice fails too (the block lifts only by
        # Alice's own code), with the same words as an unknown code.
        unknown = as_bob.post(JOIN, {"code": "ABCDEFGH"}, format="json")
        blocked = pair(as_bob, as_alice)
        assert unknown.status_code == blocked.status_code == 400
        assert blocked.content == unknown.content
        assert PairingBlock.objects.filter(blocker=alice, blocked=bob).exists()

    def test_a_block_does_not_affect_others(self, as_alice, couple, carol):
        as_alice.post(LEAVE, {"password": PASSWORD, "block_partner": True}, format="json")
        assert pair(as_alice, client_for(carol)).status_code == 201

    def test_leave_revokes_nothing_of_the_other_persons_account(self, as_alice, as_bob, couple, bob):
        as_alice.post(LEAVE, {"password": PASSWORD}, format="json")
        assert as_bob.get("/api/v1/me/").status_code == 200


class TestConstraints:
    def test_one_active_couple_per_person_is_a_database_rule(self, alice, bob, carol, couple):
        from django.db import IntegrityError, transaction

        other = Couple.objects.create()
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.create(couple=other, user=alice)

    def test_one_open_code_per_person_is_a_database_rule(self, alice):
        from django.db import IntegrityError, transaction

        later = timezone.now() + dt.timedelta(hours=1)
        Invite.objects.create(code="AAAAAAAA", created_by=alice, expires_at=later)
        with pytest.raises(IntegrityError), transaction.atomic():
            Invite.objects.create(code="BBBBBBBB", created_by=alice, expires_at=later)


def test_leave_is_throttled(as_alice, couple):
    from rest_framework.settings import api_settings

    limit = int(api_settings.DEFAULT_THROTTLE_RATES["pair_leave"].split("/")[0])
    statuses = [
        as_alice.post(LEAVE, {"password": "guess-guess-guess"}, format="json").status_code for _ in range(limit + 1)
    ]
    assert statuses[:limit] == [400] * limit
    assert statuses[-1] == 429
    assert as_alice.get(COUPLE).status_code == 200
