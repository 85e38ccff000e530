"""The journal API: the author's own entries, validation, who may see what
(nobody but the author), sharing one entry with the partner and taking it
back, and pinned query counts."""

import base64
import datetime as dt

import pytest
import time_machine

from couples import services as couple_services
from journal import services
from journal.models import Entry, Share

from .conftest import client_for
from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 4, 18, 30, tzinfo=dt.UTC)  # a Wednesday
TEST_KEK = base64.urlsafe_b64encode(b"k" * 32).decode()

TRIGGER = {
    "kind": "trigger",
    "text": "No reply since lunch",
    "trigger_category": "no_reply",
    "intensity_before": 8,
    "story": "He is tired of me",
    "need": "To know we are okay",
    "can_do": "Make tea and wait until eight",
}
ENTRY = {"kind": "entry", "text": "A calm day. We laughed at dinner.", "mood": 4, "tags": ["dinner", "us"]}


@pytest.fixture(autouse=True)
def _keystore(settings, tmp_path):
    settings.STEADY_KEYSTORE_DIR = str(tmp_path / "keys")
    settings.STEADY_KEK = TEST_KEK
    settings.STEADY_KEK_DEV_FALLBACK = False


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def post(client, body):
    return client.post("/api/v1/journal/", body, format="json")


@pytest.fixture
def alice_trigger(alice):
    return services.entry_create(author=alice, **TRIGGER)


@pytest.fixture
def alice_entry(alice):
    return services.entry_create(author=alice, **ENTRY)


class TestWriting:
    def test_a_journal_entry_comes_back_as_written(self, as_alice, alice):
        response = post(as_alice, ENTRY)

        assert response.status_code == 201
        body = response.json()
        assert body == {
            "id": body["id"],
            "kind": "entry",
            "created_at": "2026-03-04T18:30:00Z",
            "updated_at": "2026-03-04T18:30:00Z",
            "readable": True,
            "text": "A calm day. We laughed at dinner.",
            "mood": 4,
            "tags": ["dinner", "us"],
            "trigger_category": None,
            "trigger_category_label": None,
            "intensity_before": None,
            "intensity_after": None,
            "grounded_at": None,
            "story": None,
            "need": None,
            "can_do": None,
            "shared": False,
            "shared_at": None,
        }
        assert Entry.objects.get().author == alice

    def test_a_trigger_log_with_its_guided_fields(self, as_alice):
        body = post(as_alice, TRIGGER).json()

        assert body["kind"] == "trigger"
        assert body["trigger_category"] == "no_reply"
        assert body["trigger_category_label"] == "No reply from my partner"
        assert body["intensity_before"] == 8
        assert body["intensity_after"] is None
        assert (body["story"], body["need"], body["can_do"]) == (TRIGGER["story"], TRIGGER["need"], TRIGGER["can_do"])

    def test_the_list_labels_categories_in_each_readers_language(self, as_alice, alice_trigger):
        # Labels are made once per language and process: one reader's
        # language never leaks into the next reader's page.
        labels = []
        for language in ("es", "en", "de", "es"):
            body = as_alice.get("/api/v1/journal/", HTTP_ACCEPT_LANGUAGE=language).json()
            labels.append(body["results"][0]["trigger_category_label"])
        assert labels == [
            "Mi pareja no responde",
            "No reply from my partner",
            "Keine Antwort von meinem Partner",
            "Mi pareja no responde",
        ]

    def test_grounding_records_the_drop_and_when(self, as_alice, alice_trigger, _frozen):
        _frozen.shift(dt.timedelta(minutes=3))
        response = as_alice.patch(f"/api/v1/journal/{alice_trigger.pk}/", {"intensity_after": 5}, format="json")

        assert response.status_code == 200
        body = response.json()
        assert (body["intensity_before"], body["intensity_after"]) == (8, 5)
        assert body["grounded_at"] == "2026-03-04T18:33:00Z"
        assert body["text"] == TRIGGER["text"]  # untouched

    def test_patch_changes_only_what_is_sent(self, as_alice, alice_entry):
        response = as_alice.patch(
            f"/api/v1/journal/{alice_entry.pk}/", {"text": "A calm day, mostly.", "mood": None}, format="json"
        )

        body = response.json()
        assert response.status_code == 200
        assert (body["text"], body["mood"], body["tags"]) == ("A calm day, mostly.", None, ["dinner", "us"])

    def test_tags_are_trimmed_and_deduplicated(self, as_alice):
        body = post(as_alice, {**ENTRY, "tags": [" work ", "Work", "sleep  well", ""]}).json()
        assert body["tags"] == ["work", "sleep well"]

    def test_delete_is_for_good(self, as_alice, alice_entry):
        assert as_alice.delete(f"/api/v1/journal/{alice_entry.pk}/").status_code == 204
        assert not Entry.objects.exists()
        assert as_alice.get(f"/api/v1/journal/{alice_entry.pk}/").status_code == 404

    def test_a_partner_without_a_couple_can_keep_a_journal(self, mallory):
        assert post(client_for(mallory), ENTRY).status_code == 201


