"""Notes of appreciation through the API and the services: delivery time,
the recipient-only acknowledgement, no text in notifications, who may see
what, bad input, the weekly counts and the opt-in nudge."""

import datetime as dt
import json

import pytest
import time_machine
from django.core import mail

from gratitude import selectors, services
from gratitude.models import Note
from reminders.dispatch import dispatch_tick
from reminders.models import Delivery, Notification, Preference, Reminder

from .conftest import client_for
from .factories import PASSWORD, UserFactory, make_couple

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # a Wednesday: 13:00 in Berlin, 07:00 in New York
SECRET = "You stayed up to fix my bike, SECRET-NOTE-TEXT"


def iso(t: dt.datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _no_quiet_hours(alice, bob):
    # Quiet hours are the reminders engine's business (tested there); here a
    # tick at a given instant should decide at that instant.
    for u in (alice, bob):
        u.quiet_hours_start = u.quiet_hours_end = None
        u.save()


def send(client, text=SECRET, **extra):
    return client.post("/api/v1/gratitude/", {"text": text, **extra}, format="json")


def received(client):
    return client.get("/api/v1/gratitude/?box=received").json()


@pytest.fixture
def later_note(couple, alice):
    """A note from alice to bob, to be delivered in two hours."""
    return services.note_send(couple=couple, author=alice, text=SECRET, deliver_at=NOW + dt.timedelta(hours=2))


@pytest.fixture
def delivered_note(couple, alice):
    return services.note_send(couple=couple, author=alice, text=SECRET)


class TestSending:
    def test_a_note_now_is_delivered_at_once(self, as_alice, as_bob, alice, bob, couple):
        response = send(as_alice)

        assert response.status_code == 201
        body = response.json()
        assert body["text"] == SECRET
        assert body["author"] == alice.pk and body["recipient"] == bob.pk and body["from_me"] is True
        assert body["deliver_at"] == body["delivered_at"] == body["created_at"] == iso(NOW)
        assert body["acknowledged_at"] is None and body["reaction"] == ""
        inbox = received(as_bob)
        assert [n["id"] for n in inbox["results"]] == [body["id"]]
        assert inbox["results"][0]["from_me"] is False and inbox["results"][0]["author_name"] == "Alice"
        # The author's received box is hers alone: her own note is not in it.
        assert received(as_alice)["count"] == 0
        assert as_alice.get("/api/v1/gratitude/?box=sent").json()["count"] == 1

    def test_the_list_defaults_to_received(self, as_bob, delivered_note):
        assert [n["id"] for n in as_bob.get("/api/v1/gratitude/").json()["results"]] == [delivered_note.pk]

    def test_a_note_for_later_is_invisible_to_the_recipient_until_then(self, as_alice, as_bob, couple, _frozen):
        deliver_at = NOW + dt.timedelta(hours=2)
        body = send(as_alice, deliver_at=deliver_at.isoformat()).json()
        note_id = body["id"]
        assert body["deliver_at"] == iso(deliver_at) and body["delivered_at"] is None

        # Nothing for bob: not in the list, not by id, not at random, not counted.
        assert received(as_bob)["count"] == 0
        assert as_bob.get(f"/api/v1/gratitude/{note_id}/").status_code == 404
        assert as_bob.post(f"/api/v1/gratitude/{note_id}/acknowledge/", {}, format="json").status_code == 404
        assert as_bob.get("/api/v1/gratitude/random/").status_code == 204
        assert sum(w["notes"] for w in as_bob.get("/api/v1/gratitude/insights/").json()["weeks"]) == 0
        # The author sees it waiting.
        sent = as_alice.get("/api/v1/gratitude/?box=sent").json()["results"]
        assert [(n["id"], n["delivered_at"]) for n in sent] == [(note_id, None)]

        _frozen.move_to(deliver_at - dt.timedelta(seconds=1))
        assert received(as_bob)["count"] == 0
        _frozen.move_to(deliver_at)
        inbox = received(as_bob)["results"]
        assert [(n["id"], n["delivered_at"]) for n in inbox] == [(note_id, iso(deliver_at))]
        assert as_bob.get(f"/api/v1/gratitude/{note_id}/").status_code == 200

    def test_a_time_a_moment_ago_means_now(self, as_alice, couple):
        body = send(as_alice, deliver_at=(NOW - dt.timedelta(minutes=2)).isoformat()).json()
        assert body["deliver_at"] == body["delivered_at"] == iso(NOW)

    def test_exactly_1000_characters_fit_and_line_breaks_count_once(self, as_alice, couple):
        assert send(as_alice, text="x" * 1000).status_code == 201
        text = ("a\r\n" * 500)[:-2]  # 999 characters as people see them, 1498 bytes of CRLF
        response = send(as_alice, text=text)
        assert response.status_code == 201
        assert response.json()["text"] == text.replace("\r\n", "\n")

    def test_text_is_kept_as_written(self, as_alice, couple):
        text = "Thank you <b>for</b> everything & more 💛"
        assert send(as_alice, text=f"  {text}\n").json()["text"] == text


class TestBadInput:
    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "text"),
            ({"text": ""}, "text"),
            ({"text": "   \n  "}, "text"),
            ({"text": "x" * 1001}, "text"),
            ({"text": "x" * 5000}, "text"),
            ({"text": 42}, "text"),
            ({"text": ["a list"]}, "text"),
            ({"text": None}, "text"),
            ({"text": "Hi", "deliver_at": "tomorrow"}, "deliver_at"),
            ({"text": "Hi", "deliver_at": 1772625600}, "deliver_at"),
            ({"text": "Hi", "deliver_at": "2026-03-04T20:00:00"}, "deliver_at"),
            ({"text": "Hi", "deliver_at": iso(NOW - dt.timedelta(minutes=6))}, "deliver_at"),
            ({"text": "Hi", "deliver_at": iso(NOW - dt.timedelta(days=2))}, "deliver_at"),
            ({"text": "Hi", "deliver_at": iso(NOW + dt.timedelta(days=30, minutes=1))}, "deliver_at"),
            ({"text": "Hi", "deliver_at": "99999-01-01T00:00:00Z"}, "deliver_at"),
        ],
    )
    def test_field_errors_and_nothing_saved(self, as_alice, couple, body, field):
        response = as_alice.post("/api/v1/gratitude/", body, format="json")

        assert response.status_code == 400
        errors = response.json()
        assert list(errors) == [field]
        assert isinstance(errors[field], list) and all(isinstance(m, str) and m for m in errors[field])
        assert not Note.objects.exists()
        assert not Reminder.objects.exists()

    def test_the_length_message_says_how_long(self, as_alice, couple):
        response = send(as_alice, text="x" * 1200)
        assert response.json() == {"text": ["Keep it to 1,000 characters; this one has 1,200."]}
        response = send(as_alice, text="x" * 50_000)
        assert response.json() == {"text": ["Keep it to 1,000 characters; this one has 50,000."]}

    def test_malformed_json(self, as_alice, couple):
        response = as_alice.generic("POST", "/api/v1/gratitude/", '{"text": "Hi",', content_type="application/json")
        assert response.status_code == 400
        assert "detail" in response.json()
        assert not Note.objects.exists()

    def test_a_json_list_body(self, as_alice, couple):
        response = as_alice.generic("POST", "/api/v1/gratitude/", json.dumps(["Hi"]), content_type="application/json")
        assert response.status_code == 400
        assert not Note.objects.exists()

    def test_unknown_box(self, as_alice, couple):
        response = as_alice.get("/api/v1/gratitude/?box=everyone")
        assert response.status_code == 400 and "box" in response.json()

    @pytest.mark.parametrize("reaction", ["kiss", "", 1, ["heart"], "HEART"])
    def test_unknown_reaction(self, as_bob, delivered_note, reaction):
        response = as_bob.post(
            f"/api/v1/gratitude/{delivered_note.pk}/acknowledge/", {"reaction": reaction}, format="json"
        )
        assert response.status_code == 400 and list(response.json()) == ["reaction"]
        delivered_note.refresh_from_db()
        assert delivered_note.acknowledged_at is None and delivered_note.reaction == ""

    def test_bad_input_never_loses_a_saved_note(self, as_bob, delivered_note):
        as_bob.post(f"/api/v1/gratitude/{delivered_note.pk}/acknowledge/", {"reaction": "hug"}, format="json")
        response = as_bob.post(
            f"/api/v1/gratitude/{delivered_note.pk}/acknowledge/", {"reaction": "kiss"}, format="json"
        )
        assert response.status_code == 400
        delivered_note.refresh_from_db()
        assert delivered_note.reaction == "hug" and delivered_note.text == SECRET

    @pytest.mark.parametrize("query", ["weeks=0", "weeks=53", "weeks=x", "weeks=-1"])
    def test_bad_insights_range(self, as_alice, couple, query):
        response = as_alice.get(f"/api/v1/gratitude/insights/?{query}")
        assert response.status_code == 400 and "weeks" in response.json()

    def test_bad_random_exclude(self, as_bob, delivered_note):
        response = as_bob.get("/api/v1/gratitude/random/?exclude=abc")
        assert response.status_code == 400 and "exclude" in response.json()


