"""Account data (GDPR 17 and 20): export, erasure, signed-in devices, and
the security audit trail."""

import datetime as dt
import json

import pytest
from knox.models import AuthToken

from accounts.models import SecurityEvent, User
from checkins import services as checkins
from checkins.models import Answer, Format
from couples.models import Membership
from gratitude import services as gratitude
from gratitude.models import Note
from journal import services as journal
from journal.models import Entry

from .conftest import client_for
from .factories import PASSWORD, web_login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keys(settings, tmp_path):
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")


@pytest.fixture
def history(couple, alice, bob):
    fmt = Format.objects.get(key="daily-pulse")
    revealed = checkins.checkin_start(couple=couple, user=alice, format=fmt)
    checkins.checkin_answer(
        checkin=revealed, author=alice, values={"mood": 4, "appreciated": "ALICE-SHARED", "need": "x"}
    )
    checkins.checkin_answer(
        checkin=revealed, author=bob, values={"mood": 2, "appreciated": "BOB-REVEALED", "need": "y"}
    )
    hidden = checkins.checkin_start(couple=couple, user=alice, format=fmt)
    checkins.checkin_answer(
        checkin=hidden, author=bob, values={"mood": 3, "appreciated": "BOB-UNREVEALED", "need": "z"}
    )
    gratitude.note_send(couple=couple, author=bob, text="BOB-NOTE-TO-ALICE")
    gratitude.note_send(couple=couple, author=alice, text="ALICE-NOTE-TO-BOB")
    journal.entry_create(author=alice, kind="entry", text="ALICE-PRIVATE-JOURNAL")
    journal.entry_create(author=bob, kind="entry", text="BOB-PRIVATE-JOURNAL")