class TestBadInput:
    @pytest.mark.parametrize(
        ("body", "fields"),
        [
            ({}, {"kind", "text"}),
            ({"kind": "diary", "text": "x"}, {"kind"}),
            ({"kind": "entry", "text": "   "}, {"text"}),
            ({"kind": "entry", "text": "x" * 10_001}, {"text"}),
            ({"kind": "entry", "text": 12}, {"text"}),
            ({"kind": "entry", "text": "x", "mood": 6}, {"mood"}),
            ({"kind": "entry", "text": "x", "mood": 0}, {"mood"}),
            ({"kind": "entry", "text": "x", "mood": "good"}, {"mood"}),
            ({"kind": "entry", "text": "x", "mood": True}, {"mood"}),
            ({"kind": "entry", "text": "x", "tags": "a,b"}, {"tags"}),
            ({"kind": "entry", "text": "x", "tags": [f"t{i}" for i in range(11)]}, {"tags"}),
            ({"kind": "entry", "text": "x", "tags": ["x" * 31]}, {"tags"}),
            ({"kind": "entry", "text": "x", "tags": [{"a": 1}]}, {"tags"}),
            ({"kind": "entry", "text": "x", "trigger_category": "no_reply"}, {"trigger_category"}),
            ({"kind": "entry", "text": "x", "intensity_before": 3}, {"intensity_before"}),
            ({"kind": "entry", "text": "x", "story": "a story"}, {"story"}),
            ({**TRIGGER, "trigger_category": "jealousy"}, {"trigger_category"}),
            ({**TRIGGER, "trigger_category": None}, {"trigger_category"}),
            ({k: v for k, v in TRIGGER.items() if k != "trigger_category"}, {"trigger_category"}),
            ({k: v for k, v in TRIGGER.items() if k != "intensity_before"}, {"intensity_before"}),
            ({**TRIGGER, "intensity_before": 11}, {"intensity_before"}),
            ({**TRIGGER, "intensity_before": -1}, {"intensity_before"}),
            ({**TRIGGER, "intensity_before": 7.5}, {"intensity_before"}),
            ({**TRIGGER, "intensity_after": 42}, {"intensity_after"}),
            ({**TRIGGER, "story": "s" * 2001}, {"story"}),
            ({**TRIGGER, "need": ["a"]}, {"need"}),
            ({**TRIGGER, "text": "nul \x00 byte"}, {"text"}),
            (
                {**TRIGGER, "text": "", "trigger_category": "x", "intensity_before": 99},
                {"text", "trigger_category", "intensity_before"},
            ),
        ],
    )
    def test_is_a_400_with_field_errors_and_nothing_saved(self, as_alice, body, fields):
        response = post(as_alice, body)

        assert response.status_code == 400
        errors = response.json()
        assert set(errors) == fields
        assert all(isinstance(m, list) and m and all(isinstance(s, str) for s in m) for m in errors.values())
        assert not Entry.objects.exists()

    def test_malformed_json_is_a_400(self, as_alice):
        response = as_alice.generic("POST", "/api/v1/journal/", "{not json", content_type="application/json")
        assert response.status_code == 400
        assert "detail" in response.json()

    def test_a_list_body_is_a_400(self, as_alice):
        response = as_alice.post("/api/v1/journal/", [ENTRY], format="json")
        assert response.status_code == 400

    @pytest.mark.parametrize(
        ("changes", "fields"),
        [
            ({"kind": "entry"}, {"kind"}),
            ({"intensity_after": 11}, {"intensity_after"}),
            ({"intensity_before": None}, {"intensity_before"}),
            ({"trigger_category": "nope"}, {"trigger_category"}),
            ({"trigger_category": ""}, {"trigger_category"}),
            ({"text": ""}, {"text"}),
            ({"text": None}, {"text"}),
            ({"text": "fine", "intensity_after": -2}, {"intensity_after"}),
        ],
    )
    def test_a_bad_patch_changes_nothing(self, as_alice, alice_trigger, changes, fields):
        before = as_alice.get(f"/api/v1/journal/{alice_trigger.pk}/").json()

        response = as_alice.patch(f"/api/v1/journal/{alice_trigger.pk}/", changes, format="json")

        assert response.status_code == 400
        assert set(response.json()) == fields
        assert as_alice.get(f"/api/v1/journal/{alice_trigger.pk}/").json() == before

    def test_an_empty_patch_is_a_400(self, as_alice, alice_entry):
        response = as_alice.patch(f"/api/v1/journal/{alice_entry.pk}/", {}, format="json")
        assert response.status_code == 400
        assert response.json() == {"detail": "Nothing to change."}

    def test_trigger_fields_cannot_be_added_to_a_journal_entry(self, as_alice, alice_entry):
        response = as_alice.patch(f"/api/v1/journal/{alice_entry.pk}/", {"intensity_after": 3}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"intensity_after"}

    def test_an_unknown_kind_filter_is_a_400(self, as_alice):
        response = as_alice.get("/api/v1/journal/?kind=diary")
        assert response.status_code == 400
        assert set(response.json()) == {"kind"}

    @pytest.mark.parametrize("weeks", ["0", "53", "x", "-1", "1000000000000"])
    def test_bad_pattern_weeks_are_a_400(self, as_alice, weeks):
        response = as_alice.get(f"/api/v1/journal/patterns/?weeks={weeks}")
        assert response.status_code == 400
        assert set(response.json()) == {"weeks"}