class TestDeliveryNotification:
    def test_the_recipient_is_told_at_deliver_at_without_the_text(self, couple, alice, bob, later_note, _frozen):
        _frozen.move_to(later_note.deliver_at - dt.timedelta(minutes=1))
        dispatch_tick()
        assert not Notification.objects.exists()

        _frozen.move_to(later_note.deliver_at)
        dispatch_tick()

        assert list(Notification.objects.values_list("user_id", "kind", "title", "url")) == [
            (bob.pk, "gratitude_delivered", "A new note for you", f"/gratitude/{later_note.pk}/")
        ]
        # No text anywhere it could reach a lock screen or an inbox.
        for title, url in Notification.objects.values_list("title", "url"):
            assert "SECRET" not in title and "bike" not in title and "SECRET" not in url
        assert not Notification.objects.filter(user=alice).exists()

    def test_email_and_push_carry_no_text(self, couple, alice, bob, later_note, _frozen, settings, monkeypatch):
        from reminders import delivery as sending
        from reminders.models import PushSubscription

        settings.STEADY_VAPID_PRIVATE_KEY = "test-key"
        Preference.objects.create(user=bob, email=True, push=True)
        PushSubscription.objects.create(user=bob, endpoint="https://push.example/abc", p256dh="p", auth="a")
        pushes = []
        monkeypatch.setattr("pywebpush.webpush", lambda **kwargs: pushes.append(kwargs))
        _frozen.move_to(later_note.deliver_at)
        dispatch_tick()
        delivery = Delivery.objects.get(user=bob, outcome="sent")

        assert sending.send(delivery.pk, "email") == "sent"
        assert sending.send(delivery.pk, "push") == "sent"

        assert len(mail.outbox) == 1 and len(pushes) == 1
        message = mail.outbox[0]
        assert message.to == [bob.email] and message.subject == "A new note for you"
        everything = message.subject + message.body + json.dumps(pushes[0].get("data", ""))
        assert "SECRET" not in everything and "bike" not in everything
        assert f"/gratitude/{later_note.pk}/" in message.body

    def test_one_notification_however_many_ticks(self, couple, bob, later_note, _frozen):
        _frozen.move_to(later_note.deliver_at)
        dispatch_tick()
        _frozen.move_to(later_note.deliver_at + dt.timedelta(minutes=1))
        dispatch_tick()
        dispatch_tick()
        assert Notification.objects.filter(user=bob).count() == 1
        assert Delivery.objects.filter(user=bob, outcome="sent").count() == 1

    def test_a_note_now_is_announced_on_the_next_tick(self, as_alice, couple, bob):
        note_id = send(as_alice).json()["id"]
        dispatch_tick()
        assert list(Notification.objects.values_list("user_id", "url")) == [(bob.pk, f"/gratitude/{note_id}/")]

    def test_a_taken_back_note_is_never_announced(self, as_alice, couple, bob, later_note, _frozen):
        assert as_alice.delete(f"/api/v1/gratitude/{later_note.pk}/").status_code == 204
        _frozen.move_to(later_note.deliver_at + dt.timedelta(minutes=1))
        dispatch_tick()
        assert not Notification.objects.exists()
        assert not Reminder.objects.filter(status="pending").exists()

    def test_no_announcement_after_the_couple_closed(self, couple, alice, bob, later_note, _frozen):
        from couples.services import couple_leave

        couple_leave(user=bob, password=PASSWORD)
        _frozen.move_to(later_note.deliver_at)
        dispatch_tick()
        assert not Notification.objects.exists()