class TestExport:
    def test_everything_mine_and_shared_with_me_and_nothing_private_of_theirs(self, as_alice, history):
        response = as_alice.get("/api/v1/me/export/")

        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        raw = response.content.decode()
        for mine in ("ALICE-SHARED", "ALICE-NOTE-TO-BOB", "ALICE-PRIVATE-JOURNAL", "BOB-NOTE-TO-ALICE", "BOB-REVEALED"):
            assert mine in raw, mine
        for private in ("BOB-UNREVEALED", "BOB-PRIVATE-JOURNAL"):
            assert private not in raw, private
        body = json.loads(raw)
        assert body["profile"]["email"] == "alice@example.com"
        assert body["journal"][0]["text"] == "ALICE-PRIVATE-JOURNAL"

    def test_entries_shared_with_me_as_the_shared_view_shows_them_and_nothing_unshared(
        self, as_bob, alice, bob, couple
    ):
        shared = journal.entry_create(author=alice, kind="entry", text="ALICE-SHARED-ENTRY", mood=4, tags=["t1"])
        trigger = journal.entry_create(
            author=alice,
            kind="trigger",
            text="ALICE-SHARED-TRIGGER",
            trigger_category="no_reply",
            intensity_before=7,
            story="ALICE-STORY",
            need="ALICE-NEED",
            can_do="ALICE-CAN-DO",
        )
        taken_back = journal.entry_create(author=alice, kind="entry", text="ALICE-TAKEN-BACK")
        journal.entry_create(
            author=alice,
            kind="trigger",
            text="ALICE-NEVER-SHARED",
            trigger_category="other",
            intensity_before=3,
            story="ALICE-PRIVATE-STORY",
        )
        for entry in (shared, trigger, taken_back):
            journal.entry_share(entry=entry, author=alice)
        journal.entry_unshare(entry=taken_back, author=alice)
        journal.entry_create(author=bob, kind="entry", text="BOB-OWN")

        response = as_bob.get("/api/v1/me/export/")

        raw = response.content.decode()
        for unshared in ("ALICE-TAKEN-BACK", "ALICE-NEVER-SHARED", "ALICE-PRIVATE-STORY"):
            assert unshared not in raw, unshared
        body = json.loads(raw)
        # Bob's own entries and what was shared with him are kept apart.
        assert [e["text"] for e in body["journal"]] == ["BOB-OWN"]
        exported = body["journal_shared_with_me"]
        assert [e["id"] for e in exported] == [trigger.pk, shared.pk]
        # Readable, as Bob reads them on the shared page.
        seen = {e["id"]: e for e in as_bob.get("/api/v1/journal/shared/").json()["results"]}
        for row in exported:
            for key in (
                "kind",
                "readable",
                "text",
                "mood",
                "tags",
                "trigger_category",
                "intensity_before",
                "story",
                "need",
                "can_do",
                "author",
            ):
                assert row[key] == seen[row["id"]][key], key
        assert exported[0]["story"] == "ALICE-STORY" and exported[0]["can_do"] == "ALICE-CAN-DO"
        assert exported[1]["tags"] == ["t1"] and exported[1]["author"] == {"id": alice.pk, "display_name": "Alice"}
        assert all(row["shared_at"] for row in exported)

    def test_only_what_is_shared_now(self, as_alice, as_bob, alice, couple):
        entry = journal.entry_create(author=alice, kind="entry", text="ALICE-SHARED-ENTRY")
        journal.entry_share(entry=entry, author=alice)
        assert len(as_bob.get("/api/v1/me/export/").json()["journal_shared_with_me"]) == 1

        as_alice.post("/api/v1/couple/leave/", {"password": PASSWORD}, format="json")

        raw = as_bob.get("/api/v1/me/export/").content.decode()
        assert json.loads(raw)["journal_shared_with_me"] == [] and "ALICE-SHARED-ENTRY" not in raw
        # The author still has it, as her own.
        assert as_alice.get("/api/v1/me/export/").json()["journal"][0]["text"] == "ALICE-SHARED-ENTRY"

    def test_the_therapist_access_log_of_every_couple_i_was_in(
        self, as_alice, as_bob, as_mallory, alice, bob, theo, couple, mallory_couple
    ):
        from therapists import services as therapists

        from .test_therapists_support import active_grant

        grant = active_grant(couple, alice, bob, theo)
        event = therapists.access_record_summary(
            therapist=theo,
            grant=grant,
            scopes=["mood_trends", "checkin_consistency"],
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 1, 31),
            ip="203.0.113.9",
        )
        as_alice.post("/api/v1/couple/leave/", {"password": PASSWORD}, format="json")

        for client in (as_alice, as_bob):
            raw = client.get("/api/v1/me/export/").content.decode()
            assert json.loads(raw)["therapist_access_log"] == [
                {
                    "couple_id": couple.pk,
                    "therapist": {"id": theo.pk, "display_name": "Theo"},
                    "what": "summary",
                    "scopes": ["checkin_consistency", "mood_trends"],
                    "period": {"from": "2026-01-01", "to": "2026-01-31"},
                    "at": event.at.isoformat(),
                }
            ]
            assert "203.0.113.9" not in raw  # the therapist's IP stays out of it
        assert as_mallory.get("/api/v1/me/export/").json()["therapist_access_log"] == []

    def test_the_partner_who_stays_keeps_the_log_after_an_erasure(self, as_alice, as_bob, alice, bob, theo, couple):
        from therapists import services as therapists

        from .test_therapists_support import active_grant

        grant = active_grant(couple, alice, bob, theo)
        therapists.access_record_list(therapist=theo, grants=[grant], ip=None)

        assert as_alice.delete("/api/v1/me/", {"password": PASSWORD}, format="json").status_code == 204

        log = as_bob.get("/api/v1/me/export/").json()["therapist_access_log"]
        assert [(e["couple_id"], e["what"]) for e in log] == [(couple.pk, "list")]

    def test_a_stranger_exports_nothing_of_theirs(self, as_mallory, mallory_couple, history):
        raw = as_mallory.get("/api/v1/me/export/").content.decode()
        assert "ALICE" not in raw and "BOB" not in raw

    def test_needs_auth(self, api):
        assert api.get("/api/v1/me/export/").status_code == 401


class TestSessions:
    def test_lists_my_devices_and_signs_one_out(self, alice, bob):
        phone, tablet = client_for(alice), client_for(alice)
        client_for(bob)
        listed = phone.get("/api/v1/me/sessions/").json()

        assert listed["count"] == 2
        assert sum(r["current"] for r in listed["results"]) == 1
        other = next(r for r in listed["results"] if not r["current"])
        assert phone.delete(f"/api/v1/me/sessions/{other['id']}/").status_code == 204
        assert tablet.get("/api/v1/me/").status_code == 401
        assert phone.get("/api/v1/me/").status_code == 200
        assert AuthToken.objects.filter(user=bob).count() == 1

    def test_web_sessions_are_listed_and_can_be_ended(self, alice):
        browser = web_login(alice)
        assert browser.get("/settings/").status_code == 200
        app = client_for(alice)
        web = next(r for r in app.get("/api/v1/me/sessions/").json()["results"] if r["kind"] == "web")

        assert app.delete(f"/api/v1/me/sessions/{web['id']}/").status_code == 204
        assert browser.get("/settings/").status_code == 302  # signed out

    def test_sign_out_everywhere_else(self, alice):
        here, there = client_for(alice), client_for(alice)
        browser = web_login(alice)

        assert here.delete("/api/v1/me/sessions/").status_code == 204
        assert here.get("/api/v1/me/").status_code == 200
        assert there.get("/api/v1/me/").status_code == 401
        assert browser.get("/settings/").status_code == 302
        assert SecurityEvent.objects.filter(kind="sessions_ended", user_id=alice.pk).exists()

    @pytest.mark.parametrize("session_id", ["app-nope", "web-999999", "web-x", "nonsense", "app-"])
    def test_unknown_or_someone_elses_is_404(self, alice, bob, session_id):
        assert client_for(alice).delete(f"/api/v1/me/sessions/{session_id}/").status_code == 404

    def test_cannot_end_another_persons_session(self, alice, bob):
        bob_client = client_for(bob)
        bobs = bob_client.get("/api/v1/me/sessions/").json()["results"][0]["id"]
        assert client_for(alice).delete(f"/api/v1/me/sessions/{bobs}/").status_code == 404
        assert bob_client.get("/api/v1/me/").status_code == 200