class TestPrivacy:
    ENDPOINTS = [
        ("get", "/api/v1/journal/{id}/"),
        ("patch", "/api/v1/journal/{id}/"),
        ("delete", "/api/v1/journal/{id}/"),
        ("post", "/api/v1/journal/{id}/share/"),
        ("delete", "/api/v1/journal/{id}/share/"),
    ]

    @pytest.mark.parametrize(("method", "path"), ENDPOINTS)
    @pytest.mark.parametrize("who", ["bob", "mallory", "theo"])
    def test_nobody_but_the_author_finds_an_entry(
        self, request, couple, mallory_couple, alice_trigger, method, path, who
    ):
        client = client_for(request.getfixturevalue(who))
        url = path.format(id=alice_trigger.pk)

        response = getattr(client, method)(url, {"intensity_after": 0, "text": "hijacked"}, format="json")

        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
        # ...and exactly like an entry that does not exist.
        missing = getattr(client, method)(path.format(id=alice_trigger.pk + 1000), {}, format="json")
        assert (missing.status_code, missing.json()) == (404, response.json())
        entry = Entry.objects.get()
        assert (entry.intensity_after, Share.objects.count()) == (None, 0)

    @pytest.mark.parametrize(("method", "path"), ENDPOINTS)
    def test_the_partner_still_gets_404_on_an_entry_shared_with_them(
        self, couple, as_bob, alice, alice_entry, method, path
    ):
        services.entry_share(entry=alice_entry, author=alice)

        response = getattr(as_bob, method)(path.format(id=alice_entry.pk), {}, format="json")

        assert response.status_code == 404
        assert Share.objects.filter(entry=alice_entry).exists()
        assert Entry.objects.filter(pk=alice_entry.pk).exists()

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            *ENDPOINTS,
            ("get", "/api/v1/journal/"),
            ("post", "/api/v1/journal/"),
            ("get", "/api/v1/journal/shared/"),
            ("get", "/api/v1/journal/patterns/"),
        ],
    )
    def test_anonymous_is_a_401(self, api, alice_entry, method, path):
        assert getattr(api, method)(path.format(id=alice_entry.pk), {}, format="json").status_code == 401

    def test_lists_hold_only_the_callers_own_entries(self, couple, as_alice, as_bob, alice_entry, alice_trigger, bob):
        services.entry_create(author=bob, kind="entry", text="Bob's own page")

        mine = as_alice.get("/api/v1/journal/").json()
        his = as_bob.get("/api/v1/journal/").json()

        assert [e["id"] for e in mine["results"]] == [alice_trigger.pk, alice_entry.pk]
        assert his["count"] == 1
        assert [e["text"] for e in his["results"]] == ["Bob's own page"]

    def test_the_partner_sees_nothing_about_the_journal_anywhere(self, couple, as_bob, alice_entry, alice_trigger):
        # Not in his list, not shared with him, no patterns of hers.
        assert as_bob.get("/api/v1/journal/").json()["count"] == 0
        assert as_bob.get("/api/v1/journal/shared/").json()["count"] == 0
        assert as_bob.get("/api/v1/journal/patterns/").json()["total"] == 0
        everything = b"".join(
            as_bob.get(p).content
            for p in ["/api/v1/journal/", "/api/v1/journal/shared/", "/api/v1/journal/patterns/", "/api/v1/couple/"]
        )
        assert b"No reply since lunch" not in everything
        assert b"no_reply" not in everything.replace(b'"no_reply":0', b"")

    def test_a_therapist_has_no_journal(self, as_theo):
        assert as_theo.get("/api/v1/journal/").status_code == 403
        assert post(as_theo, ENTRY).status_code == 403
        assert as_theo.get("/api/v1/journal/shared/").status_code == 403
        assert as_theo.get("/api/v1/journal/patterns/").status_code == 403
        assert not Entry.objects.exists()