class TestDelete:
    def test_the_author_takes_back_an_undelivered_note(self, as_alice, later_note):
        assert as_alice.delete(f"/api/v1/gratitude/{later_note.pk}/").status_code == 204
        assert not Note.objects.exists()
        assert Reminder.objects.get(kind="gratitude_delivered").status == "cancelled"

    def test_a_delivered_note_stays(self, as_alice, as_bob, delivered_note):
        response = as_alice.delete(f"/api/v1/gratitude/{delivered_note.pk}/")
        assert response.status_code == 409 and "detail" in response.json()
        assert as_bob.delete(f"/api/v1/gratitude/{delivered_note.pk}/").status_code == 409
        assert Note.objects.filter(pk=delivered_note.pk, text=SECRET).exists()

    def test_too_late_once_the_time_has_come(self, as_alice, later_note, _frozen):
        _frozen.move_to(later_note.deliver_at)
        assert as_alice.delete(f"/api/v1/gratitude/{later_note.pk}/").status_code == 409
        assert Note.objects.filter(pk=later_note.pk).exists()

    def test_the_recipient_cannot_see_a_waiting_note_to_delete_it(self, as_bob, later_note):
        assert as_bob.delete(f"/api/v1/gratitude/{later_note.pk}/").status_code == 404
        assert Note.objects.filter(pk=later_note.pk).exists()

    def test_service_refuses_the_recipient(self, bob, later_note):
        from backend.errors import Forbidden

        with pytest.raises(Forbidden):
            services.note_delete(note=later_note, user=bob)


