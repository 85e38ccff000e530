# ruff: noqa: F811 - pytest fixtures imported from test_therapists_support are parameters here
"""Scopes after issue #25: a grant never gains a scope. A change is a new
grant that replaces the one in force once the other partner approves it;
until then the old grant holds exactly as it was. A therapist can end their
own access. Each scoped read checks the scope on the locked grant."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.http import Http404

from therapists import services
from therapists.models import Grant

from .test_therapists_support import (  # noqa: F401 - fixtures
    active_grant,
    as_theo_ready,
    give_totp,
    ready_client,
    theo_totp,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
SUMMARY_ONLY = ["checkin_consistency", "mood_trends"]


def iso(t: dt.datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def grant(couple, alice, bob, theo):
    """Alice asked, Bob approved: theo sees two summary scopes, not progress."""
    return active_grant(couple, alice, bob, theo, scopes=SUMMARY_ONLY)


def replace_url(grant_id: int) -> str:
    return f"/api/v1/couple/therapist-grants/{grant_id}/replace/"


def change_body(scopes, days=60):
    return {"scopes": scopes, "expires_at": iso(NOW + dt.timedelta(days=days))}


def has_scope(theo, couple, scope) -> bool:
    try:
        with transaction.atomic():
            services.grant_locked_for_scope(therapist=theo, couple_id=couple.pk, scope=scope, now=NOW)
    except Http404:
        return False
    return True


class TestAChangeIsANewGrant:
    def test_adding_a_scope_is_a_request_the_old_grant_holds_until_approved(self, as_alice, grant, theo, couple):
        response = as_alice.post(replace_url(grant.pk), change_body([*SUMMARY_ONLY, "progress"]), format="json")

        assert response.status_code == 201
        body = response.json()
        assert body["id"] != grant.pk and body["replaces"] == grant.pk
        assert body["status"] == "pending" and body["scopes"] == [*SUMMARY_ONLY, "progress"]
        # The grant in force never gained the scope, and still holds.
        grant.refresh_from_db()
        assert grant.scopes == SUMMARY_ONLY and grant.status == "active"
        assert has_scope(theo, couple, "mood_trends") and not has_scope(theo, couple, "progress")

    def test_the_other_partners_approval_replaces_the_old_grant_at_once(self, as_alice, as_bob, grant, theo, couple):
        new_id = as_alice.post(replace_url(grant.pk), change_body(["progress"]), format="json").json()["id"]

        response = as_bob.post(f"/api/v1/couple/therapist-grants/{new_id}/approve/", {}, format="json")

        assert response.status_code == 200 and response.json()["status"] == "active"
        grant.refresh_from_db()
        assert (grant.status, grant.end_reason, grant.ended_at) == ("replaced", "replaced", NOW)
        assert Grant.objects.active(NOW).filter(couple=couple, therapist=theo).get().pk == new_id
        # Exactly what was approved: progress only, the old scopes gone.
        assert has_scope(theo, couple, "progress") and not has_scope(theo, couple, "mood_trends")

    def test_the_partner_who_asked_cannot_approve_their_own_change(self, as_alice, grant):
        new_id = as_alice.post(replace_url(grant.pk), change_body(["progress"]), format="json").json()["id"]

        response = as_alice.post(f"/api/v1/couple/therapist-grants/{new_id}/approve/", {}, format="json")

        assert response.status_code == 403
        grant.refresh_from_db()
        assert grant.status == "active" and grant.scopes == SUMMARY_ONLY

    def test_one_change_at_a_time(self, as_alice, as_bob, grant):
        assert as_alice.post(replace_url(grant.pk), change_body(["progress"]), format="json").status_code == 201

        response = as_bob.post(replace_url(grant.pk), change_body(["mood_trends"]), format="json")

        assert response.status_code == 409
        assert Grant.objects.filter(replaces=grant).count() == 1

    def test_asking_for_what_is_shared_already_is_400(self, as_alice, grant):
        body = {"scopes": SUMMARY_ONLY, "expires_at": iso(grant.expires_at)}

        response = as_alice.post(replace_url(grant.pk), body, format="json")

        assert response.status_code == 400 and "scopes" in response.json()
        assert not Grant.objects.filter(replaces=grant).exists()

    def test_unknown_scopes_and_names_left_out_of_this_release_are_400(self, as_alice, grant):
        for scope in ("everything", "all"):
            response = as_alice.post(replace_url(grant.pk), change_body([scope]), format="json")
            assert response.status_code == 400 and "scopes" in response.json(), scope
        assert not Grant.objects.filter(replaces=grant).exists()

    def test_stopping_the_grant_stops_the_change_waiting_for_it(self, as_alice, as_bob, grant, theo, couple):
        new_id = as_alice.post(replace_url(grant.pk), change_body(["progress"]), format="json").json()["id"]

        assert as_alice.post(f"/api/v1/couple/therapist-grants/{grant.pk}/revoke/").status_code == 200
        response = as_bob.post(f"/api/v1/couple/therapist-grants/{new_id}/approve/", {}, format="json")

        assert response.status_code == 409
        assert Grant.objects.get(pk=new_id).status == "revoked"
        assert not Grant.objects.active(NOW).filter(couple=couple, therapist=theo).exists()

    def test_withdrawing_the_change_leaves_the_grant_in_force(self, as_alice, as_bob, grant):
        new_id = as_alice.post(replace_url(grant.pk), change_body(["progress"]), format="json").json()["id"]

        assert as_bob.post(f"/api/v1/couple/therapist-grants/{new_id}/revoke/").status_code == 200

        grant.refresh_from_db()
        assert grant.status == "active"

    def test_a_pending_or_ended_grant_cannot_be_changed(self, as_alice, couple, alice, bob, theo, grant):
        services.grant_revoke(grant=grant, user=bob)

        response = as_alice.post(replace_url(grant.pk), change_body(["progress"]), format="json")

        assert response.status_code == 409

    def test_mallory_and_theo_cannot_ask_for_a_change(self, as_mallory, mallory_couple, as_theo_ready, grant):
        assert as_mallory.post(replace_url(grant.pk), change_body(["progress"]), format="json").status_code == 404
        assert as_theo_ready.post(replace_url(grant.pk), change_body(["progress"]), format="json").status_code == 404
        assert not Grant.objects.filter(replaces=grant).exists()

    def test_the_partner_is_reminded_of_the_change_with_the_fixed_wording(self, as_alice, grant, bob):
        from reminders.models import Reminder

        new_id = as_alice.post(replace_url(grant.pk), change_body(["progress"]), format="json").json()["id"]

        assert Reminder.objects.filter(user=bob, kind="therapist_grant_requested", target_id=new_id).count() == 1


class TestTherapistEndsTheirAccess:
    def test_theo_ends_his_access_and_the_next_read_is_404(self, as_theo_ready, grant, couple, theo):
        response = as_theo_ready.post(f"/api/v1/therapist/couples/{couple.pk}/end/")

        assert response.status_code == 200 and response.json() == {"couple_id": couple.pk, "ended_at": iso(NOW)}
        grant.refresh_from_db()
        assert (grant.end_reason, grant.ended_by_id) == ("therapist_ended", theo.pk)
        assert as_theo_ready.get(f"/api/v1/therapist/couples/{couple.pk}/summary/").status_code == 404
        assert as_theo_ready.post(f"/api/v1/therapist/couples/{couple.pk}/end/").status_code == 404

    def test_ending_also_ends_a_change_waiting_for_approval(self, as_theo_ready, as_alice, grant, couple):
        new_id = as_alice.post(replace_url(grant.pk), change_body(["progress"]), format="json").json()["id"]

        as_theo_ready.post(f"/api/v1/therapist/couples/{couple.pk}/end/")

        assert Grant.objects.get(pk=new_id).end_reason == "therapist_ended"

    def test_another_therapist_or_a_partner_cannot_end_it(self, grant, couple, as_alice):
        from .factories import UserFactory

        tess = UserFactory(role="therapist", display_name="Tess")
        give_totp(tess)

        assert ready_client(tess).post(f"/api/v1/therapist/couples/{couple.pk}/end/").status_code == 404
        assert as_alice.post(f"/api/v1/therapist/couples/{couple.pk}/end/").status_code == 403
        grant.refresh_from_db()
        assert grant.status == "active"


def test_the_grants_page_offers_a_change_and_makes_a_request(alice, grant, client):
    client.force_login(alice)
    page = client.get("/couple/therapists/")
    assert b'data-testid="grant-change"' in page.content

    until = (NOW + dt.timedelta(days=40)).date().isoformat()
    response = client.post(
        f"/couple/therapists/{grant.pk}/change/",
        {f"g{grant.pk}-scopes": [*SUMMARY_ONLY, "progress"], f"g{grant.pk}-until": until},
    )

    assert response.status_code == 302
    new = Grant.objects.get(replaces=grant)
    assert new.scopes == [*SUMMARY_ONLY, "progress"] and new.status == "pending"
    page = client.get("/couple/therapists/")
    assert b'data-testid="grant-change-note"' in page.content
    # One change at a time: the form is not offered again.
    assert b'data-testid="grant-change"' not in page.content