class TestSharing:
    def test_share_one_entry_the_partner_reads_only_that_one(
        self, couple, as_alice, as_bob, alice_entry, alice_trigger
    ):
        response = as_alice.post(f"/api/v1/journal/{alice_entry.pk}/share/")

        assert response.status_code == 200
        assert response.json()["shared"] is True
        assert response.json()["shared_at"] == "2026-03-04T18:30:00Z"
        shared = as_bob.get("/api/v1/journal/shared/").json()
        assert shared["count"] == 1
        item = shared["results"][0]
        assert item["id"] == alice_entry.pk
        assert item["text"] == ENTRY["text"]
        assert item["author"] == {"id": alice_entry.author_id, "display_name": "Alice"}
        assert item["shared_at"] == "2026-03-04T18:30:00Z"
        assert b"No reply since lunch" not in as_bob.get("/api/v1/journal/shared/").content
        # Still not in his own list.
        assert as_bob.get("/api/v1/journal/").json()["count"] == 0

    def test_sharing_twice_is_one_share(self, couple, as_alice, alice_entry):
        as_alice.post(f"/api/v1/journal/{alice_entry.pk}/share/")
        again = as_alice.post(f"/api/v1/journal/{alice_entry.pk}/share/")

        assert again.status_code == 200
        assert Share.objects.count() == 1

    def test_unsharing_ends_access_at_once(self, couple, as_alice, as_bob, alice_entry):
        as_alice.post(f"/api/v1/journal/{alice_entry.pk}/share/")
        assert as_bob.get("/api/v1/journal/shared/").json()["count"] == 1

        response = as_alice.delete(f"/api/v1/journal/{alice_entry.pk}/share/")

        assert response.status_code == 204
        assert as_bob.get("/api/v1/journal/shared/").json()["count"] == 0
        assert as_alice.get(f"/api/v1/journal/{alice_entry.pk}/").json()["shared"] is False
        # Un-sharing what is not shared is harmless.
        assert as_alice.delete(f"/api/v1/journal/{alice_entry.pk}/share/").status_code == 204

    def test_a_shared_entry_shows_the_authors_later_changes(self, couple, as_alice, as_bob, alice_entry):
        as_alice.post(f"/api/v1/journal/{alice_entry.pk}/share/")
        as_alice.patch(f"/api/v1/journal/{alice_entry.pk}/", {"text": "Changed my mind"}, format="json")

        assert as_bob.get("/api/v1/journal/shared/").json()["results"][0]["text"] == "Changed my mind"

    def test_deleting_a_shared_entry_removes_it_for_the_partner(self, couple, as_alice, as_bob, alice_entry):
        as_alice.post(f"/api/v1/journal/{alice_entry.pk}/share/")
        as_alice.delete(f"/api/v1/journal/{alice_entry.pk}/")

        assert as_bob.get("/api/v1/journal/shared/").json()["count"] == 0

    def test_no_partner_no_share(self, mallory):
        client = client_for(mallory)
        entry_id = post(client, ENTRY).json()["id"]

        response = client.post(f"/api/v1/journal/{entry_id}/share/")

        assert response.status_code == 409
        assert not Share.objects.exists()

    def test_leaving_the_couple_ends_every_share_at_once(
        self, couple, alice, bob, as_alice, as_bob, alice_entry, django_capture_on_commit_callbacks
    ):
        services.entry_share(entry=alice_entry, author=alice)

        with django_capture_on_commit_callbacks(execute=True):
            couple_services.couple_leave(user=alice, password=PASSWORD)

        assert as_bob.get("/api/v1/journal/shared/").json()["count"] == 0
        assert as_alice.get(f"/api/v1/journal/{alice_entry.pk}/").json()["shared"] is False
        assert not Share.objects.exists()  # the close hook tidied up

    def test_a_share_from_a_closed_couple_is_hidden_even_without_the_hook(
        self, couple, alice, as_alice, as_bob, alice_entry
    ):
        services.entry_share(entry=alice_entry, author=alice)
        couple.ended_at = NOW
        couple.save(update_fields=["ended_at"])  # closed, and the tidy-up hook never ran

        assert as_bob.get("/api/v1/journal/shared/").json()["count"] == 0
        assert as_alice.get(f"/api/v1/journal/{alice_entry.pk}/").json()["shared"] is False

    def test_a_new_partner_never_sees_what_was_shared_with_the_last_one(self, couple, alice, bob, alice_entry):
        services.entry_share(entry=alice_entry, author=alice)
        couple_services.couple_leave(user=alice, password=PASSWORD)
        carol = UserFactory(display_name="Carol")
        from .factories import make_couple

        make_couple(alice, carol)

        assert client_for(carol).get("/api/v1/journal/shared/").json()["count"] == 0
        assert client_for(bob).get("/api/v1/journal/shared/").json()["count"] == 0

    def test_the_partner_is_not_notified(self, couple, as_alice, alice_entry, bob):
        from django.core import mail

        as_alice.post(f"/api/v1/journal/{alice_entry.pk}/share/")

        assert mail.outbox == []
        notifications = client_for(bob).get("/api/v1/notifications/")
        if notifications.status_code == 200:
            assert notifications.json()["count"] == 0