class TestAcknowledge:
    def test_the_recipient_acknowledges_with_a_reaction(self, as_bob, delivered_note, _frozen):
        _frozen.move_to(NOW + dt.timedelta(hours=1))
        response = as_bob.post(
            f"/api/v1/gratitude/{delivered_note.pk}/acknowledge/", {"reaction": "heart"}, format="json"
        )

        assert response.status_code == 200
        body = response.json()
        assert body["acknowledged_at"] == iso(NOW + dt.timedelta(hours=1)) and body["reaction"] == "heart"

    def test_without_a_reaction(self, as_bob, delivered_note):
        body = as_bob.post(f"/api/v1/gratitude/{delivered_note.pk}/acknowledge/", format="json").json()
        assert body["acknowledged_at"] == iso(NOW) and body["reaction"] == ""

    def test_again_changes_the_reaction_not_the_time(self, as_bob, delivered_note, _frozen):
        as_bob.post(f"/api/v1/gratitude/{delivered_note.pk}/acknowledge/", {"reaction": "smile"}, format="json")
        _frozen.move_to(NOW + dt.timedelta(days=1))
        body = as_bob.post(
            f"/api/v1/gratitude/{delivered_note.pk}/acknowledge/", {"reaction": "thanks"}, format="json"
        ).json()
        assert body["acknowledged_at"] == iso(NOW) and body["reaction"] == "thanks"

    def test_the_author_cannot_acknowledge_her_own_note(self, as_alice, delivered_note):
        response = as_alice.post(
            f"/api/v1/gratitude/{delivered_note.pk}/acknowledge/", {"reaction": "heart"}, format="json"
        )
        assert response.status_code == 403
        delivered_note.refresh_from_db()
        assert delivered_note.acknowledged_at is None and delivered_note.reaction == ""

    def test_the_author_sees_the_acknowledgement_and_nothing_else(self, as_alice, as_bob, delivered_note):
        before = as_alice.get(f"/api/v1/gratitude/{delivered_note.pk}/").json()
        # Bob opening, listing and re-reading leaves no trace for alice.
        as_bob.get(f"/api/v1/gratitude/{delivered_note.pk}/")
        received(as_bob)
        as_bob.get("/api/v1/gratitude/random/")
        assert as_alice.get(f"/api/v1/gratitude/{delivered_note.pk}/").json() == before
        assert not Notification.objects.exists()

        as_bob.post(f"/api/v1/gratitude/{delivered_note.pk}/acknowledge/", {"reaction": "hug"}, format="json")
        after = as_alice.get(f"/api/v1/gratitude/{delivered_note.pk}/").json()
        assert after["reaction"] == "hug" and after["acknowledged_at"] == iso(NOW)
        assert set(after) == set(before)
        assert not {"read_at", "seen_at", "opened_at", "viewed_at"} & set(after)


