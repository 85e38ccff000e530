# ruff: noqa: F811 - pytest fixtures imported from test_therapists_support are parameters here
"""Practice between sessions (issue #25): the ``practice`` scope, the first
that writes. Proposed by a therapist with the scope, it exists only once
both partners accept; a decline is "not taken up" (never who); accepted, it
is done, renegotiated or, after its due time in silence, missed. Every read
and write is in the couple's access log with its scope; mallory and a
therapist without the scope get 404; a revoke is effective on the next
request and closes what is open."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from couples.services import couple_leave
from reminders.models import Reminder
from therapists import services
from therapists.models import AccessEvent, Practice

from .factories import PASSWORD, UserFactory
from .test_therapists_support import active_grant, as_theo_ready, give_totp, ready_client, theo_totp  # noqa: F401

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 19, 18, 0, tzinfo=dt.UTC)
DUE = NOW + dt.timedelta(days=6)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def grant(couple, alice, bob, theo, theo_totp):
    return active_grant(couple, alice, bob, theo, scopes=["mood_trends", "practice"])


def url(couple):
    return f"/api/v1/therapist/couples/{couple.pk}/practices/"


def body(**extra):
    return {
        "kind": "ritual",
        "title": "A ten-minute walk after dinner",
        "details": "Twice this week.",
        "due_at": DUE.isoformat(),
        **extra,
    }


def propose(client, couple, **extra):
    response = client.post(url(couple), body(**extra), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def events(couple, what):
    return list(AccessEvent.objects.filter(couple=couple, what=what))


class TestProposeAndRead:
    def test_a_proposal_is_logged_with_its_scope_and_each_partner_is_reminded(
        self, as_theo_ready, couple, alice, bob, grant
    ):
        data = propose(as_theo_ready, couple)

        assert data["status"] == "proposed" and data["title"] == "A ten-minute walk after dinner"
        (event,) = events(couple, "practice_new")
        assert event.scopes == ["practice"] and event.grant_id == grant.pk
        reminded = set(
            Reminder.objects.filter(kind=services.PRACTICE_PROPOSED_KIND, target_id=data["id"]).values_list(
                "user_id", flat=True
            )
        )
        assert reminded == {alice.pk, bob.pk}

    def test_the_therapists_read_is_logged_with_its_scope(self, as_theo_ready, couple, grant):
        propose(as_theo_ready, couple)

        response = as_theo_ready.get(url(couple))

        assert response.status_code == 200 and [p["status"] for p in response.json()] == ["proposed"]
        (event,) = events(couple, "practices")
        assert event.scopes == ["practice"]

    def test_bad_input_is_400_with_field_errors(self, as_theo_ready, couple, grant):
        response = as_theo_ready.post(
            url(couple),
            body(kind="homework", title="  ", due_at=(NOW - dt.timedelta(days=1)).isoformat()),
            format="json",
        )

        assert response.status_code == 400
        assert {"kind", "title", "due_at"} <= set(response.json())
        assert not Practice.objects.exists() and not events(couple, "practice_new")


class TestConsent:
    def test_mallory_gets_404_on_the_couples_practices(self, as_theo_ready, couple, grant, mallory, mallory_couple):
        from .conftest import client_for

        pid = propose(as_theo_ready, couple)["id"]
        as_mallory = client_for(mallory)

        assert as_mallory.get(f"/api/v1/practices/{pid}/").status_code == 404
        assert as_mallory.post(f"/api/v1/practices/{pid}/accept/").status_code == 404
        assert as_mallory.post(f"/api/v1/practices/{pid}/decline/").status_code == 404
        assert as_mallory.get("/api/v1/practices/").json() == []
        # A partner is never a therapist: the therapist path is 403 for them.
        assert as_mallory.get(url(couple)).status_code == 403

    def test_a_therapist_without_the_scope_gets_404_and_nothing_is_logged(self, couple, alice, bob):
        tara = UserFactory(email="tara@example.com", display_name="Tara", role="therapist")
        give_totp(tara)
        active_grant(couple, alice, bob, tara, scopes=["mood_trends", "progress"])
        as_tara = ready_client(tara)

        assert as_tara.get(url(couple)).status_code == 404
        assert as_tara.post(url(couple), body(), format="json").status_code == 404
        assert not Practice.objects.exists()
        assert not AccessEvent.objects.filter(what__in=["practices", "practice_new"]).exists()

    def test_another_therapists_practice_scope_does_not_open_this_couple(self, couple, mallory_couple, alice, bob):
        tara = UserFactory(email="tara@example.com", display_name="Tara", role="therapist")
        give_totp(tara)
        as_tara = ready_client(tara)

        assert as_tara.get(url(couple)).status_code == 404

    def test_a_revoke_is_effective_on_the_next_request_and_closes_open_practices(
        self, as_theo_ready, as_alice, couple, grant
    ):
        pid = propose(as_theo_ready, couple)["id"]

        assert as_alice.post(f"/api/v1/couple/therapist-grants/{grant.pk}/revoke/").status_code == 200

        assert as_theo_ready.get(url(couple)).status_code == 404
        assert as_theo_ready.post(url(couple), body(), format="json").status_code == 404
        assert Practice.objects.get(pk=pid).state == "closed"
        assert as_alice.get(f"/api/v1/practices/{pid}/").json()["status"] == "closed"
        assert as_alice.post(f"/api/v1/practices/{pid}/accept/").status_code == 409
        assert not Reminder.objects.filter(
            target_id=pid, kind__startswith="therapist_practice", status="pending"
        ).exists()

    def test_an_expired_grant_shows_open_practices_closed_at_once(
        self, as_theo_ready, as_alice, couple, grant, _frozen
    ):
        pid = propose(as_theo_ready, couple, due_at=(NOW + dt.timedelta(days=60)).isoformat())["id"]

        _frozen.move_to(grant.expires_at + dt.timedelta(minutes=1))

        assert as_alice.get(f"/api/v1/practices/{pid}/").json()["status"] == "closed"
        assert as_alice.post(f"/api/v1/practices/{pid}/accept/").status_code == 409


class TestMutualAcceptance:
    def test_it_exists_only_once_both_accept_and_then_each_is_reminded_once(
        self, as_theo_ready, as_alice, as_bob, couple, alice, bob, grant
    ):
        pid = propose(as_theo_ready, couple)["id"]

        first = as_alice.post(f"/api/v1/practices/{pid}/accept/").json()
        assert first["status"] == "proposed" and first["my_answer"] == "accepted"
        assert as_bob.get(f"/api/v1/practices/{pid}/").json()["partner_accepted"] is True
        assert as_alice.post(f"/api/v1/practices/{pid}/accept/").status_code == 409

        second = as_bob.post(f"/api/v1/practices/{pid}/accept/").json()

        assert second["status"] == "accepted"
        due = Reminder.objects.filter(kind=services.PRACTICE_DUE_KIND, target_id=pid)
        assert sorted(due.values_list("user_id", flat=True)) == sorted([alice.pk, bob.pk])
        assert {r.due_at for r in due} == {DUE - services.PRACTICE_REMIND_BEFORE}
        assert not Reminder.objects.filter(
            kind=services.PRACTICE_PROPOSED_KIND, target_id=pid, status="pending"
        ).exists()

    def test_a_decline_needs_no_reason_and_the_therapist_sees_not_taken_up_never_who(
        self, as_theo_ready, as_alice, as_bob, couple, bob, grant
    ):
        pid = propose(as_theo_ready, couple)["id"]
        as_alice.post(f"/api/v1/practices/{pid}/accept/")

        assert as_bob.post(f"/api/v1/practices/{pid}/decline/").json()["status"] == "not_taken_up"

        (row,) = as_theo_ready.get(url(couple)).json()
        assert row["status"] == "not_taken_up"
        raw = str(row)
        assert "declin" not in raw and "my_answer" not in raw and str(bob.pk) not in str(row.get("answers", ""))
        assert as_alice.post(f"/api/v1/practices/{pid}/accept/").status_code == 409

    def test_done_by_either_partner_and_the_therapist_sees_it(self, as_theo_ready, as_alice, as_bob, couple, grant):
        pid = propose(as_theo_ready, couple)["id"]
        as_alice.post(f"/api/v1/practices/{pid}/accept/")
        as_bob.post(f"/api/v1/practices/{pid}/accept/")

        assert as_bob.post(f"/api/v1/practices/{pid}/done/").json()["status"] == "done"

        assert as_theo_ready.get(url(couple)).json()[0]["status"] == "done"
        assert as_alice.post(f"/api/v1/practices/{pid}/renegotiate/").status_code == 409
        assert not Reminder.objects.filter(
            target_id=pid, kind__startswith="therapist_practice", status="pending"
        ).exists()

    def test_missed_only_after_the_due_time_passed_in_silence(
        self, as_theo_ready, as_alice, as_bob, couple, theo, grant, _frozen
    ):
        pid = propose(as_theo_ready, couple)["id"]
        as_alice.post(f"/api/v1/practices/{pid}/accept/")
        as_bob.post(f"/api/v1/practices/{pid}/accept/")

        _frozen.move_to(DUE - dt.timedelta(minutes=1))
        as_theo = ready_client(theo)  # days later: a fresh code
        assert as_theo.get(url(couple)).json()[0]["status"] == "accepted"
        _frozen.move_to(DUE)
        assert as_theo.get(url(couple)).json()[0]["status"] == "missed"
        assert as_alice.post(f"/api/v1/practices/{pid}/done/").status_code == 409

    def test_a_practice_cannot_be_accepted_by_a_therapist_nor_marked_before_both_accept(
        self, as_theo_ready, as_alice, couple, grant
    ):
        pid = propose(as_theo_ready, couple)["id"]

        assert as_theo_ready.post(f"/api/v1/practices/{pid}/accept/").status_code == 404
        assert as_alice.post(f"/api/v1/practices/{pid}/done/").status_code == 409


class TestLife:
    def test_leaving_the_couple_closes_open_practices_silently_and_keeps_settled_ones(
        self, as_theo_ready, as_alice, as_bob, couple, alice, grant
    ):
        open_id = propose(as_theo_ready, couple)["id"]
        done_id = propose(as_theo_ready, couple, title="Notes")["id"]
        for pid in (done_id,):
            as_alice.post(f"/api/v1/practices/{pid}/accept/")
            as_bob.post(f"/api/v1/practices/{pid}/accept/")
        as_alice.post(f"/api/v1/practices/{done_id}/done/")

        couple_leave(user=alice, password=PASSWORD)

        assert Practice.objects.get(pk=open_id).state == "closed"
        assert Practice.objects.get(pk=done_id).state == "done"

    def test_each_partners_export_shows_the_couples_practices_with_their_own_answer(
        self, as_theo_ready, as_alice, as_bob, couple, grant
    ):
        pid = propose(as_theo_ready, couple)["id"]
        as_alice.post(f"/api/v1/practices/{pid}/accept/")

        alices = as_alice.get("/api/v1/me/export/").json()["therapist_practices"]
        bobs = as_bob.get("/api/v1/me/export/").json()["therapist_practices"]

        assert [p["title"] for p in alices] == [p["title"] for p in bobs] == ["A ten-minute walk after dinner"]
        assert alices[0]["my_answer"] == "accepted" and bobs[0]["my_answer"] is None

    def test_the_ledger_seam_lists_accepted_practices_only(self, as_theo_ready, as_alice, as_bob, couple, grant):
        accepted = propose(as_theo_ready, couple)["id"]
        propose(as_theo_ready, couple, title="Still a proposal")
        as_alice.post(f"/api/v1/practices/{accepted}/accept/")
        as_bob.post(f"/api/v1/practices/{accepted}/accept/")

        rows = as_alice.get("/api/v1/promises/").json()["results"]

        assert [(r["id"], r["state"]) for r in rows] == [(f"practice-{accepted}", "open")]

    def test_the_reminder_titles_are_content_free(self):
        from reminders.kinds import KINDS

        for key in (services.PRACTICE_PROPOSED_KIND, services.PRACTICE_DUE_KIND):
            assert "walk" not in KINDS[key].title.lower() and "{" not in KINDS[key].title


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestPages:
    def test_partners_answer_on_the_practices_page(self, as_theo_ready, couple, alice, bob, grant):
        pid = propose(as_theo_ready, couple)["id"]

        page = web(alice).get("/practices/").content.decode()
        assert "A ten-minute walk after dinner" in page and "Accept" in page

        web(alice).post(f"/practices/{pid}/accept/")
        web(bob).post(f"/practices/{pid}/accept/")
        assert Practice.objects.get(pk=pid).state == "accepted"
        assert "We did it" in web(bob).get("/practices/").content.decode()

    def test_the_therapist_proposes_from_the_session_page(self, couple, theo, grant):
        response = web(theo).post(
            f"/therapist/couples/{couple.pk}/practices/",
            {"kind": "conversation", "title": "Talk about weekends", "details": "", "due": "2026-03-26"},
        )

        assert response.status_code == 302
        practice = Practice.objects.get()
        assert practice.title == "Talk about weekends" and practice.state == "proposed"
        assert events(couple, "practice_new")[0].scopes == ["practice"]


class TestWhatChanged:
    def test_the_session_page_shows_only_granted_scopes_and_logs_exactly_those(
        self, as_theo_ready, as_alice, as_bob, couple, theo, grant
    ):
        pid = propose(as_theo_ready, couple, title="Walk after dinner")["id"]
        as_alice.post(f"/api/v1/practices/{pid}/accept/")

        page = web(theo).get(f"/therapist/couples/{couple.pk}/session/").content.decode()

        assert 'data-testid="what-changed"' in page and "Walk after dinner" in page
        assert 'data-testid="changed-agreements"' not in page and 'data-testid="changed-gratitude"' not in page
        (event,) = events(couple, "session")
        assert event.scopes == ["practice"]

    def test_without_the_practice_scope_the_page_reads_no_practices(self, couple, alice, bob):
        tara = UserFactory(email="tara@example.com", display_name="Tara", role="therapist")
        give_totp(tara)
        active_grant(couple, alice, bob, tara, scopes=["agreements", "gratitude_frequency"])
        Practice.objects.create(
            couple=couple, therapist=tara, therapist_name="Tara", kind="ritual", title="HIDDEN-PRACTICE", due_at=DUE
        )

        page = web(tara).get(f"/therapist/couples/{couple.pk}/session/").content.decode()

        assert "HIDDEN-PRACTICE" not in page
        assert 'data-testid="changed-gratitude"' in page
        (event,) = events(couple, "session")
        assert event.scopes == ["agreements", "gratitude_frequency"]

    def test_a_revoke_makes_the_session_page_404_on_the_next_request(self, as_alice, couple, theo, grant):
        assert web(theo).get(f"/therapist/couples/{couple.pk}/session/").status_code == 200
        as_alice.post(f"/api/v1/couple/therapist-grants/{grant.pk}/revoke/")
        assert web(theo).get(f"/therapist/couples/{couple.pk}/session/").status_code == 404

    def test_with_the_ledger_scopes_the_page_shows_promises_and_repair_time_logged(self, _frozen, couple, alice, bob):
        from repair.models import Commitment, Repair

        tara = UserFactory(email="tara@example.com", display_name="Tara", role="therapist")
        give_totp(tara)
        active_grant(couple, alice, bob, tara, scopes=["promises", "repair_trend"])
        repair = Repair.objects.create(
            couple=couple,
            status=Repair.Status.OPEN,
            created_at=NOW - dt.timedelta(days=2),
            expires_at=NOW + dt.timedelta(days=5),
        )
        Commitment.objects.create(
            repair=repair, author=bob, text="SECRET-COMMITMENT", due_at=NOW + dt.timedelta(hours=1), status="open"
        )
        _frozen.shift(dt.timedelta(hours=2))  # due since sharing started, and passed in silence

        page = web(tara).get(f"/therapist/couples/{couple.pk}/session/").content.decode()

        assert 'data-testid="changed-promises"' in page and "Repair commitment" in page and "Missed" in page
        assert "SECRET-COMMITMENT" not in page
        assert "Time to repair" in page
        (event,) = events(couple, "session")
        assert event.scopes == ["promises", "repair_trend"]

    def test_without_the_ledger_scopes_no_promises_are_read(self, as_theo_ready, couple, grant):
        page = web(grant.therapist).get(f"/therapist/couples/{couple.pk}/session/").content.decode()
        assert 'data-testid="changed-promises"' not in page and "Time to repair" not in page


class TestNextSessions:
    def test_the_therapist_sets_a_next_session_which_is_logged_and_becomes_the_last_one(
        self, couple, theo, grant, _frozen
    ):
        response = web(theo).post(
            f"/therapist/couples/{couple.pk}/session-dates/", {"day": "2026-03-24", "time": "17:00"}
        )

        assert response.status_code == 302
        assert events(couple, "session_date")[0].scopes == []
        page = web(theo).get(f"/therapist/couples/{couple.pk}/session/").content.decode()
        assert "24 March 2026" in page

        _frozen.move_to(dt.datetime(2026, 3, 25, 9, 0, tzinfo=dt.UTC))
        page = web(theo).get(f"/therapist/couples/{couple.pk}/session/").content.decode()
        assert "since the last session (24 March)" in page

    def test_a_past_date_is_refused_and_strangers_get_404(self, couple, theo, grant):
        with pytest.raises(Exception) as error:
            services.next_session_set(therapist=theo, couple_id=couple.pk, at=NOW - dt.timedelta(hours=1), ip=None)
        assert "future" in str(error.value.args or error.value)
        tara = UserFactory(email="tara@example.com", role="therapist")
        give_totp(tara)
        assert (
            web(tara)
            .post(f"/therapist/couples/{couple.pk}/session-dates/", {"day": "2026-03-24", "time": "17:00"})
            .status_code
            == 404
        )


def test_the_therapists_own_export_holds_their_session_notes_and_dates(couple, theo, grant):
    from .conftest import client_for

    web(theo).post(f"/therapist/couples/{couple.pk}/session/", {"text": "PRIVATE-NOTE"})
    web(theo).post(f"/therapist/couples/{couple.pk}/session-dates/", {"day": "2026-03-24", "time": "17:00"})

    notes = client_for(theo).get("/api/v1/me/export/").json()["therapist_notes"]

    assert [n["text"] for n in notes["my_session_notes"]] == ["PRIVATE-NOTE"]
    assert [d["couple_id"] for d in notes["my_session_dates"]] == [couple.pk]