class TestErasure:
    def test_wrong_password_changes_nothing(self, as_alice, alice, couple):
        response = as_alice.delete("/api/v1/me/", {"password": "not-it-at-all"}, format="json")
        assert response.status_code == 400 and "password" in response.json()
        assert User.objects.filter(pk=alice.pk).exists()
        assert as_alice.get("/api/v1/couple/").status_code == 200

    @pytest.mark.parametrize("body", [{}, {"password": 5}, {"password": "x" * 500}])
    def test_bad_input(self, as_alice, alice, body):
        assert as_alice.delete("/api/v1/me/", body, format="json").status_code == 400
        assert User.objects.filter(pk=alice.pk).exists()

    def test_erasure_closes_the_couple_and_leaves_the_partner_what_they_wrote(
        self, as_alice, as_bob, alice, bob, couple, history
    ):
        alice_id = alice.pk
        response = as_alice.delete("/api/v1/me/", {"password": PASSWORD, "erase_now": True}, format="json")
        assert response.status_code == 204

        assert not User.objects.filter(pk=alice_id).exists()
        assert not AuthToken.objects.filter(user_id=alice_id).exists()
        assert not Entry.objects.filter(author_id=alice_id).exists()
        assert as_alice.get("/api/v1/me/").status_code == 401
        # Bob: uncoupled, and everything he wrote is still his.
        assert as_bob.get("/api/v1/couple/").status_code == 404
        assert not Membership.objects.filter(user=bob, left_at__isnull=True).exists()
        assert Answer.objects.filter(author=bob).count() == 2
        assert Entry.objects.filter(author=bob).count() == 1
        assert Note.objects.filter(author=bob, text="BOB-NOTE-TO-ALICE").exists()
        assert SecurityEvent.objects.filter(kind="account_deleted", user_id=alice_id).exists()

    def test_the_journal_key_is_destroyed(self, alice, bob, history):
        from accounts import services
        from journal import crypto

        alice_id = alice.pk
        assert crypto.key_exists(alice_id)
        services.account_delete(user=alice, password=PASSWORD)
        assert not crypto.key_exists(alice_id)
        assert crypto.key_exists(bob.pk)


class TestSecurityEvents:
    def test_login_failure_logout_pairing_and_leaving_are_recorded(self, api, alice, bob):
        api.post("/api/v1/auth/login/", {"email": "alice@example.com", "password": "wrong-wrong-wrong"}, format="json")
        token = api.post(
            "/api/v1/auth/login/", {"email": "alice@example.com", "password": PASSWORD}, format="json"
        ).json()["token"]
        as_alice = client_for(alice)
        as_bob = client_for(bob)
        code = as_alice.post("/api/v1/couple/invites/").json()["code"]
        as_bob.post("/api/v1/couple/join/", {"code": code}, format="json")
        as_bob.post("/api/v1/couple/leave/", {"password": PASSWORD}, format="json")
        api.post("/api/v1/auth/logout/", HTTP_AUTHORIZATION=f"Bearer {token}")

        kinds = list(SecurityEvent.objects.order_by("id").values_list("kind", "user_id"))
        assert kinds == [
            ("login_failed", None),
            ("login", alice.pk),
            ("paired", alice.pk),
            ("paired", bob.pk),
            ("left_couple", bob.pk),
            ("logout", alice.pk),
        ]

    def test_events_are_append_only(self, alice):
        event = SecurityEvent.objects.create(kind="login", user_id=alice.pk)
        event.kind = "logout"
        with pytest.raises(ValueError):
            event.save()
        with pytest.raises(ValueError):
            event.delete()