class TestWhoMaySee:
    """mallory (a stranger with her own couple) and theo (a therapist with no
    consent) get 404 on every note of alice and bob."""

    @pytest.fixture
    def targets(self, delivered_note, later_note):
        urls = []
        for note in (delivered_note, later_note):
            urls += [
                ("get", f"/api/v1/gratitude/{note.pk}/", None),
                ("delete", f"/api/v1/gratitude/{note.pk}/", None),
                ("post", f"/api/v1/gratitude/{note.pk}/acknowledge/", {"reaction": "heart"}),
            ]
        return urls

    @pytest.mark.parametrize("who", ["mallory", "theo"])
    def test_strangers_get_404(self, request, targets, mallory_couple, who):
        client = client_for(request.getfixturevalue(who))
        for method, url, body in targets:
            response = getattr(client, method)(url, body, format="json")
            assert response.status_code == 404, (who, method, url, response.status_code)
        assert Note.objects.count() == 2
        assert not Note.objects.filter(acknowledged_at__isnull=False).exists()

    def test_mallorys_lists_hold_nothing_of_theirs(self, as_mallory, mallory_couple, delivered_note):
        assert as_mallory.get("/api/v1/gratitude/?box=received").json()["count"] == 0
        assert as_mallory.get("/api/v1/gratitude/?box=sent").json()["count"] == 0
        assert as_mallory.get("/api/v1/gratitude/random/").status_code == 204
        weeks = as_mallory.get("/api/v1/gratitude/insights/").json()["weeks"]
        assert sum(w["notes"] for w in weeks) == 0

    def test_mallory_cannot_exclude_her_way_into_their_jar(self, as_mallory, mallory_couple, mallory, mike):
        services.note_send(couple=mallory_couple, author=mike, text="For Mallory")
        note = as_mallory.get(f"/api/v1/gratitude/random/?exclude={Note.objects.get().pk + 1}").json()
        assert note["text"] == "For Mallory"

    def test_theo_and_anonymous(self, api, as_theo, delivered_note):
        for url in (
            "/api/v1/gratitude/",
            "/api/v1/gratitude/random/",
            "/api/v1/gratitude/prompts/",
            "/api/v1/gratitude/insights/",
            "/api/v1/gratitude/nudge/",
            f"/api/v1/gratitude/{delivered_note.pk}/",
        ):
            assert as_theo.get(url).status_code == 404, url
            assert api.get(url).status_code == 401, url
        assert as_theo.post("/api/v1/gratitude/", {"text": "Hi"}, format="json").status_code == 404
        assert api.post("/api/v1/gratitude/", {"text": "Hi"}, format="json").status_code == 401
        assert api.post(f"/api/v1/gratitude/{delivered_note.pk}/acknowledge/", format="json").status_code == 401
        assert api.delete(f"/api/v1/gratitude/{delivered_note.pk}/").status_code == 401
        assert api.put("/api/v1/gratitude/nudge/", {"days": 3}, format="json").status_code == 401

    def test_after_leaving_neither_sees_the_closed_couples_notes(self, as_alice, as_bob, alice, delivered_note):
        from couples.services import couple_leave

        couple_leave(user=alice, password=PASSWORD)
        assert as_bob.get(f"/api/v1/gratitude/{delivered_note.pk}/").status_code == 404
        assert as_alice.get(f"/api/v1/gratitude/{delivered_note.pk}/").status_code == 404
        assert as_alice.post("/api/v1/gratitude/", {"text": "Hi"}, format="json").status_code == 404


class TestLists:
    def test_pagination_shape_and_query_count(self, as_bob, couple, alice, django_assert_max_num_queries, _frozen):
        _frozen.move_to(NOW - dt.timedelta(hours=3))
        for i in range(3):
            services.note_send(couple=couple, author=alice, text=f"Note {i}")
        _frozen.move_to(NOW)
        with django_assert_max_num_queries(4) as few:
            first = as_bob.get("/api/v1/gratitude/?box=received").json()
        assert set(first) == {"count", "next", "previous", "results"} and first["count"] == 3
        for i in range(60):
            _frozen.move_to(NOW - dt.timedelta(hours=2) + dt.timedelta(minutes=i))
            note = services.note_send(couple=couple, author=alice, text=f"More {i}")
            if i % 2:
                services.note_acknowledge(note=note, user=note.recipient, reaction="smile")
        _frozen.move_to(NOW)
        with django_assert_max_num_queries(len(few.captured_queries)):
            body = as_bob.get("/api/v1/gratitude/?box=received").json()
        assert body["count"] == 63 and len(body["results"]) == 50 and body["next"]
        assert body["results"][0]["text"] == "More 59"
        second = as_bob.get(body["next"]).json()
        assert len(second["results"]) == 13 and second["previous"]

    def test_sent_box_query_count(self, as_alice, couple, alice, django_assert_max_num_queries):
        for i in range(25):
            services.note_send(couple=couple, author=alice, text=f"Note {i}", deliver_at=NOW + dt.timedelta(days=1))
        with django_assert_max_num_queries(6):
            assert as_alice.get("/api/v1/gratitude/?box=sent").json()["count"] == 25

    def test_prompts(self, as_alice, couple):
        prompts = as_alice.get("/api/v1/gratitude/prompts/").json()["prompts"]
        assert "Something you did this week that I noticed…" in prompts
        assert 4 <= len(prompts) <= 12