class TestQueries:
    def test_the_list_costs_the_same_for_3_or_30_entries(self, as_alice, alice, django_assert_num_queries):
        def count_for(n):
            Entry.objects.all().delete()
            for i in range(n):
                services.entry_create(author=alice, **({**TRIGGER, "text": f"t{i}"} if i % 2 else ENTRY))
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as ctx:
                assert as_alice.get("/api/v1/journal/").status_code == 200
            return len(ctx.captured_queries)

        assert count_for(3) == count_for(30)
        # The token (with its user) and the page (the count comes with it;
        # shares joined in, and the author's wrapped key from the database
        # key store, a query of its own from issue #24 until issue #16).
        with django_assert_num_queries(2):
            as_alice.get("/api/v1/journal/")

    def test_the_shared_list_costs_the_same_for_1_or_20_shares(self, couple, alice, as_bob, django_assert_num_queries):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = []
        for n in (1, 20):
            Entry.objects.all().delete()
            for i in range(n):
                services.entry_share(
                    entry=services.entry_create(author=alice, kind="entry", text=f"e{i}"), author=alice
                )
            with CaptureQueriesContext(connection) as ctx:
                assert as_bob.get("/api/v1/journal/shared/").json()["count"] == n
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1]
        # The token and the page (the author's wrapped key rides along).
        with django_assert_num_queries(2):
            as_bob.get("/api/v1/journal/shared/")

    def test_patterns_cost_one_query_after_the_token(self, as_alice, alice, django_assert_num_queries):
        for i in range(12):
            services.entry_create(author=alice, **{**TRIGGER, "intensity_after": i % 5})
        with django_assert_num_queries(2):
            assert as_alice.get("/api/v1/journal/patterns/").json()["total"] == 12


class TestExportAndDemo:
    def test_export_holds_only_my_own_entries_readable(self, couple, alice, bob, alice_trigger):
        theirs = services.entry_create(author=bob, kind="entry", text="BOB-OWN")
        services.entry_share(entry=theirs, author=bob)

        from journal.selectors import journal_export

        rows = journal_export(user=alice)

        assert [r["id"] for r in rows] == [alice_trigger.pk]
        assert rows[0]["text"] == TRIGGER["text"]
        assert rows[0]["story"] == TRIGGER["story"]
        assert "BOB-OWN" not in str(rows)

    def test_the_demo_is_idempotent_and_shares_one_entry(self, couple, alice, bob):
        from journal.demo import demo_seed

        demo_seed(couple=couple, alice=alice, bob=bob)
        count = Entry.objects.count()
        demo_seed(couple=couple, alice=alice, bob=bob)

        assert count > 5
        assert Entry.objects.count() == count
        assert not Entry.objects.filter(author=bob).exists()
        assert Share.objects.count() == 1
        assert client_for(bob).get("/api/v1/journal/shared/").json()["count"] == 1
        assert client_for(alice).get("/api/v1/journal/patterns/").json()["total"] == 7