class TestRandom:
    def test_an_old_one_at_random_from_the_received_jar_only(self, as_bob, as_alice, couple, alice, bob, _frozen):
        mine = {services.note_send(couple=couple, author=alice, text=f"For Bob {i}").pk for i in range(5)}
        services.note_send(couple=couple, author=bob, text="From Bob")
        services.note_send(couple=couple, author=alice, text="Later", deliver_at=NOW + dt.timedelta(days=1))

        seen = {as_bob.get("/api/v1/gratitude/random/").json()["id"] for _ in range(40)}
        assert seen <= mine and len(seen) > 1
        assert as_alice.get("/api/v1/gratitude/random/").json()["text"] == "From Bob"

    def test_exclude_gives_another_when_there_is_one(self, as_bob, couple, alice):
        a = services.note_send(couple=couple, author=alice, text="A")
        b = services.note_send(couple=couple, author=alice, text="B")
        for _ in range(10):
            assert as_bob.get(f"/api/v1/gratitude/random/?exclude={a.pk}").json()["id"] == b.pk
        a.delete()
        assert as_bob.get(f"/api/v1/gratitude/random/?exclude={b.pk}").json()["id"] == b.pk

    def test_the_query_count_does_not_grow_with_the_jar(self, as_bob, couple, alice, django_assert_max_num_queries):
        services.note_send(couple=couple, author=alice, text="One")
        with django_assert_max_num_queries(6) as few:
            as_bob.get("/api/v1/gratitude/random/")
        for i in range(80):
            services.note_send(couple=couple, author=alice, text=f"Note {i}")
        with django_assert_max_num_queries(len(few.captured_queries)) as many:
            as_bob.get("/api/v1/gratitude/random/")
        # Never a full load: a count and one row at an offset.
        assert not any("ORDER BY RANDOM" in q["sql"].upper() for q in many.captured_queries)
        assert any("LIMIT 1" in q["sql"].upper() for q in many.captured_queries)

    def test_an_empty_jar(self, as_bob, couple):
        assert as_bob.get("/api/v1/gratitude/random/").status_code == 204


class TestCountsByWeek:
    def test_counts_per_week_in_the_couples_timezone(self, couple, alice, bob, mallory_couple, mallory, _frozen):
        # The couple lives in Berlin (alice's timezone). Monday 2 March 00:30
        # in Berlin is Sunday 1 March 23:30 UTC: it counts for the week of 2 March.
        def note_at(when, author=alice, **kw):
            _frozen.move_to(when)
            return services.note_send(couple=couple, author=author, text="private words", **kw)

        note_at(dt.datetime(2026, 2, 22, 12, 0, tzinfo=UTC))  # Sun 22 Feb: week of 16 Feb
        note_at(dt.datetime(2026, 3, 1, 22, 59, tzinfo=UTC))  # Sun 23:59 Berlin: week of 23 Feb
        n = note_at(dt.datetime(2026, 3, 1, 23, 30, tzinfo=UTC))  # Mon 00:30 Berlin: week of 2 Mar
        note_at(dt.datetime(2026, 3, 3, 8, 0, tzinfo=UTC), author=bob)
        _frozen.move_to(NOW)
        services.note_acknowledge(note=n, user=bob, reaction="heart")
        # Not counted: waiting to be delivered; another couple's.
        services.note_send(couple=couple, author=alice, text="soon", deliver_at=NOW + dt.timedelta(hours=1))
        services.note_send(couple=mallory_couple, author=mallory, text="theirs")

        start = dt.datetime(2026, 2, 15, 23, 0, tzinfo=UTC)  # Monday 16 Feb, 00:00 in Berlin
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            weeks = selectors.gratitude_counts_by_week(couple=couple, start=start, end=NOW + dt.timedelta(days=10))
        assert len(queries.captured_queries) == 1

        assert weeks == [
            {"week_start": dt.date(2026, 2, 16), "notes": 1, "acknowledged": 0},
            {"week_start": dt.date(2026, 2, 23), "notes": 1, "acknowledged": 0},
            {"week_start": dt.date(2026, 3, 2), "notes": 2, "acknowledged": 1},
            {"week_start": dt.date(2026, 3, 9), "notes": 0, "acknowledged": 0},
        ]
        # Counts only, never text.
        assert all(set(w) == {"week_start", "notes", "acknowledged"} for w in weeks)

    def test_query_count_is_fixed(self, couple, alice, _frozen):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for day in range(60):
            _frozen.move_to(NOW - dt.timedelta(days=day))
            services.note_send(couple=couple, author=alice, text="x")
        _frozen.move_to(NOW)
        with CaptureQueriesContext(connection) as queries:
            weeks = selectors.gratitude_counts_by_week(
                couple=couple, start=NOW - dt.timedelta(weeks=12), end=NOW + dt.timedelta(days=1)
            )
        assert len(queries.captured_queries) == 1
        assert sum(w["notes"] for w in weeks) == 60

    def test_insights_endpoint_is_the_same_for_both(self, as_alice, as_bob, couple, alice, bob):
        services.note_send(couple=couple, author=alice, text="a")
        services.note_send(couple=couple, author=bob, text="b")
        body = as_alice.get("/api/v1/gratitude/insights/?weeks=4").json()
        assert body == as_bob.get("/api/v1/gratitude/insights/?weeks=4").json()
        assert body["timezone"] == "Europe/Berlin"
        assert [w["week_start"] for w in body["weeks"]] == ["2026-02-09", "2026-02-16", "2026-02-23", "2026-03-02"]
        assert body["weeks"][-1] == {"week_start": "2026-03-02", "notes": 2, "acknowledged": 0}
        assert "a" not in json.dumps(body["weeks"]).replace("acknowledged", "").replace("week_start", "")


class TestNudge:
    def pending(self, user):
        return list(
            Reminder.objects.filter(user=user, kind="gratitude_nudge", status="pending").values_list(
                "due_at", flat=True
            )
        )

    def test_off_by_default(self, as_alice, couple, alice):
        assert as_alice.get("/api/v1/gratitude/nudge/").json() == {"days": None}
        send(as_alice)
        assert self.pending(alice) == []

    def test_switching_on_schedules_one_nudge_n_days_ahead(self, as_alice, couple, alice):
        response = as_alice.put("/api/v1/gratitude/nudge/", {"days": 7}, format="json")
        assert response.status_code == 200 and response.json() == {"days": 7}
        prefs = Preference.objects.get(user=alice)
        assert prefs.gratitude_nudge_days == 7 and prefs.kinds["gratitude_nudge"] is True
        assert self.pending(alice) == [NOW + dt.timedelta(days=7)]
        # Twice at the same instant still leaves exactly one.
        as_alice.put("/api/v1/gratitude/nudge/", {"days": 7}, format="json")
        assert self.pending(alice) == [NOW + dt.timedelta(days=7)]

    def test_a_note_moves_the_nudge_and_it_fires_once_after_n_quiet_days(self, as_alice, couple, alice, _frozen):
        as_alice.put("/api/v1/gratitude/nudge/", {"days": 7}, format="json")
        _frozen.move_to(NOW + dt.timedelta(days=3))
        send(as_alice)
        assert self.pending(alice) == [NOW + dt.timedelta(days=10)]

        _frozen.move_to(NOW + dt.timedelta(days=7))
        dispatch_tick()
        assert not Notification.objects.filter(user=alice).exists()

        _frozen.move_to(NOW + dt.timedelta(days=10))
        dispatch_tick()
        dispatch_tick()
        assert list(Notification.objects.filter(user=alice).values_list("kind", "title", "url")) == [
            ("gratitude_nudge", "A moment to write your partner a note?", "/gratitude/write/")
        ]
        # Gentle: one nudge per quiet spell, not one every N days after it.
        _frozen.move_to(NOW + dt.timedelta(days=30))
        dispatch_tick()
        assert Notification.objects.filter(user=alice, kind="gratitude_nudge").count() == 1

    def test_a_note_written_since_makes_a_due_nudge_stale(self, couple, alice, _frozen):
        services.gratitude_nudge_set(user=alice, days=2)
        # A note that bypassed rescheduling (an import, say): still_due catches it.
        Note.objects.create(
            couple=couple,
            author=alice,
            recipient=couple.memberships.exclude(user=alice).get().user,
            text="hi",
            created_at=NOW + dt.timedelta(days=1),
            deliver_at=NOW + dt.timedelta(days=1),
        )
        _frozen.move_to(NOW + dt.timedelta(days=2))
        dispatch_tick()
        assert not Notification.objects.filter(user=alice, kind="gratitude_nudge").exists()
        assert Delivery.objects.get(kind="gratitude_nudge").outcome == "stale"

    def test_switching_off_cancels(self, as_alice, couple, alice, _frozen):
        as_alice.put("/api/v1/gratitude/nudge/", {"days": 3}, format="json")
        assert as_alice.put("/api/v1/gratitude/nudge/", {"days": None}, format="json").json() == {"days": None}
        assert self.pending(alice) == []
        assert Preference.objects.get(user=alice).kinds["gratitude_nudge"] is False
        _frozen.move_to(NOW + dt.timedelta(days=3))
        dispatch_tick()
        assert not Notification.objects.exists()

    def test_the_kind_switched_off_in_preferences_turns_it_off(self, as_alice, couple, alice, _frozen):
        as_alice.put("/api/v1/gratitude/nudge/", {"days": 3}, format="json")
        as_alice.patch("/api/v1/me/notification-preferences/", {"kinds": {"gratitude_nudge": False}}, format="json")
        assert as_alice.get("/api/v1/gratitude/nudge/").json() == {"days": None}
        _frozen.move_to(NOW + dt.timedelta(days=3))
        dispatch_tick()
        assert not Notification.objects.exists()

    def test_no_nudge_once_unpaired(self, couple, alice, _frozen):
        from couples.services import couple_leave

        services.gratitude_nudge_set(user=alice, days=1)
        couple_leave(user=alice, password=PASSWORD)
        _frozen.move_to(NOW + dt.timedelta(days=1))
        dispatch_tick()
        assert not Notification.objects.exists()

    @pytest.mark.parametrize("days", [0, 31, -1, "often", True, 2.5, []])
    def test_bad_days(self, as_alice, couple, alice, days):
        as_alice.put("/api/v1/gratitude/nudge/", {"days": 5}, format="json")
        response = as_alice.put("/api/v1/gratitude/nudge/", {"days": days}, format="json")
        assert response.status_code == 400 and list(response.json()) == ["days"]
        assert Preference.objects.get(user=alice).gratitude_nudge_days == 5
        assert len(self.pending(alice)) == 1

    def test_missing_days(self, as_alice, couple):
        response = as_alice.put("/api/v1/gratitude/nudge/", {}, format="json")
        assert response.status_code == 400 and "days" in response.json()

    def test_nudge_for_one_partner_only(self, couple, alice, bob):
        services.gratitude_nudge_set(user=alice, days=4)
        services.note_send(couple=couple, author=bob, text="hello")
        assert self.pending(bob) == []


def test_a_person_in_a_new_couple_writes_to_the_new_partner(couple, alice, bob):
    from couples.services import couple_leave

    couple_leave(user=alice, password=PASSWORD)
    carol = UserFactory(display_name="Carol")
    new = make_couple(alice, carol)
    note = services.note_send(couple=new, author=alice, text="Hi Carol")
    assert note.recipient == carol
    assert client_for(bob).get("/api/v1/gratitude/").status_code == 404
    assert [n["id"] for n in client_for(carol).get("/api/v1/gratitude/").json()["results"]] == [note.pk]


class TestOddInput:
    def test_a_nul_character_is_a_400_not_a_500(self, as_alice, couple):
        response = send(as_alice, text="Thank you\x00")
        assert response.status_code == 400 and "text" in response.json()
        assert not Note.objects.exists()

    def test_an_id_beyond_any_integer_is_a_404(self, as_bob, delivered_note):
        huge = "9" * 30
        assert as_bob.get(f"/api/v1/gratitude/{huge}/").status_code == 404
        assert as_bob.post(f"/api/v1/gratitude/{huge}/acknowledge/", format="json").status_code == 404
        assert as_bob.get(f"/api/v1/gratitude/random/?exclude={'9' * 18}").status_code == 200


class TestDaylightSaving:
    def test_a_note_for_the_evening_clocks_go_forward(self, couple, alice, _frozen):
        """Berlin moves to summer time on 29 March 2026: 20:00 that evening
        is 18:00 UTC, the evening before it was 19:00 UTC."""
        from django.test import Client

        _frozen.move_to(dt.datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
        web = Client()
        web.force_login(alice)
        for day in ("2026-03-28", "2026-03-29"):
            web.post("/gratitude/write/", {"text": day, "when": "later", "deliver_at": f"{day}T20:00"})
        assert dict(Note.objects.values_list("text", "deliver_at")) == {
            "2026-03-28": dt.datetime(2026, 3, 28, 19, 0, tzinfo=UTC),
            "2026-03-29": dt.datetime(2026, 3, 29, 18, 0, tzinfo=UTC),
        }

    def test_weeks_across_the_change_stay_monday_to_monday(self, couple, alice, _frozen):
        for when in (
            dt.datetime(2026, 3, 29, 21, 30, tzinfo=UTC),  # Sunday 23:30 in Berlin (summer time): week of 23 March
            dt.datetime(2026, 3, 29, 22, 30, tzinfo=UTC),  # Monday 00:30 in Berlin: week of 30 March
        ):
            _frozen.move_to(when)
            services.note_send(couple=couple, author=alice, text="x")
        _frozen.move_to(dt.datetime(2026, 4, 1, tzinfo=UTC))
        weeks = selectors.gratitude_counts_by_week(
            couple=couple,
            start=dt.datetime(2026, 3, 22, 23, 0, tzinfo=UTC),
            end=dt.datetime(2026, 4, 5, 22, 0, tzinfo=UTC),
        )
        assert [(w["week_start"].isoformat(), w["notes"]) for w in weeks] == [("2026-03-23", 1), ("2026-03-30", 1)]
